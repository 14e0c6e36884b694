"""Malformed gateway events, end to end: none of them ends the bot, stops it hearing, or loses a task's exception."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from bot.discord.app import AnswerTree
from tests.discord.discord_harness import Running, StartBot
from tests.discord.discord_standin import FakeDiscord

Breaker = Callable[[dict[str, Any]], Any]


def without(*keys: str) -> Breaker:
    def broken(data: dict[str, Any]) -> dict[str, Any]:
        for key in keys:
            data.pop(key, None)
        return data

    return broken


def setting(key: str, value: Any) -> Breaker:
    def broken(data: dict[str, Any]) -> dict[str, Any]:
        data[key] = value
        return data

    return broken


def nested(outer: str, key: str, value: Any) -> Breaker:
    def broken(data: dict[str, Any]) -> dict[str, Any]:
        data[outer] = {**data[outer], key: value}
        return data

    return broken


BROKEN_MESSAGES: dict[str, Breaker] = {
    "d is null": lambda _: None,
    "d is a list": lambda data: [data],
    "d is text": lambda _: "MESSAGE_CREATE",
    "no content": without("content"),
    "no author": without("author"),
    "no id": without("id"),
    "no channel_id": without("channel_id"),
    "no author, no member": without("author", "member"),
    "author is null": setting("author", None),
    "author without id": nested("author", "id", None),
    "author id is a word": nested("author", "id", "alice"),
    "content is a number": setting("content", 42),
    "id is a word": setting("id", "not-a-snowflake"),
    "channel_id is a list": setting("channel_id", ["1"]),
    "guild_id is a word": setting("guild_id", "guild"),
    "mentions is text": setting("mentions", "everyone"),
    "mentions hold null": setting("mentions", [None]),
    "mention_roles hold a word": setting("mention_roles", ["admins"]),
    "member is text": setting("member", "member"),
    "member roles is null": nested("member", "roles", None),
    "timestamp is garbage": setting("timestamp", "yesterday"),
    "embeds is text": setting("embeds", "embed"),
    "attachments hold numbers": setting("attachments", [1, 2]),
    "type is text": setting("type", "default"),
    "flags is text": setting("flags", "none"),
    "message_reference is text": setting("message_reference", "that one"),
    "referenced_message is a number": setting("referenced_message", 5),
    "sticker_items is text": setting("sticker_items", "sticker"),
}

BROKEN_INTERACTIONS: dict[str, Breaker] = {
    "d is null": lambda _: None,
    "no member and no user": without("member", "user"),
    "member without user": nested("member", "user", None),
    "no token": without("token"),
    "no id": without("id"),
    "no type": without("type"),
    "no application_id": without("application_id"),
    "no data": without("data"),
    "data without name": nested("data", "name", None),
    "data is text": setting("data", "ask"),
    "type is text": setting("type", "command"),
    "channel is text": setting("channel", "general"),
    "guild_id is a word": setting("guild_id", "guild"),
    "app_permissions is a word": setting("app_permissions", "all"),
    "member permissions is a word": nested("member", "permissions", "all"),
    "an unknown interaction type": setting("type", 99),
    "options is text": nested("data", "options", "question"),
    "an option without a name": nested("data", "options", [{"type": 3, "value": "hi"}]),
}


async def ask_and_wait(fake: FakeDiscord, question: str) -> str:
    since = fake.mark()
    await fake.send_message(question)
    return (await fake.wait_for("message", since=since)).text


@pytest.mark.parametrize("case", BROKEN_MESSAGES)
async def test_a_malformed_message_create_is_skipped_and_the_next_question_is_answered(bot: Running, case: str) -> None:
    fake = bot.fake
    data = fake.message_payload("when did amazon enter china?")
    since = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", BROKEN_MESSAGES[case](copy.deepcopy(data)))
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    assert len(fake.made("message", since=since)) <= 2  # the broken one may be answered if discord.py copes with it
    assert len(fake.identifies) == 1  # never disconnected, never restarted
    bot.assert_healthy()


@pytest.mark.parametrize("case", BROKEN_INTERACTIONS)
async def test_a_malformed_interaction_is_skipped_and_the_bot_goes_on(bot: Running, case: str) -> None:
    fake = bot.fake
    payload = fake.slash_payload("ask", question="how old is pinduoduo?")
    await fake.dispatch("INTERACTION_CREATE", BROKEN_INTERACTIONS[case](copy.deepcopy(payload)))
    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    answer = await fake.wait_for("callback", since=since, where=lambda r: "four" in r.text)
    assert not answer.ephemeral
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    assert len(fake.identifies) == 1
    bot.assert_healthy()


async def test_an_interaction_without_a_user_is_skipped_with_one_warning_and_no_lost_task(bot: Running) -> None:
    fake = bot.fake
    payload = fake.slash_payload("ask", question="how old is pinduoduo?")
    del payload["member"]
    since = fake.mark()
    for _ in range(3):
        await fake.dispatch("INTERACTION_CREATE", copy.deepcopy(payload))
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    assert not fake.made("callback", since=since)
    (warning,) = bot.logged("Skipped a malformed INTERACTION_CREATE")  # once, however often it comes
    assert "neither 'member.user' nor 'user'" in warning.getMessage()
    bot.assert_healthy()


async def test_an_exception_discord_py_does_not_wrap_reaches_the_error_boundary_not_a_lost_task(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # discord.py's own command task catches AppCommandError only; this one escapes it.
    async def breaks(self: AnswerTree, interaction: object) -> bool:
        raise RuntimeError("a bug inside the library")

    monkeypatch.setattr(AnswerTree, "interaction_check", breaks)
    fake = bot.fake
    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?")
    apology = await fake.wait_for("callback", since=since)
    assert apology.ephemeral
    (error,) = bot.errors()
    assert error.getMessage() == "Error while handling /ask"
    assert error.exc_info is not None and "a bug inside the library" in str(error.exc_info[1])
    bot.expected_errors = 1
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    bot.assert_healthy()


async def test_a_frame_that_is_not_json_brings_the_client_back_with_one_log_line(start_bot: StartBot) -> None:
    running = await start_bot({"restart_delays": (0.01,)})
    fake = running.fake
    await fake.send_frame("{this is not json")
    await fake.wait_ready(connections=2, timeout=10)
    await running.wait_logged("Ready as", 2)
    (restart,) = running.logged("Bringing the Discord client back")
    assert "JSONDecodeError" in restart.getMessage()
    assert len(running.logged("stopped on an unexpected error")) == 1
    running.expected_errors = 1  # that one line, with its traceback for a bug report
    assert len(fake.identifies) == 2
    assert "2004" in await ask_and_wait(fake, "when did amazon enter china?")
    running.assert_healthy()
