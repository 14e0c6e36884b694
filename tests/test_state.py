"""The state dir: garbage is treated as absent, writes are whole, one process per bot and shard."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import state
from bot.settings import Settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.x.y"
DIGEST = "ab" * 32


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00garbage", os.urandom(64), b"", b"not a digest\n", b"AB" * 32, b"ab" * 31, ("ab" * 32 + "\n0").encode()],
)
def test_a_digest_file_holding_anything_but_a_digest_reads_as_absent(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "commands.sha256"
    path.write_bytes(content)
    assert state.read_digest(path) is None


def test_a_digest_reads_back_and_a_missing_or_unreadable_file_is_absent(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "commands.sha256"
    assert state.read_digest(path) is None
    state.write_text(path, DIGEST + "\n")
    assert state.read_digest(path) == DIGEST
    assert state.read_digest(tmp_path) is None  # a directory where the file should be
    assert [p.name for p in path.parent.iterdir()] == ["commands.sha256"]  # no temporary file left behind


def test_files_are_named_by_application_and_shards_never_by_the_token(tmp_path: Path) -> None:
    settings = Settings(token=TOKEN, state_dir=tmp_path)
    assert state.identity(settings) == "123456789012345678"
    assert state.heartbeat_path(settings).name == "alive-123456789012345678-all"
    sharded = Settings(token=TOKEN, state_dir=tmp_path, shard_count=4, shard_ids=(2, 0))
    assert state.heartbeat_path(sharded).name == "alive-123456789012345678-shards-0-2"
    odd = Settings(token="no-application-id-here", state_dir=tmp_path)
    assert state.identity(odd).startswith("token-")
    assert "no-application" not in state.identity(odd)


def test_the_heartbeats_age_is_read_from_its_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "alive"
    assert state.age(path) is None
    state.touch(path)
    now = time.time()
    os.utime(path, (now - 42, now - 42))
    age = state.age(path, now)
    assert age is not None and abs(age - 42) < 1


def lock(tmp_path: Path, shard_ids: tuple[int, ...] | None = None) -> state.ProcessLock:
    return state.ProcessLock(tmp_path, "123", shard_ids)


def test_a_second_lock_on_the_same_bot_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    with lock(tmp_path), pytest.raises(state.AlreadyRunning) as refused:
        lock(tmp_path).acquire()
    assert "already runs this bot (application 123)" in str(refused.value)
    assert str(tmp_path) in str(refused.value)
    with lock(tmp_path, (1,)), pytest.raises(state.AlreadyRunning) as refused:
        lock(tmp_path, (1, 2)).acquire()
    assert str(refused.value).startswith(f"Process {os.getpid()} already runs shard 1 of this bot")
    lock(tmp_path).acquire()  # every lock was let go


def test_processes_with_different_shards_run_side_by_side_but_not_beside_one_that_runs_them_all(tmp_path: Path) -> None:
    with lock(tmp_path, (0, 1)), lock(tmp_path, (2, 3)), pytest.raises(state.AlreadyRunning, match="already runs this bot"):
        lock(tmp_path).acquire()
    with lock(tmp_path), pytest.raises(state.AlreadyRunning, match="every shard of this bot"):
        lock(tmp_path, (0,)).acquire()


def test_a_lock_left_by_a_killed_process_does_not_block_the_next_one(tmp_path: Path) -> None:
    code = (
        "import os, sys, time; from pathlib import Path; from bot.state import ProcessLock;"
        f"held = ProcessLock(Path({str(tmp_path)!r}), '123', None); held.acquire(); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=Path(__file__).parents[1])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        with pytest.raises(state.AlreadyRunning, match="Another process already runs this bot"):
            lock(tmp_path).acquire()
    finally:
        holder.kill()  # like kill -9: no clean-up runs
        holder.wait()
    with lock(tmp_path):
        pass
