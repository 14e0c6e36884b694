"""Starting and stopping, end to end: the state dir, the process lock, fatal close codes, intents, restarts, health."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import discord
import pytest

from bot import state
from bot.discord.app import serve
from bot.engine import Engine
from bot.store import SQLITE_FILE
from bot.store.privacy import SALT_FILE
from tests.discord.discord_harness import Running, StartBot, make_settings
from tests.discord.discord_standin import APP_ID, GUILD_ID, TOKEN, FakeDiscord

# guilds, guild messages, direct messages, message content: nothing else.
INTENTS = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15)


async def poll(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until condition() holds, looking every few milliseconds (for what the stand-in does not see)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def answered(fake: FakeDiscord, question: str) -> str:
    since = fake.mark()
    await fake.send_message(question)
    return (await fake.wait_for("message", since=since)).text


async def test_the_bot_asks_only_for_the_gateway_intents_it_uses(bot: Running) -> None:
    assert bot.fake.identifies[0]["intents"] == INTENTS
    bot.assert_healthy()


@pytest.mark.parametrize("garbage", [os.urandom(256), b"\xff\xfe\xfd", b"0" * 64, b""])
async def test_garbage_in_the_state_dir_is_treated_as_absent(start_bot: StartBot, tmp_path: Path, garbage: bytes) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    digest = state_dir / f"commands-{APP_ID}-guild-{GUILD_ID}.sha256"
    others = (state_dir / f"{APP_ID}.lock", state_dir / f"alive-{APP_ID}-all", state_dir / SALT_FILE, state_dir / SQLITE_FILE)
    for path in (digest, *others):
        path.write_bytes(garbage)
    running = await start_bot()
    assert len(running.fake.made("sync")) == 1  # the digest was garbage: synced
    assert state.read_digest(digest) is not None  # and a real one kept
    assert "2004" in await answered(running.fake, "when did amazon enter china?")
    running.assert_healthy()


async def test_a_state_dir_where_files_cannot_be_written_costs_a_warning_not_the_service(
    start_bot: StartBot, tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    (state_dir / f"commands-{APP_ID}-guild-{GUILD_ID}.sha256").mkdir(parents=True)  # a directory where the digest goes
    running = await start_bot()
    assert running.logged("Cannot keep the command hash")
    assert "2004" in await answered(running.fake, "when did amazon enter china?")
    running.assert_healthy()


async def test_a_second_process_for_the_same_bot_and_state_dir_is_refused_with_a_clear_message(
    bot: Running, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.wait_for(serve(bot.settings, engine), 10) == 1
    err = capsys.readouterr().err
    assert f"already runs this bot (application {APP_ID}) with the state dir {bot.settings.state_dir}" in err
    assert "would answer every question twice" in err
    assert len(bot.fake.identifies) == 1  # the second one never connected
    bot.assert_healthy()


async def test_shard_processes_with_their_own_shards_run_side_by_side(start_bot: StartBot) -> None:
    first = await start_bot(shard_count=2, shard_ids=(0,))
    second = await start_bot(shard_count=2, shard_ids=(1,))
    assert [i["shard"] for i in first.fake.identifies] == [[0, 2], [1, 2]]
    assert not first.task.done() and not second.task.done()
    assert len(first.fake.made("sync")) == 1  # shard 0 syncs; shard 1 leaves it to that process
    assert second.logged("Shard 0 runs in another process; that process syncs the slash commands")


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (4004, ["Discord rejected DISCORD_TOKEN (gateway close code 4004, authentication failed)", "Reset Token"]),
        (4011, ["Discord requires sharding (gateway close code 4011)", "SHARD_COUNT=auto", "SHARD_COUNT=N"]),
        (4010, ["Discord refused the shard (gateway close code 4010)", "SHARD_IDS"]),
        (4013, ["close code 4013"]),
    ],
)
async def test_fatal_close_codes_end_with_a_clear_message_and_exit_1(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, says: list[str]
) -> None:
    fake.close_on_identify = code
    settings = make_settings(fake, tmp_path / "state")
    assert await asyncio.wait_for(serve(settings, engine), 20) == 1
    err = capsys.readouterr().err
    for text in says:
        assert text in err
    assert "Traceback" not in err
    assert TOKEN not in err
    assert len(fake.identifies) == 1  # no reconnect loop against a refusal


async def test_shard_count_auto_takes_the_count_discord_recommends(start_bot: StartBot) -> None:
    running = await start_bot(shard_count="auto")
    assert running.fake.identifies[0]["shard"] == [0, 1]  # the stand-in's /gateway/bot recommends 1
    assert any(r.path == "/gateway/bot" for r in running.fake.requests)
    assert "2004" in await answered(running.fake, "when did amazon enter china?")
    running.assert_healthy()


async def test_an_unexpected_library_error_is_restarted_then_ends_with_one_line(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def breaks(self: discord.Client, *, reconnect: bool = True) -> None:
        raise RuntimeError("something inside discord.py broke")

    monkeypatch.setattr(discord.Client, "connect", breaks)
    settings = make_settings(fake, tmp_path / "state")
    result = await asyncio.wait_for(serve(settings, engine, restart_delays=(0.01,), max_restarts=2), 20)
    assert result == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "The bot stopped: RuntimeError: something inside discord.py broke. It was restarted 2 times in a row "
        "without getting back to work; see the log above."
    ]


async def test_the_heartbeat_is_touched_while_the_gateway_is_alive_and_not_after(start_bot: StartBot) -> None:
    running = await start_bot({"heartbeat_seconds": 0.02})
    heartbeat = state.heartbeat_path(running.settings)
    await poll(heartbeat.exists)
    first = heartbeat.stat().st_mtime_ns
    await poll(lambda: heartbeat.stat().st_mtime_ns > first)  # touched again and again
    running.assert_healthy()
    await running.stop()
    stopped = heartbeat.stat().st_mtime_ns
    await asyncio.sleep(0.1)
    assert heartbeat.stat().st_mtime_ns == stopped
