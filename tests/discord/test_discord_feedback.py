"""The feedback loop on Discord, end to end: votes, /stats, /misses, /reload, and a store that is down."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import render
from bot.cli import main
from bot.engine import default_data_dir
from tests.conftest import replace_in
from tests.discord.discord_harness import Running, StartBot, assert_within_limits
from tests.discord.discord_standin import ALICE, BOB, CAROL, DM_CHANNEL, MANAGE_GUILD, FakeDiscord, Request

ANSWERED = "when did amazon enter china?"
DECLINED = "what is the capital of france?"
NEW_QUESTION = "zorblat quux frobnicate"
LAST_TEMPLATE = "      - what was the exact year amazon entered china\n"


async def ask(fake: FakeDiscord, question: str, **options: Any) -> Request:
    since = fake.mark()
    await fake.send_message(question, **options)
    return await fake.wait_for("message", since=since)


async def press(fake: FakeDiscord, reply: Request, emoji: str, author: dict[str, Any] = ALICE) -> Request:
    since = fake.mark()
    channel = reply.channel_id or 0
    await fake.click(reply.created_id, reply.vote_button(emoji), author=author, channel_id=channel)
    ack = await fake.wait_for("callback", since=since)
    assert ack.ephemeral
    return ack


async def slash(fake: FakeDiscord, name: str, author: dict[str, Any] = ALICE, **options: Any) -> Request:
    since = fake.mark()
    await fake.slash(name, author=author, **options)
    request = await fake.wait_until(
        lambda: next((r for r in fake.requests[since:] if r.kind in ("callback", "followup") and r.text), None)
    )
    assert isinstance(request, Request)
    assert_within_limits(request)
    return request


def misses_json(state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    monkeypatch.setenv("BOT_STATE_DIR", str(state_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    capsys.readouterr()
    assert main(["misses", "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def test_ask_decline_press_thumbs_down_and_misses_json_lists_both(
    bot: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = bot.fake
    answer = await ask(fake, ANSWERED)
    assert "2004" in answer.text
    decline = await ask(fake, DECLINED)
    assert not [b for b in decline.buttons if b.get("emoji")]  # votes go on answers only

    ack = await press(fake, answer, "👎")
    assert ack.text == render.vote_thanks(-1, None)

    async def listed() -> list[dict[str, object]]:
        # `python -m bot misses --json`, on a thread: main() runs an event loop of its own.
        while len(groups := await asyncio.to_thread(misses_json, bot.settings.state_dir, monkeypatch, capsys)) < 2:
            await asyncio.sleep(0.02)  # the questions are written in the background, a moment after the answers
        return groups

    groups = await asyncio.wait_for(listed(), 5)
    by_question = {g["question"]: g for g in groups}
    assert by_question[ANSWERED]["down_votes"] == 1
    assert by_question[ANSWERED]["kinds"] == {"answer": 1}
    assert by_question[DECLINED]["kinds"] == {"decline": 1}
    assert by_question[DECLINED]["down_votes"] == 0
    bot.assert_healthy()


async def test_a_second_press_changes_the_members_vote_and_others_vote_on_their_own(bot: Running) -> None:
    fake = bot.fake
    answer = await ask(fake, ANSWERED)
    assert (await press(fake, answer, "👍")).text == render.vote_thanks(1, None)
    assert (await press(fake, answer, "👍")).text == render.vote_thanks(1, 1)
    assert (await press(fake, answer, "👎")).text == render.vote_thanks(-1, 1)
    assert (await press(fake, answer, "👎", author=BOB)).text == render.vote_thanks(-1, None)
    stats = await slash(fake, "stats")
    assert "0 up, 2 down" in stats.text
    assert not fake.made("message", since=fake.mark())  # nothing was posted in the channel for the votes
    bot.assert_healthy()


async def test_slash_ask_and_a_suggestion_click_are_recorded_and_get_vote_buttons(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    answer = await fake.wait_for("callback", since=since)
    assert answer.vote_button("👍")
    decline = await ask(fake, DECLINED)
    suggestion = next(b for b in decline.buttons if b["custom_id"].startswith(render.ASK_PREFIX))
    since = fake.mark()
    await fake.click(decline.created_id, suggestion["custom_id"])
    clicked = await fake.wait_for("callback", since=since)
    assert clicked.vote_button("👎")
    await ask(fake, "how rich is colin huang?", channel_id=DM_CHANNEL)

    async def recorded() -> str:
        while "3 questions" not in (text := (await slash(fake, "stats")).text):
            await asyncio.sleep(0.02)
        return text

    text = await asyncio.wait_for(recorded(), 5)  # /ask, the decline and the click; not the DM, which is no server's
    assert "answered         2  (66.7%)" in text
    bot.assert_healthy()


async def test_stats_and_misses_are_refused_to_a_member_without_manage_server(bot: Running) -> None:
    fake = bot.fake
    await ask(fake, DECLINED)
    for name in ("stats", "misses"):
        refused = await slash(fake, name, author=BOB)
        assert refused.ephemeral
        assert "Manage Server" in refused.text
        assert DECLINED not in refused.text
    synced = {c["name"]: c for c in fake.commands[str(fake_guild(fake))]}
    for name in ("stats", "misses", "reload"):
        assert int(synced[name]["default_member_permissions"]) == MANAGE_GUILD
    bot.assert_healthy()


def fake_guild(fake: FakeDiscord) -> int:
    (guild,) = [key for key in fake.commands if key != "global"]
    return int(guild)


async def test_misses_shows_this_servers_misses_to_a_member_with_manage_server(bot: Running) -> None:
    fake = bot.fake
    await ask(fake, DECLINED)
    await ask(fake, "What is the capital of France??", author=CAROL)
    await ask(fake, "what is the capital of spain?", channel_id=DM_CHANNEL)  # a DM: not this server's

    async def grouped() -> Request:
        while "2× " not in (reply := await slash(fake, "misses")).text:
            await asyncio.sleep(0.02)
        return reply

    reply = await asyncio.wait_for(grouped(), 5)
    assert reply.ephemeral
    assert "2× what is the capital of france?" in reply.text.lower()
    assert "declined 2 · 2 members" in reply.text
    assert "spain" not in reply.text
    bot.assert_healthy()


async def test_reload_is_for_the_owner_and_swaps_in_new_data(start_bot: StartBot, tmp_path: Path) -> None:
    data = tmp_path / "intents"
    shutil.copytree(default_data_dir(), data)
    running = await start_bot(data_dir=data)
    fake = running.fake
    refused = await slash(fake, "reload", author=BOB)
    assert "Only the bot's owner" in refused.text

    replace_in(data / "intents.yaml", "handler: fact", "handler: no_such_handler")
    failed = await slash(fake, "reload")
    assert failed.ephemeral
    assert "Reload failed; still serving the previous data. data error: intents.yaml: " in failed.text
    assert "no_such_handler" in failed.text
    assert "2004" in (await ask(fake, ANSWERED)).text
    running.expected_errors = 1  # the failed reload is logged as an error

    replace_in(data / "intents.yaml", "handler: no_such_handler", "handler: fact")
    replace_in(data / "intents.yaml", LAST_TEMPLATE, LAST_TEMPLATE + f"      - {NEW_QUESTION}\n")
    reloaded = await slash(fake, "reload")
    assert f"Reloaded {data}" in reloaded.text
    assert "2004" in (await ask(fake, NEW_QUESTION)).text
    running.assert_healthy()


async def test_with_the_store_unreachable_the_bot_answers_warns_once_and_says_a_vote_was_not_recorded(
    start_bot: StartBot, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state directory should be")
    running = await start_bot(state_dir=blocked)
    fake = running.fake
    replies = [await ask(fake, ANSWERED, author=author) for author in (ALICE, BOB, CAROL)]
    assert all("2004" in r.text for r in replies)
    assert (await press(fake, replies[0], "👎")).text == render.VOTE_FAILED
    await running.wait_logged("Question history unavailable")
    assert len(running.logged("Question history unavailable")) == 1
    unreachable = await slash(fake, "stats")
    assert "can't be reached" in unreachable.text
    running.assert_healthy()


async def test_with_history_off_answers_have_no_vote_buttons_and_stats_say_so(start_bot: StartBot) -> None:
    running = await start_bot(history=False)
    fake = running.fake
    answer = await ask(fake, ANSWERED)
    assert [b.get("label") for b in answer.buttons] == ["Show source"]
    assert "history is off" in (await slash(fake, "stats")).text
    assert not (running.settings.state_dir / "history.sqlite3").exists()
    running.assert_healthy()


async def test_a_reload_that_changes_the_years_rebuilds_the_timeline_choices_and_syncs_them(
    start_bot: StartBot, tmp_path: Path
) -> None:
    data = tmp_path / "intents"
    shutil.copytree(default_data_dir(), data)
    running = await start_bot(data_dir=data)
    fake = running.fake
    since = fake.mark()
    replace_in(data / "knowledge.yaml", 'event: {date: "2004", label: "2004",', 'event: {date: "2003", label: "2003",')
    assert "Reloaded" in (await slash(fake, "reload")).text
    sync = await fake.wait_for("sync", since=since)
    (timeline,) = [c for c in sync.body if c["name"] == "timeline"]
    assert [choice["value"] for choice in timeline["options"][0]["choices"]] == [2003, 2015, 2019]
    running.assert_healthy()
