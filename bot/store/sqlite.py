"""The SQLite back end: a file in BOT_STATE_DIR, in WAL mode, used from one thread of its own.

The standard sqlite3 module blocks, so every call runs on the store's own thread and the
event loop only awaits it. WAL lets readers (`python -m bot misses`) and a second bot
process work beside the writer; busy_timeout makes a writer wait for another's lock
instead of failing, and synchronous=FULL makes a committed vote survive a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.store import schema
from bot.store.base import (
    ALL_GUILDS,
    QUIZ_ROUND_MEMORY,
    MissRow,
    QuestionRecord,
    QuizRound,
    QuizScore,
    SchemaTooNew,
    Stats,
    StoreUnavailable,
    VoteRecord,
    build_stats,
    quiz_points,
)

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


class SQLiteStore:
    """The store in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")

    @property
    def name(self) -> str:
        """Where the store is, for logs."""
        return f"SQLite at {self.path}"

    # -- running on the store's thread ------------------------------------------------------

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._in_thread, work)

    def _in_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return work(self._connect())
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
                raise
            # Locked past the timeout, disk full, read-only, gone: drop the connection and open it again next time.
            self._disconnect()
            raise StoreUnavailable(f"{self.name}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE (the write lock at once).
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if connection.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise sqlite3.OperationalError("cannot switch the database to WAL mode")
            connection.execute("PRAGMA synchronous = FULL")
            _migrate(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- the interface ----------------------------------------------------------------------

    async def open(self) -> None:
        """Open the file (creating it and its directory), switch to WAL, create or migrate the schema."""
        await self._run(lambda connection: None)

    async def close(self) -> None:
        """Close the connection; a later call opens it again."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)

    async def add_questions(self, questions: Sequence[QuestionRecord]) -> None:
        """Store questions in one transaction; ids already stored are skipped."""
        rows = [
            (q.id, q.at, q.guild_id, q.channel_id, q.member, q.origin, q.question, q.kind, q.intent, q.confidence, q.reason)
            for q in questions
        ]

        def insert(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.executemany(schema.INSERT_QUESTION, rows)

        await self._run(insert)

    async def set_vote(self, vote: VoteRecord) -> int | None:
        """Store a vote (durable on return); returns the member's previous vote on that answer."""

        def upsert(connection: sqlite3.Connection) -> int | None:
            with _transaction(connection):
                row = connection.execute(schema.PREVIOUS_VOTE, (vote.question_id, vote.member)).fetchone()
                connection.execute(schema.UPSERT_VOTE, (vote.question_id, vote.member, vote.vote, vote.at, vote.guild_id))
            return int(row[0]) if row else None

        return await self._run(upsert)

    async def purge(self, before: float) -> int:
        """Delete questions and votes older than `before`."""

        def delete(connection: sqlite3.Connection) -> int:
            with _transaction(connection):
                gone = connection.execute(schema.PURGE_QUESTIONS, (before,)).rowcount
                gone += connection.execute(schema.PURGE_VOTES, (before,)).rowcount
            return gone

        return await self._run(delete)

    async def stats(self, since: float, guild_id: int = ALL_GUILDS, top: int = 10) -> Stats:
        """Totals since `since` for one guild, or all."""
        window = (since, guild_id, guild_id)

        def read(connection: sqlite3.Connection) -> Stats:
            with _transaction(connection, "BEGIN"):  # one snapshot for the four queries
                return build_stats(
                    connection.execute(schema.STATS_KINDS, window).fetchall(),
                    connection.execute(schema.STATS_MEMBERS, window).fetchone()[0],
                    connection.execute(schema.STATS_VOTES, window).fetchall(),
                    connection.execute(schema.STATS_INTENTS, (*window, top)).fetchall(),
                )

        return await self._run(read)

    async def misses(self, since: float, guild_id: int = ALL_GUILDS, limit: int = 20_000) -> list[MissRow]:
        """Declined, clarified and voted-down questions since `since`, newest first."""

        def read(connection: sqlite3.Connection) -> list[MissRow]:
            rows = connection.execute(schema.MISSES, (since, guild_id, guild_id, limit)).fetchall()
            return [MissRow(r[0], r[1], r[2], float(r[3]), int(r[4]), r[5]) for r in rows]

        return await self._run(read)

    async def add_quiz_round(self, quiz_round: QuizRound) -> bool:
        """Add a question's answers to the scores (durable on return); False if it was scored already."""
        rows = [
            (quiz_round.guild_id, member, name, points, answered, quiz_round.at)
            for member, name, points, answered in quiz_points(quiz_round)
        ]

        def add(connection: sqlite3.Connection) -> bool:
            with _transaction(connection):
                connection.execute(schema.FORGET_QUIZ_ROUNDS, (quiz_round.at - QUIZ_ROUND_MEMORY,))
                claimed = connection.execute(schema.CLAIM_QUIZ_ROUND, (quiz_round.quiz_id, quiz_round.question, quiz_round.at))
                if claimed.rowcount == 0:
                    return False
                connection.executemany(schema.ADD_QUIZ_SCORE, rows)
            return True

        return await self._run(add)

    async def quiz_leaderboard(self, guild_id: int, limit: int = 10) -> list[QuizScore]:
        """A server's best quiz scores, best first."""

        def read(connection: sqlite3.Connection) -> list[QuizScore]:
            rows = connection.execute(schema.QUIZ_LEADERBOARD, (guild_id, limit)).fetchall()
            return [QuizScore(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

        return await self._run(read)

    async def quiz_score(self, guild_id: int, member: str) -> tuple[int, QuizScore] | None:
        """A member's place and score in a server."""

        def read(connection: sqlite3.Connection) -> tuple[int, QuizScore] | None:
            with _transaction(connection, "BEGIN"):  # one snapshot for both queries
                row = connection.execute(schema.QUIZ_SCORE, (guild_id, member)).fetchone()
                if row is None:
                    return None
                score = QuizScore(row[0], row[1], int(row[2]), int(row[3]))
                ahead = connection.execute(schema.QUIZ_AHEAD, (guild_id, score.points, score.points, score.answered)).fetchone()
            return int(ahead[0]) + 1, score

        return await self._run(read)

    async def schema_version(self) -> int:
        """The schema version of the file."""
        return await self._run(lambda connection: int(connection.execute(schema.CURRENT_VERSION).fetchone()[0]))


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception (sqlite3's own context manager does not BEGIN)."""

    def __init__(self, connection: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> None:
        self.connection = connection
        self.begin = begin

    def __enter__(self) -> None:
        self.connection.execute(self.begin)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        elif self.connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # the error that got us here is the one to report
                self.connection.execute("ROLLBACK")


def _migrate(connection: sqlite3.Connection) -> None:
    """Create the schema, or bring it up to date, holding the write lock so one process does it."""
    with _transaction(connection):
        connection.execute(schema.CREATE_VERSION_TABLE)
        version = int(connection.execute(schema.CURRENT_VERSION).fetchone()[0])
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the question history is at schema version {version}, newer than this bot's {schema.SCHEMA_VERSION}: "
                "upgrade the bot"
            )
        for number in range(version + 1, schema.SCHEMA_VERSION + 1):
            for statement in schema.MIGRATIONS[number - 1]:
                connection.execute(statement)
            connection.execute(schema.RECORD_VERSION, (number, time.time()))
