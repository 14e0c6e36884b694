"""/quiz end to end: the real bot over loopback against the stand-in, two members playing with buttons."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from bot import render
from bot.discord.quiz_play import ENDED, RESTARTING
from bot.engine import Engine
from bot.quiz import LETTERS, Question, draw
from tests.discord.discord_harness import StartBot, assert_pings_nobody, assert_within_limits, quoted
from tests.discord.discord_standin import ALICE, BOB, CAROL, DM_CHANNEL, LISTED_CHANNEL, QUIET_CHANNEL, FakeDiscord, Request

FAST = 3.0  # seconds per question in these tests (the setting's floor is 5 s; tests build Settings directly)


def titled(prefix: str) -> Any:
    return lambda r: bool(r.embeds) and str(r.embeds[0].get("title", "")).startswith(prefix)


async def start_quiz(
    fake: FakeDiscord, engine: Engine, *, questions: int, author: dict[str, Any] = ALICE, channel_id: int = LISTED_CHANNEL
) -> tuple[Request, tuple[Question, ...]]:
    """/quiz start; returns the intro and the questions the bot drew (its seed is the interaction's id)."""
    since = fake.mark()
    interaction_id, _ = await fake.slash("quiz start", author=author, channel_id=channel_id, questions=questions)
    intro = await fake.wait_for("callback", since=since)
    return intro, draw(engine.quiz, questions, seed=int(interaction_id))


async def posted(fake: FakeDiscord, prefix: str, *, since: int, timeout: float = 10.0) -> Request:
    """The next follow-up whose first embed's title starts with prefix."""
    request = await fake.wait_for("followup", since=since, where=titled(prefix), timeout=timeout)
    assert_within_limits(request)
    assert_pings_nobody(request)
    return request


async def press(
    fake: FakeDiscord, message: Request, option: int, *, author: dict[str, Any], channel_id: int = LISTED_CHANNEL
) -> Request:
    """Press one of a question's buttons; returns the bot's reply, which must be for the presser alone."""
    (custom_id,) = [b["custom_id"] for b in message.buttons if b["custom_id"].endswith(f":{option}")]
    since = fake.mark()
    await fake.click(message.created_id, custom_id, author=author, channel_id=channel_id)
    reply = await fake.wait_for("callback", since=since)
    assert reply.ephemeral
    return reply


def wrong(question: Question) -> int:
    return (question.right + 1) % len(question.options)


async def test_two_members_play_a_quiz_to_its_scoreboard_and_the_leaderboard(start_bot: StartBot, engine: Engine) -> None:
    running = await start_bot(quiz_seconds=FAST)
    fake = running.fake
    start = fake.mark()
    intro, (first, second) = await start_quiz(fake, engine, questions=2)
    assert not intro.ephemeral
    assert "Alice started a quiz: 2 questions" in intro.text

    asked = await posted(fake, "Question 1 of 2", since=start)
    assert first.item.question in asked.text
    assert [b["label"] for b in asked.buttons] == [render.button_label(f"{LETTERS[i]}. {o}") for i, o in enumerate(first.options)]
    counted = await press(fake, asked, first.right, author=ALICE)
    assert counted.text.startswith(f"Locked in: {first.answer}.")
    await press(fake, asked, wrong(first), author=BOB)
    again = await press(fake, asked, wrong(first), author=ALICE)
    assert again.text.startswith(f"You already answered this question ({first.answer})")

    # The first question waits for its time limit: nobody is known to be playing before it.
    reveal = await posted(fake, f"Question 1: the answer is {first.answer}", since=start)
    assert "Right (1 of 2): Alice" in reveal.text
    assert "Bob" not in reveal.text
    assert reveal.embeds[0]["footer"]["text"] == "Time's up."
    quotes = quoted(reveal)
    assert quotes == [(c.paragraph, c.quote) for c in first.item.citations]
    assert all(first.item.answer.casefold() in quote.casefold() for _, quote in quotes)
    article = engine.knowledge.article
    assert all(article.contains(paragraph, quote) for paragraph, quote in quotes)  # verbatim
    closed = await fake.wait_for("edit", since=start, where=lambda r: r.created is not None and r.created_id == asked.created_id)
    assert closed.created is not None and closed.created["embeds"][0]["description"].endswith("Closed.")
    buttons = closed.buttons
    assert all(b.get("disabled") for b in buttons)
    assert [b["style"] for b in buttons] == [3 if i == first.right else 2 for i in range(4)]  # the right one green

    # The second closes as soon as both have answered.
    asked = await posted(fake, "Question 2 of 2", since=start)
    await press(fake, asked, second.right, author=BOB)
    await press(fake, asked, second.right, author=ALICE)
    reveal = await posted(fake, f"Question 2: the answer is {second.answer}", since=start)
    assert reveal.embeds[0]["footer"]["text"] == "Everyone playing has answered."
    assert "Right (2 of 2): Bob, Alice" in reveal.text

    board = await posted(fake, "Scoreboard after 2 questions", since=start)
    assert "**1.** Alice: 2 right of 2\n**2.** Bob: 1 right of 2" in board.text
    assert "Added to this server's leaderboard" in board.text
    for request in fake.made("followup", since=start):
        assert_pings_nobody(request)

    since = fake.mark()
    await fake.slash("quiz leaderboard", author=CAROL)
    leaders = await fake.wait_for("followup", since=since, where=titled("Quiz leaderboard"))
    assert "**1.** Alice: 2 points (2 answered)\n**2.** Bob: 1 point (2 answered)" in leaders.text
    assert "You haven't played a quiz here yet." in leaders.text
    assert_pings_nobody(leaders)
    running.assert_healthy()


async def test_one_quiz_per_channel_and_only_its_starter_or_a_moderator_stops_it(start_bot: StartBot, engine: Engine) -> None:
    running = await start_bot(quiz_seconds=30.0)
    fake = running.fake
    start = fake.mark()
    _, (first, *_) = await start_quiz(fake, engine, questions=3)
    asked = await posted(fake, "Question 1 of 3", since=start)
    await press(fake, asked, first.right, author=BOB)

    since = fake.mark()
    await fake.slash("quiz start", author=BOB, questions=2)
    busy = await fake.wait_for("callback", since=since)
    assert busy.ephemeral and "already running in this channel" in busy.text
    elsewhere, _ = await start_quiz(fake, engine, questions=1, author=BOB, channel_id=QUIET_CHANNEL)
    assert not elsewhere.ephemeral and "Bob started a quiz: 1 question" in elsewhere.text

    since = fake.mark()
    await fake.slash("quiz stop", author=BOB)
    refused = await fake.wait_for("callback", since=since)
    assert refused.ephemeral and "Only whoever started this quiz" in refused.text
    since = fake.mark()
    await fake.slash("quiz stop", author=ALICE)
    assert (await fake.wait_for("callback", since=since)).ephemeral
    board = await posted(fake, "Scoreboard after 0 questions", since=since)
    assert "Alice stopped the quiz." in board.text
    assert "Nobody answered." in board.text  # the open question is dropped, not scored
    ended = await press(fake, asked, first.right, author=CAROL)
    assert ended.text == ENDED
    running.assert_healthy()


async def test_an_ended_quizs_buttons_say_so_and_a_second_quiz_may_start(start_bot: StartBot, engine: Engine) -> None:
    running = await start_bot(quiz_seconds=FAST)
    fake = running.fake
    start = fake.mark()
    _, (only,) = await start_quiz(fake, engine, questions=1)
    asked = await posted(fake, "Question 1 of 1", since=start)
    await press(fake, asked, wrong(only), author=ALICE)
    board = await posted(fake, "Scoreboard after 1 question", since=start)
    assert "**1.** Alice: 0 right of 1" in board.text
    for option in range(4):
        assert (await press(fake, asked, option, author=BOB)).text == ENDED
    intro, _ = await start_quiz(fake, engine, questions=1)
    assert "started a quiz" in intro.text
    running.assert_healthy()


async def test_after_a_restart_the_old_quizs_buttons_say_it_has_ended(start_bot: StartBot, engine: Engine) -> None:
    first_bot = await start_bot(quiz_seconds=30.0)
    fake = first_bot.fake
    start = fake.mark()
    _, (question, *_) = await start_quiz(fake, engine, questions=2)
    asked = await posted(fake, "Question 1 of 2", since=start)
    await press(fake, asked, question.right, author=ALICE)

    first_bot.task.cancel()  # the process ends: its quizzes say so on the way out
    with contextlib.suppress(asyncio.CancelledError):
        await first_bot.task
    board = await posted(fake, "Scoreboard after 0 questions", since=start)
    assert RESTARTING in board.text
    first_bot.assert_healthy = lambda: None  # type: ignore[method-assign]  # it was stopped on purpose

    second_bot = await start_bot(quiz_seconds=30.0)
    for author in (ALICE, BOB):
        assert (await press(fake, asked, question.right, author=author)).text == ENDED
    second_bot.assert_healthy()


async def test_a_quiz_in_a_dm_is_played_but_not_scored_and_leaderboards_are_for_servers(
    start_bot: StartBot, engine: Engine
) -> None:
    running = await start_bot(quiz_seconds=FAST)
    fake = running.fake
    start = fake.mark()
    intro, (only,) = await start_quiz(fake, engine, questions=1, channel_id=DM_CHANNEL)
    assert "Scores are kept in servers only." in intro.text
    asked = await posted(fake, "Question 1 of 1", since=start)
    await press(fake, asked, only.right, author=ALICE, channel_id=DM_CHANNEL)
    board = await posted(fake, "Scoreboard after 1 question", since=start)
    assert "**1.** Alice: 1 right of 1" in board.text
    assert "Scores are kept in servers only." in board.text
    since = fake.mark()
    await fake.slash("quiz leaderboard", channel_id=DM_CHANNEL)
    assert "Leaderboards belong to servers" in (await fake.wait_for("callback", since=since)).text
    running.assert_healthy()


async def test_with_history_off_scores_are_still_kept(start_bot: StartBot, engine: Engine) -> None:
    running = await start_bot(quiz_seconds=FAST, history=False)
    fake = running.fake
    start = fake.mark()
    _, (only,) = await start_quiz(fake, engine, questions=1, author=BOB)
    asked = await posted(fake, "Question 1 of 1", since=start)
    await press(fake, asked, only.right, author=BOB)
    await posted(fake, "Scoreboard after 1 question", since=start)
    since = fake.mark()
    await fake.slash("quiz leaderboard", author=BOB)
    leaders = await fake.wait_for("followup", since=since, where=titled("Quiz leaderboard"))
    assert "**1.** Bob: 1 point (1 answered)" in leaders.text
    assert "You:" not in leaders.text  # Bob is on the board
    running.assert_healthy()


async def test_starting_a_quiz_counts_towards_the_cooldown_and_pressing_does_not(start_bot: StartBot, engine: Engine) -> None:
    running = await start_bot(quiz_seconds=30.0, cooldown_rate=1)
    fake = running.fake
    start = fake.mark()
    _, (first, *_) = await start_quiz(fake, engine, questions=2)
    asked = await posted(fake, "Question 1 of 2", since=start)
    assert (await press(fake, asked, first.right, author=ALICE)).text.startswith("Locked in")
    since = fake.mark()
    await fake.slash("quiz stop")
    await posted(fake, "Scoreboard", since=since)
    since = fake.mark()
    await fake.slash("quiz start", questions=1)
    slowed = await fake.wait_for("callback", since=since)
    assert slowed.ephemeral and "faster than I can keep up" in slowed.text
    running.assert_healthy()


async def test_with_the_store_unreachable_a_quiz_is_played_and_says_its_scores_wait(
    start_bot: StartBot, engine: Engine, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state directory should be")
    running = await start_bot(quiz_seconds=FAST, state_dir=blocked)
    fake = running.fake
    start = fake.mark()
    _, (only,) = await start_quiz(fake, engine, questions=1)
    asked = await posted(fake, "Question 1 of 1", since=start)
    await press(fake, asked, only.right, author=ALICE)
    await posted(fake, "Question 1: the answer is", since=start)
    board = await posted(fake, "Scoreboard after 1 question", since=start)
    assert "**1.** Alice: 1 right of 1" in board.text
    assert "The scores could not be saved yet" in board.text
    assert len(running.logged("Quiz scores unavailable")) == 1
    since = fake.mark()
    await fake.slash("quiz leaderboard")
    assert "can't be read right now" in (await fake.wait_for("followup", since=since)).text
    running.assert_healthy()
