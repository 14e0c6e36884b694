"""Files the running bot keeps in BOT_STATE_DIR: the last sync's digest, the process lock, the heartbeat.

None of them is precious. A file that is missing, unreadable or garbage is treated as absent, so a
broken state dir can cost a re-sync but never stops the bot. Pure Python, no discord import: the
`health` command reads the heartbeat without loading discord.py.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.errors import BotError
from bot.settings import Settings, application_id_from_token, whole_number

# The heartbeat is touched this often while the gateway is alive, and is stale after HEALTH_MAX_AGE.
HEARTBEAT_SECONDS = 30.0
HEALTH_MAX_AGE = 90.0
_DIGEST = re.compile(r"[0-9a-f]{64}")


class AlreadyRunning(BotError):
    """Another process already serves this bot's shards from the same state dir."""


def identity(settings: Settings) -> str:
    """What names this bot's files: the application id, or a digest of the token when it has none."""
    application_id = settings.application_id or application_id_from_token(settings.token)
    if application_id is not None:
        return str(application_id)
    token = settings.token or ""
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:16]


def shard_label(shard_ids: tuple[int, ...] | None) -> str:
    """How a process's shards appear in file names: 'all', or 'shards-0-1'."""
    return "all" if shard_ids is None else "shards-" + "-".join(map(str, sorted(shard_ids)))


def read_text(path: Path) -> str | None:
    """The file's text, or None when it is missing, unreadable or not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def read_digest(path: Path) -> str | None:
    """A sha256 hex digest kept in path, or None when the file holds anything else."""
    text = read_text(path)
    return text if text is not None and _DIGEST.fullmatch(text) else None


def write_text(path: Path, text: str) -> None:
    """Replace path's content in one step (a crash leaves the old file or the new, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def heartbeat_path(settings: Settings) -> Path:
    """The file the bot touches while its gateway is alive (one per process: per shard set)."""
    return settings.state_dir / f"alive-{identity(settings)}-{shard_label(settings.shard_ids)}"


def touch(path: Path) -> None:
    """Set path's modification time to now, creating it (and its directory) if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since path was last modified, or None when it does not exist."""
    try:
        modified = path.stat().st_mtime
    except OSError:
        return None
    return max(0.0, (time.time() if now is None else now) - modified)


@dataclass
class ProcessLock:
    """One process per bot, state dir and shard: flock(2) locks, released when the process ends.

    A process that runs every shard holds `<id>.lock` exclusively. A process that runs some shards
    (SHARD_IDS) holds it shared, so several of those can run side by side, and holds
    `<id>-shard-N.lock` exclusively for each of its shards. The kernel drops the locks when the
    process dies, even by kill -9, so a stale lock file never blocks a restart.
    """

    state_dir: Path
    bot_id: str
    shard_ids: tuple[int, ...] | None
    _held: ExitStack | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> ProcessLock:
        """The lock for the shards these settings run."""
        return cls(settings.state_dir, identity(settings), settings.shard_ids)

    def acquire(self) -> None:
        """Take every lock, or raise AlreadyRunning naming what is taken (and the holder's pid)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        stack = ExitStack()
        try:
            whole = self.state_dir / f"{self.bot_id}.lock"
            if self.shard_ids is None:
                # Held exclusively by a whole process or shared by shard processes: the pid in it may be stale.
                self._take(stack, whole, exclusive=True, taken="this bot", holder_known=False)
            else:
                self._take(stack, whole, exclusive=False, taken="every shard of this bot", holder_known=True)
                for shard in sorted(set(self.shard_ids)):
                    path = self.state_dir / f"{self.bot_id}-shard-{shard}.lock"
                    self._take(stack, path, exclusive=True, taken=f"shard {shard} of this bot", holder_known=True)
        except BaseException:
            stack.close()
            raise
        self._held = stack

    def release(self) -> None:
        """Let go of every lock."""
        if self._held is not None:
            self._held.close()
            self._held = None

    def __enter__(self) -> ProcessLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _take(self, stack: ExitStack, path: Path, *, exclusive: bool, taken: str, holder_known: bool) -> None:
        handle: IO[str] = stack.enter_context(path.open("a+", encoding="utf-8"))
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = whole_number(read_text(path) or "") if holder_known else None
            holder = f"Process {pid}" if pid else "Another process"
            raise AlreadyRunning(
                f"{holder} already runs {taken} (application {self.bot_id}) with the state dir {self.state_dir}; "
                "a second one would answer every question twice. Stop it first, or give each process its own SHARD_IDS."
            ) from None
        if exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
