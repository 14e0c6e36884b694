"""Fixtures for end-to-end tests: the stand-in server and the real bot running against it.

The real engine comes from the session-wide `engine` fixture in tests/conftest.py.
"""

from __future__ import annotations

import asyncio
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
    """start_bot(**settings) runs the real bot against the stand-in and waits for READY.

    Options of serve() and of the bot (restart_delays, sync_retry_delays, delivery...) go in `options`.
    Every exception a task lost ("Task exception was never retrieved") is kept in running.unretrieved.
    """
    caplog.set_level(logging.INFO)
    started: list[Running] = []
    loop = asyncio.get_running_loop()
    lost: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: lost.append(context))

    async def start(options: dict[str, Any] | None = None, *, wait_sync: bool = True, **overrides: Any) -> Running:
        settings = make_settings(fake, overrides.pop("state_dir", tmp_path / "state"), **overrides)
        task = asyncio.create_task(serve(settings, engine, guild_ready_timeout=0.01, **(options or {})))
        running = Running(fake, task, settings, caplog, unretrieved=lost)
        readies = len(running.logged("Ready as")) + 1
        syncs = running.sync_outcomes() + 1
        connections = fake.connections + 1
        started.append(running)
        await fake.wait_until(lambda: task.done() or fake.connections >= connections, timeout=10)
        assert not task.done(), f"the bot stopped at start: {task}"
        await fake.wait_ready(connections)
        await running.wait_logged("Ready as", readies)  # on_ready: the bot has taken in the guild
        if wait_sync:  # the sync runs beside the gateway: wait until it has ended one way or another
            async with asyncio.timeout(5):
                while running.sync_outcomes() < syncs:
                    await asyncio.sleep(0.002)
        return running

    yield start
    for running in started:
        await running.stop()
    loop.set_exception_handler(previous)


@pytest.fixture
async def bot(start_bot: StartBot) -> Running:
    """The bot with default test settings, connected and ready."""
    return await start_bot()
