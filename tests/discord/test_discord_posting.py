"""Posting without harm, end to end: permissions, 403, 429, 503, expired interactions, unknown guilds, stale choices."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import render
from bot.discord.delivery import Delivery
from bot.engine import Context, Engine
from bot.models import Kind, Reply
from tests.discord.discord_harness import Running, StartBot, assert_pings_nobody, assert_within_limits
from tests.discord.discord_standin import (
    BOT_USER,
    LISTED_CHANNEL,
    MISSING_PERMISSIONS,
    MUTED_CHANNEL,
    NO_EMBED_CHANNEL,
    NO_HISTORY_CHANNEL,
    QUIET_CHANNEL,
    UNCACHED_CHANNEL,
    UNCACHED_GUILD,
    UNKNOWN_INTERACTION,
    FakeDiscord,
)


def fast() -> dict[str, Any]:
    """Bot options: a Delivery of its own (it remembers channels) that retries a 503 after 10 ms."""
    return {"delivery": Delivery((0.01, 0.01, 0.01))}


async def mention(fake: FakeDiscord, question: str, channel_id: int, **options: Any) -> int:
    message_id, _ = await fake.send_message(
        f"<@{BOT_USER['id']}> {question}", channel_id=channel_id, mentions=[BOT_USER], **options
    )
    return message_id


async def answered(fake: FakeDiscord, question: str) -> str:
    since = fake.mark()
    await fake.send_message(question)
    return (await fake.wait_for("message", since=since)).text


def no_tracebacks(running: Running) -> None:
    assert not [r.getMessage() for r in running.caplog.records if r.exc_info is not None]


async def test_where_the_bot_may_not_post_it_stays_silent_and_logs_it_once(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await mention(fake, "when did amazon enter china?", MUTED_CHANNEL)
    await mention(fake, "when did amazon leave china?", MUTED_CHANNEL)
    assert "2004" in await answered(fake, "when did amazon enter china?")  # elsewhere it answers
    assert [r.channel_id for r in fake.made("message", since=since)] == [LISTED_CHANNEL]
    (logged,) = bot.logged(f"Not answering in channel {MUTED_CHANNEL}")
    assert "View Channel or Send Messages" in logged.getMessage()
    bot.assert_healthy()


async def test_no_apology_is_attempted_where_the_bot_may_not_post(
    bot: Running, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explodes(text: str, context: Context | None = None) -> Reply:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "answer", explodes)
    fake = bot.fake
    since = fake.mark()
    await mention(fake, "when did amazon enter china?", MUTED_CHANNEL)
    await mention(fake, "hello?", QUIET_CHANNEL)  # a channel where the apology may go
    apology = await fake.wait_for("message", since=since)
    assert apology.channel_id == QUIET_CHANNEL
    assert apology.text == render.APOLOGY
    assert len(fake.made("message", since=since)) == 1
    bot.expected_errors = 1  # the error in QUIET_CHANNEL; the muted one never reached the engine
    bot.assert_healthy()


async def test_a_403_on_the_reply_gets_no_apology_and_the_channel_is_left_alone(start_bot: StartBot) -> None:
    running = await start_bot(fast())
    fake = running.fake
    fake.fail("message", 403, MISSING_PERMISSIONS)
    since = fake.mark()
    await fake.send_message("when did amazon enter china?")
    await running.wait_logged(f"Not answering in channel {LISTED_CHANNEL}")
    await fake.send_message("when did amazon leave china?")  # the same channel, right after: not even tried
    await mention(fake, "who founded pinduoduo?", QUIET_CHANNEL)
    reply = await fake.wait_for("message", since=since, where=lambda r: r.channel_id == QUIET_CHANNEL)
    assert "Colin Huang" in reply.text
    assert [r.channel_id for r in fake.made("message", since=since)] == [LISTED_CHANNEL, QUIET_CHANNEL]
    (logged,) = running.logged("Not answering in channel")
    assert "403: Missing Permissions" in logged.getMessage()
    no_tracebacks(running)
    running.assert_healthy()


async def test_a_503_on_the_reply_is_retried_and_the_answer_arrives(start_bot: StartBot) -> None:
    running = await start_bot(fast())
    fake = running.fake
    fake.fail("message", 503, times=2)
    since = fake.mark()
    await fake.send_message("when did amazon enter china?")
    await fake.wait_until(lambda: len(fake.made("message", since=since)) == 3)
    tries = fake.made("message", since=since)
    assert [r.created is None for r in tries] == [True, True, False]
    assert "2004" in tries[-1].text
    assert len(running.logged("Discord answered 503")) == 2
    running.assert_healthy()


async def test_a_429_is_waited_out_and_the_answer_arrives(bot: Running) -> None:
    fake = bot.fake
    fake.rate_limit("message", 0.2)
    since = fake.mark()
    await fake.send_message("when did amazon enter china?")
    await fake.wait_until(lambda: len(fake.made("message", since=since)) == 2)
    first, second = fake.made("message", since=since)
    assert second.at - first.at >= 0.2
    assert "2004" in second.text
    bot.assert_healthy()


async def test_an_expired_interaction_is_dropped_with_one_line_and_never_posted_to_again(bot: Running) -> None:
    fake = bot.fake
    fake.fail("callback", 404, UNKNOWN_INTERACTION)
    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    await bot.wait_logged("Dropped the reply to /ask")
    (dropped,) = [r for r in bot.caplog.records if "Dropped" in r.getMessage()]
    assert "expired" in dropped.getMessage()
    assert dropped.levelno == logging.INFO
    assert len(fake.made("callback", since=since)) == 1
    assert not fake.made("followup", since=since)
    no_tracebacks(bot)
    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    assert "four" in (await fake.wait_for("callback", since=since)).text
    bot.assert_healthy()


async def test_without_read_message_history_the_answer_is_not_a_reply(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await mention(fake, "when did amazon enter china?", NO_HISTORY_CHANNEL)
    reply = await fake.wait_for("message", since=since)
    assert "2004" in reply.text
    assert "message_reference" not in reply.message
    bot.assert_healthy()


async def test_a_message_from_a_guild_not_in_the_cache_is_not_taken_for_a_dm(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("when did amazon enter china?", channel_id=UNCACHED_CHANNEL, guild_id=UNCACHED_GUILD)
    asked = await mention(fake, "when did amazon leave china?", UNCACHED_CHANNEL, guild_id=UNCACHED_GUILD)
    reply = await fake.wait_for("message", since=since)
    assert int(reply.message["message_reference"]["message_id"]) == asked
    assert "2019" in reply.text
    assert len(fake.made("message", since=since)) == 1  # the unmentioned one was not answered as a DM
    bot.assert_healthy()


async def test_a_stale_choice_gets_a_polite_reply_not_a_traceback(bot: Running, engine: Engine) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.slash("source", paragraph=999)
    reply = await fake.wait_for("callback", since=since)
    assert reply.ephemeral
    assert "999 is not one of the choices any more; pick one of: Title, Paragraph 1," in reply.text
    assert f"Paragraph {engine.paragraph_count}." in reply.text
    (warning,) = bot.logged("is not one of its choices any more")
    assert warning.levelno == logging.WARNING
    since = fake.mark()
    await fake.slash("timeline", year=1999)
    years = ", ".join(map(str, engine.years))
    stale = await fake.wait_for("callback", since=since)
    assert f"1999 is not one of the choices any more; pick one of: {years}." in stale.text
    no_tracebacks(bot)
    bot.assert_healthy()


async def test_a_long_answer_without_embed_links_comes_in_pieces_and_only_the_first_is_a_reply(
    bot: Running, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Reply(Kind.ANSWER, "long", 100, "\n\n".join(f"Paragraph {n}: " + "words " * 150 for n in range(6)))
    monkeypatch.setattr(engine, "answer", lambda text, context=None: long)
    fake = bot.fake
    since = fake.mark()
    asked = await mention(fake, "tell me everything", NO_EMBED_CHANNEL)
    await fake.wait_until(lambda: len(fake.made("message", since=since)) >= len(render.to_messages(long)))
    pieces = fake.made("message", since=since)
    assert len(pieces) == len(render.to_messages(long)) > 1
    assert int(pieces[0].message["message_reference"]["message_id"]) == asked
    assert all("message_reference" not in piece.message for piece in pieces[1:])
    for piece in pieces:
        assert_within_limits(piece)
        assert_pings_nobody(piece)
    bot.assert_healthy()
