"""The end-to-end harness: the running bot's handle, settings for the stand-in, and assertions."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot import render
from bot.settings import Settings
from tests.discord.discord_standin import GUILD_ID, LISTED_CHANNEL, TOKEN, FakeDiscord, Request

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Running:
    """The bot, running for real against the stand-in."""

    fake: FakeDiscord
    task: asyncio.Task[int]
    settings: Settings
    caplog: pytest.LogCaptureFixture
    expected_errors: int = 0
    unretrieved: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    async def stop(self) -> None:
        """Cancel the bot and wait until it has closed (and let go of its lock)."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    def errors(self) -> list[logging.LogRecord]:
        """Every ERROR (or worse) logged so far."""
        return [r for r in self.caplog.records if r.levelno >= logging.ERROR]

    def sync_outcomes(self) -> int:
        """How many sync attempts have ended so far (synced, skipped, failed, or left to another process)."""
        return sum(len(self.logged(text)) for text in SYNC_OUTCOMES)

    def logged(self, text: str) -> list[logging.LogRecord]:
        """Log records whose message contains text."""
        return [r for r in self.caplog.records if text in r.getMessage()]

    async def wait_logged(self, text: str, count: int = 1, timeout: float = 5.0) -> logging.LogRecord:
        """Wait until count log records contain text (polled every few milliseconds)."""
        async with asyncio.timeout(timeout):
            while len(found := self.logged(text)) < count:
                if self.task.done():
                    raise AssertionError(f"the bot stopped before logging {text!r}: {self.task}")
                await asyncio.sleep(0.002)
        return found[-1]

    def assert_healthy(self) -> None:
        """The bot task is alive, nothing unexpected was logged or requested, no task exception was lost."""
        gc.collect()  # a task that died with nobody awaiting it reports so when it is collected
        assert not self.task.done(), f"the bot stopped: {self.task}"
        errors = self.errors()
        assert len(errors) == self.expected_errors, [r.getMessage() for r in errors]
        assert not self.fake.unexpected, self.fake.unexpected
        assert not self.unretrieved, [c.get("message") for c in self.unretrieved]


def make_settings(fake: FakeDiscord, state_dir: Path, **overrides: Any) -> Settings:
    """Settings that point the bot at the stand-in."""
    values: dict[str, Any] = {
        "token": TOKEN,
        "channels": frozenset({LISTED_CHANNEL}),
        "guild_id": GUILD_ID,
        "state_dir": state_dir,
        "cooldown_rate": 5,
        "cooldown_seconds": 30.0,
        "api_base": fake.api_base,
        "gateway_url": fake.gateway_url,
    }
    values.update(overrides)
    return Settings(**values)


StartBot = Callable[..., Awaitable[Running]]

# What the bot logs when a command sync ends, one way or another.
SYNC_OUTCOMES = ("Synced ", "not syncing", "Slash command sync failed", "that process syncs the slash commands")


NO_PINGS = {"parse": [], "replied_user": False}


def assert_within_limits(request: Request) -> None:
    """Every Discord limit holds for what the bot sent."""
    message = request.message
    assert len(message.get("content") or "") <= render.CONTENT_LIMIT
    embeds = request.embeds
    assert len(embeds) <= render.EMBEDS_PER_MESSAGE
    assert sum(render.embed_length(e) for e in embeds) <= render.EMBED_TOTAL_LIMIT
    for embed in embeds:
        assert len(embed.get("title", "")) <= render.EMBED_TITLE_LIMIT
        assert len(embed.get("description", "")) <= render.EMBED_DESCRIPTION_LIMIT
        assert len(embed.get("fields", [])) <= render.EMBED_FIELD_COUNT_LIMIT
        for field in embed.get("fields", []):
            assert len(field["name"]) <= render.EMBED_FIELD_NAME_LIMIT
            assert len(field["value"]) <= render.EMBED_FIELD_VALUE_LIMIT
    assert len(request.files) == len(request.attachments)
    for upload in request.files:
        assert 0 < len(upload.data) <= render.UPLOAD_LIMIT
    for attachment in request.attachments:
        assert len(attachment.get("description") or "") <= render.ATTACHMENT_DESCRIPTION_LIMIT
    rows = message.get("components") or []
    assert len(rows) <= render.ROWS_PER_MESSAGE
    for row in rows:
        assert len(row["components"]) <= render.BUTTONS_PER_ROW
        for button in row["components"]:
            assert button.get("label") or button.get("emoji"), button
            assert len(button.get("label", "")) <= render.BUTTON_LABEL_LIMIT
            assert len(button["custom_id"]) <= render.CUSTOM_ID_LIMIT


def assert_pings_nobody(request: Request) -> None:
    """No @everyone/@here, no users, no roles, and no ping for the author of a replied-to message."""
    mentions = request.message["allowed_mentions"]
    assert mentions["parse"] == []
    assert not mentions.get("users")
    assert not mentions.get("roles")
    assert not mentions.get("replied_user")
    if "message_reference" in request.message:
        assert mentions == NO_PINGS


def quoted(request: Request) -> list[tuple[int, str]]:
    """(paragraph, quote) for every quote in the embeds' citation fields."""
    found = []
    for embed in request.embeds:
        for field in embed.get("fields", []):
            if field["name"] == "Title" or field["name"].startswith("Paragraph "):
                paragraph = 0 if field["name"] == "Title" else int(field["name"].split()[1])
                found += [(paragraph, block.removeprefix("> ")) for block in field["value"].split("\n\n")]
    return found


async def python_m_bot(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` in the checkout, with env instead of any bot setting of the test's own environment."""
    ours = ("DISCORD_", "BOT_", "SHARD_", "LOG_LEVEL", "DATABASE_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def env_for(fake: FakeDiscord, tmp_path: Path, token: str = TOKEN) -> dict[str, str]:
    """The environment that points `python -m bot run` at the stand-in, with its state in tmp_path."""
    return {
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DISCORD_GUILD_ID": str(GUILD_ID),
        "BOT_CHANNELS": "600000000000000001",
        "BOT_STATE_DIR": str(tmp_path / "state"),
        "LOG_LEVEL": "DEBUG",
    }


class BotProcess:
    """`python -m bot run` in a process of its own, its log read as it comes (so the pipe never fills)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str]) -> BotProcess:
        """Start the bot with this environment."""
        return cls(await python_m_bot("run", env=env))

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode("utf-8", "replace"))

    def logged(self, text: str) -> list[str]:
        """Log lines that contain text."""
        return [line for line in self.lines if text in line]

    async def wait_logged(self, text: str, count: int = 1, timeout: float = 20.0) -> str:
        """Wait until count log lines contain text."""
        async with asyncio.timeout(timeout):
            while len(found := self.logged(text)) < count:
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot ended ({self.process.returncode}) before logging {text!r}:\n{self.log}")
                await asyncio.sleep(0.01)
        return found[-1]

    @property
    def log(self) -> str:
        """Everything logged so far."""
        return "".join(self.lines)

    async def end(self, signal_number: int) -> int:
        """Send a signal and wait for the process to end; returns its exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal_number)
        code = await asyncio.wait_for(self.process.wait(), 20)
        await asyncio.wait_for(self._reader, 5)
        return code
