"""The event guard's pure parts, with plain function calls."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.discord.guard import EventGuard, interaction_problem, message_problem

MESSAGE = {"id": "1", "channel_id": "2", "author": {"id": "3"}, "content": "hi"}
INTERACTION = {"id": "1", "application_id": "2", "token": "t", "type": 2, "user": {"id": "3"}, "data": {"name": "ask"}}


def test_well_formed_events_pass_and_broken_ones_are_named() -> None:
    assert message_problem(MESSAGE) is None
    assert message_problem({**MESSAGE, "content": ""}) is None
    assert message_problem(None) == "d is NoneType, not an object"
    assert message_problem({**MESSAGE, "author": {"id": "x"}}) == "no valid 'author'"
    assert message_problem({**MESSAGE, "id": True}) == "no valid 'id'"
    assert interaction_problem(INTERACTION) is None
    member = {k: v for k, v in INTERACTION.items() if k != "user"} | {"member": {"user": {"id": "3"}}}
    assert interaction_problem(member) is None
    assert interaction_problem({k: v for k, v in INTERACTION.items() if k != "user"}) == "neither 'member.user' nor 'user'"
    assert interaction_problem({**INTERACTION, "data": {"name": "ask", "options": [1]}}) is not None
    assert interaction_problem({**INTERACTION, "type": 3, "data": {}}) == "a component without 'data.custom_id'"


def test_the_guard_skips_what_a_parser_cannot_take_and_logs_each_kind_of_fault_once(caplog: pytest.LogCaptureFixture) -> None:
    parsed: list[Any] = []

    def parse_typing_start(data: Any) -> None:
        parsed.append(data["user_id"])

    parsers = {"TYPING_START": parse_typing_start, "MESSAGE_CREATE": parsed.append}
    guard = EventGuard()
    guard.install(parsers)
    caplog.set_level(logging.DEBUG, logger="bot.discord.guard")
    parsers["TYPING_START"]({"user_id": 5})
    parsers["TYPING_START"]({})
    parsers["TYPING_START"]({})
    parsers["MESSAGE_CREATE"](None)
    parsers["MESSAGE_CREATE"](MESSAGE)
    assert parsed == [5, MESSAGE]
    assert guard.skipped == 3
    levels = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert levels == [
        (logging.WARNING, "Skipped a malformed TYPING_START event from the gateway (KeyError: 'user_id')"),
        (logging.DEBUG, "Skipped a malformed TYPING_START event from the gateway (KeyError: 'user_id')"),
        (logging.WARNING, "Skipped a malformed MESSAGE_CREATE event from the gateway (d is NoneType, not an object)"),
    ]
