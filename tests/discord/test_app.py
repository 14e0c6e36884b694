"""The app's pure parts, with plain function calls."""

from __future__ import annotations

import io
import logging

import discord
import pytest
from discord.utils import _ColourFormatter

from bot.discord.app import PLAIN_FORMAT, gateway_intents, log_formatter, setup_logging
from bot.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bot_asks_only_for_the_intents_it_uses() -> None:
    intents = gateway_intents(message_content=True)
    wanted = {"guilds", "guild_messages", "dm_messages", "message_content"}
    assert {name for name, on in intents if on} == wanted
    assert intents.value == (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15)
    assert {name for name, on in gateway_intents(message_content=False) if on} == wanted - {"message_content"}


def test_logs_are_plain_unless_written_to_a_terminal_that_wants_colour() -> None:
    assert log_formatter(Settings(), io.StringIO()) is PLAIN_FORMAT  # a pipe, a file, `docker logs`
    assert log_formatter(Settings(colour=False), Terminal()) is PLAIN_FORMAT  # NO_COLOR
    assert log_formatter(Settings(), Terminal()) is None  # discord.py's colour formatter


def test_inside_docker_the_log_has_no_colour_codes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(discord.utils, "is_docker", lambda: True)  # discord.py would colour every line here
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        setup_logging(Settings(log_level=logging.INFO))
        logging.getLogger("bot.test").warning("hello from a container")
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "[WARNING ] bot.test: hello from a container" in err
    assert "\x1b[" not in err
    record = logging.LogRecord("bot", logging.WARNING, __file__, 1, "hello", (), None)
    colour: logging.Formatter = _ColourFormatter()  # discord.py's, untyped
    assert "\x1b[" in colour.format(record)  # what the test would see without the plain formatter
