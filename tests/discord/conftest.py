"""Fixtures for end-to-end tests: the stand-in server and the real bot running against it.

The real engine comes from the session-wide `engine` fixture in tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.discord.app import serve
from bot.engine import Engine
from tests.discord.discord_harness import Running, StartBot, make_settings
from tests.discord.discord_standin import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A running stand-in for Discord."""
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def start_bot(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[StartBot]:
    """start_bot(**settings) runs the real bot against the stand-in and waits for READY."""
    caplog.set_level(logging.INFO)
    started: list[Running] = []

    async def start(**overrides: Any) -> Running:
        settings = make_settings(fake, overrides.pop("state_dir", tmp_path / "state"), **overrides)
        task = asyncio.create_task(serve(settings, engine, guild_ready_timeout=0.01))
        running = Running(fake, task, settings, caplog)
        readies = len(running.logged("Ready as")) + 1
        connections = fake.connections + 1
        started.append(running)
        await fake.wait_until(lambda: task.done() or fake.connections >= connections, timeout=10)
        await fake.wait_ready(connections)
        await running.wait_logged("Ready as", readies)  # on_ready: the bot has taken in the guild
        return running

    yield start
    for running in started:
        running.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running.task


@pytest.fixture
async def bot(start_bot: StartBot) -> Running:
    """The bot with default test settings, connected and ready."""
    return await start_bot()
