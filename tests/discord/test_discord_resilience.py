"""Faults, end to end: handler exceptions, gateway reconnects and drops, a refused intent, sharding."""

from __future__ import annotations

import logging

import pytest

from bot import render
from bot.discord.app import CONTENT_OFF, CONTENT_REFUSED
from bot.engine import Context, Engine
from bot.models import Reply
from tests.discord.discord_harness import Running, StartBot
from tests.discord.discord_standin import BOT_USER, QUIET_CHANNEL, FakeDiscord


async def ask_and_wait(fake: FakeDiscord, question: str) -> str:
    since = fake.mark()
    await fake.send_message(question)
    return (await fake.wait_for("message", since=since)).text


async def test_an_exception_in_a_handler_gets_an_apology_and_the_next_question_is_answered(
    bot: Running, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = engine.answer
    failures: list[str] = []

    def fails_once(text: str, context: Context | None = None) -> Reply:
        if not failures:
            failures.append(text)
            raise RuntimeError("engine exploded")
        return answer(text, context)

    monkeypatch.setattr(engine, "answer", fails_once)
    fake = bot.fake
    apology = await ask_and_wait(fake, "when did amazon enter china?")
    assert apology == render.APOLOGY
    (error,) = bot.errors()
    assert error.exc_info is not None
    assert "engine exploded" in str(error.exc_info[1])
    bot.expected_errors = 1

    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    bot.assert_healthy()


async def test_an_exception_in_a_slash_command_gets_an_ephemeral_apology_and_the_bot_goes_on(
    bot: Running, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeline = engine.timeline
    failures: list[int | None] = []

    def fails_once(year: int | None = None) -> Reply:
        if not failures:
            failures.append(year)
            raise RuntimeError("timeline exploded")
        return timeline(year)

    monkeypatch.setattr(engine, "timeline", fails_once)
    fake = bot.fake
    since = fake.mark()
    await fake.slash("timeline")
    apology = await fake.wait_for("callback", since=since)
    assert apology.ephemeral
    assert render.APOLOGY in apology.text
    (error,) = bot.errors()
    assert "/timeline" in error.getMessage()
    bot.expected_errors = 1

    since = fake.mark()
    await fake.slash("timeline")
    assert "2004" in (await fake.wait_for("callback", since=since)).text
    bot.assert_healthy()


async def test_after_op7_reconnect_the_bot_resumes_and_answers(bot: Running) -> None:
    fake = bot.fake
    await fake.send_reconnect()
    await fake.wait_ready(connections=2)
    assert fake.resumes[-1]["session_id"] == fake.session_id
    assert len(fake.identifies) == 1
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    bot.assert_healthy()


async def test_after_the_socket_drops_the_bot_resumes_and_answers(bot: Running) -> None:
    fake = bot.fake
    fake.drop()
    await fake.wait_ready(connections=2)
    assert fake.resumes[-1]["session_id"] == fake.session_id
    assert "2019" in await ask_and_wait(fake, "when did amazon leave china?")
    bot.assert_healthy()


async def test_refused_message_content_intent_is_logged_and_slash_commands_and_mentions_still_work(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    fake.refuse_message_content = True
    running = await start_bot()
    assert running.logged(CONTENT_REFUSED)
    (off,) = running.logged(CONTENT_OFF)
    assert off.levelno == logging.WARNING  # BOT_CHANNELS is set, and it cannot work
    assert [bool(i["intents"] & (1 << 15)) for i in fake.identifies] == [True, False]

    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    assert "four" in (await fake.wait_for("callback", since=since)).text

    since = fake.mark()
    await fake.send_message("how old is pinduoduo?")  # Discord sends it without content: ignored
    mention, _ = await fake.send_message(f"<@{BOT_USER['id']}> how old is pdd?", channel_id=QUIET_CHANNEL, mentions=[BOT_USER])
    reply = await fake.wait_for("message", since=since)
    assert reply.message["message_reference"]["message_id"] == mention
    assert len(fake.made("message", since=since)) == 1
    running.assert_healthy()


async def test_shard_count_runs_the_auto_sharded_bot(start_bot: StartBot) -> None:
    running = await start_bot(shard_count=1, shard_ids=(0,))
    fake = running.fake
    assert fake.identifies[0]["shard"] == [0, 1]
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    running.assert_healthy()
