"""The PostgreSQL back end (psycopg 3, async), for DATABASE_URL=postgresql://...

Several bot processes on several machines can share one database. One connection
per process, used by one operation at a time; when the server goes away the
connection is dropped and the next operation connects again. Every operation has a
time limit, so a server that stops answering cannot hold a vote for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict

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
CONNECT_TIMEOUT = 5  # seconds, libpq's connect_timeout
OPERATION_TIMEOUT = 10.0  # seconds for any one operation, connecting included
# pg_advisory_xact_lock key for migrations: any constant, the same in every process ("qa-bot" in ASCII).
MIGRATION_LOCK = 0x71612D626F74


def _pg(sql: str) -> str:
    """A query of schema.py in psycopg's placeholder style (static text only: values stay parameters)."""
    return sql.replace("?", "%s")


INSERT_QUESTION = _pg(schema.INSERT_QUESTION)
PREVIOUS_VOTE = _pg(schema.PREVIOUS_VOTE) + " FOR UPDATE"
UPSERT_VOTE = _pg(schema.UPSERT_VOTE)
PURGE_QUESTIONS = _pg(schema.PURGE_QUESTIONS)
PURGE_VOTES = _pg(schema.PURGE_VOTES)
STATS_KINDS = _pg(schema.STATS_KINDS)
STATS_MEMBERS = _pg(schema.STATS_MEMBERS)
STATS_VOTES = _pg(schema.STATS_VOTES)
STATS_INTENTS = _pg(schema.STATS_INTENTS)
MISSES = _pg(schema.MISSES)
RECORD_VERSION = _pg(schema.RECORD_VERSION)
CLAIM_QUIZ_ROUND = _pg(schema.CLAIM_QUIZ_ROUND)
FORGET_QUIZ_ROUNDS = _pg(schema.FORGET_QUIZ_ROUNDS)
ADD_QUIZ_SCORE = _pg(schema.ADD_QUIZ_SCORE)
QUIZ_LEADERBOARD = _pg(schema.QUIZ_LEADERBOARD)
QUIZ_SCORE = _pg(schema.QUIZ_SCORE)
QUIZ_AHEAD = _pg(schema.QUIZ_AHEAD)

Connection = psycopg.AsyncConnection[tuple[Any, ...]]


def describe(url: str) -> str:
    """host:port/database of a connection URL, without user or password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "PostgreSQL (unparsable DATABASE_URL)"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or 5432
    return f"PostgreSQL at {host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"


class PostgresStore:
    """The store in a PostgreSQL database."""

    def __init__(self, url: str, *, operation_timeout: float = OPERATION_TIMEOUT) -> None:
        self._url = url
        self._timeout = operation_timeout
        self._connection: Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        """Where the store is, for logs: no user, no password."""
        return describe(self._url)

    async def _run(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        async with self._lock:
            try:
                async with asyncio.timeout(self._timeout):
                    return await work(await self._connect())
            except (psycopg.OperationalError, psycopg.InterfaceError, OSError, TimeoutError) as exc:
                await self._disconnect()
                reason = f"no answer within {self._timeout:g} s" if isinstance(exc, TimeoutError) else str(exc).strip()
                raise StoreUnavailable(f"{self.name}: {reason}") from exc
            except asyncio.CancelledError:
                # Cancelled mid-query (a caller's time limit, shutdown): the connection's state is unknown.
                await asyncio.shield(self._disconnect())
                raise

    async def _connect(self) -> Connection:
        if self._connection is not None and not self._connection.closed:
            return self._connection
        connection = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="article-bot"
        )
        try:
            await _migrate(connection)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        return connection

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error, OSError, TimeoutError):  # it is broken already: only let go of it
                await asyncio.wait_for(connection.close(), 2)

    # -- the interface ----------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, and create or migrate the schema."""

        async def nothing(connection: Connection) -> None:
            return None

        await self._run(nothing)

    async def close(self) -> None:
        """Close the connection; a later call connects again."""
        async with self._lock:
            await self._disconnect()

    async def add_questions(self, questions: Sequence[QuestionRecord]) -> None:
        """Store questions in one transaction; ids already stored are skipped."""
        rows = [
            (q.id, q.at, q.guild_id, q.channel_id, q.member, q.origin, q.question, q.kind, q.intent, q.confidence, q.reason)
            for q in questions
        ]

        async def insert(connection: Connection) -> None:
            async with connection.transaction(), connection.cursor() as cursor:
                await cursor.executemany(INSERT_QUESTION, rows)

        await self._run(insert)

    async def set_vote(self, vote: VoteRecord) -> int | None:
        """Store a vote (committed on return); returns the member's previous vote on that answer."""

        async def upsert(connection: Connection) -> int | None:
            async with connection.transaction():
                cursor = await connection.execute(PREVIOUS_VOTE, (vote.question_id, vote.member))
                row = await cursor.fetchone()
                await connection.execute(UPSERT_VOTE, (vote.question_id, vote.member, vote.vote, vote.at, vote.guild_id))
            return int(row[0]) if row else None

        return await self._run(upsert)

    async def purge(self, before: float) -> int:
        """Delete questions and votes older than `before`."""

        async def delete(connection: Connection) -> int:
            async with connection.transaction():
                questions = await connection.execute(PURGE_QUESTIONS, (before,))
                votes = await connection.execute(PURGE_VOTES, (before,))
            return max(questions.rowcount, 0) + max(votes.rowcount, 0)

        return await self._run(delete)

    async def stats(self, since: float, guild_id: int = ALL_GUILDS, top: int = 10) -> Stats:
        """Totals since `since` for one guild, or all."""
        window = (since, guild_id, guild_id)

        async def read(connection: Connection) -> Stats:
            # One snapshot for the four queries.
            async with connection.transaction():
                await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                kinds = await (await connection.execute(STATS_KINDS, window)).fetchall()
                members = await (await connection.execute(STATS_MEMBERS, window)).fetchone()
                votes = await (await connection.execute(STATS_VOTES, window)).fetchall()
                intents = await (await connection.execute(STATS_INTENTS, (*window, top))).fetchall()
            return build_stats(kinds, members[0] if members else 0, votes, intents)

        return await self._run(read)

    async def misses(self, since: float, guild_id: int = ALL_GUILDS, limit: int = 20_000) -> list[MissRow]:
        """Declined, clarified and voted-down questions since `since`, newest first."""

        async def read(connection: Connection) -> list[MissRow]:
            rows = await (await connection.execute(MISSES, (since, guild_id, guild_id, limit))).fetchall()
            return [MissRow(r[0], r[1], r[2], float(r[3]), int(r[4]), r[5]) for r in rows]

        return await self._run(read)

    async def add_quiz_round(self, quiz_round: QuizRound) -> bool:
        """Add a question's answers to the scores (committed on return); False if it was scored already."""
        rows = [
            (quiz_round.guild_id, member, name, points, answered, quiz_round.at)
            for member, name, points, answered in quiz_points(quiz_round)
        ]

        async def add(connection: Connection) -> bool:
            async with connection.transaction():
                await connection.execute(FORGET_QUIZ_ROUNDS, (quiz_round.at - QUIZ_ROUND_MEMORY,))
                claimed = await connection.execute(CLAIM_QUIZ_ROUND, (quiz_round.quiz_id, quiz_round.question, quiz_round.at))
                if claimed.rowcount == 0:
                    return False
                async with connection.cursor() as cursor:
                    await cursor.executemany(ADD_QUIZ_SCORE, rows)
            return True

        return await self._run(add)

    async def quiz_leaderboard(self, guild_id: int, limit: int = 10) -> list[QuizScore]:
        """A server's best quiz scores, best first."""

        async def read(connection: Connection) -> list[QuizScore]:
            rows = await (await connection.execute(QUIZ_LEADERBOARD, (guild_id, limit))).fetchall()
            return [QuizScore(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

        return await self._run(read)

    async def quiz_score(self, guild_id: int, member: str) -> tuple[int, QuizScore] | None:
        """A member's place and score in a server."""

        async def read(connection: Connection) -> tuple[int, QuizScore] | None:
            async with connection.transaction():
                await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                row = await (await connection.execute(QUIZ_SCORE, (guild_id, member))).fetchone()
                if row is None:
                    return None
                score = QuizScore(row[0], row[1], int(row[2]), int(row[3]))
                ahead = await (
                    await connection.execute(QUIZ_AHEAD, (guild_id, score.points, score.points, score.answered))
                ).fetchone()
            return (int(ahead[0]) if ahead else 0) + 1, score

        return await self._run(read)

    async def schema_version(self) -> int:
        """The schema version of the database."""

        async def read(connection: Connection) -> int:
            row = await (await connection.execute(schema.CURRENT_VERSION)).fetchone()
            return int(row[0]) if row else 0

        return await self._run(read)


async def _migrate(connection: Connection) -> None:
    """Create the schema, or bring it up to date, under an advisory lock so one process does it."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await connection.execute(schema.CREATE_VERSION_TABLE)
        row = await (await connection.execute(schema.CURRENT_VERSION)).fetchone()
        version = int(row[0]) if row else 0
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the question history is at schema version {version}, newer than this bot's {schema.SCHEMA_VERSION}: "
                "upgrade the bot"
            )
        for number in range(version + 1, schema.SCHEMA_VERSION + 1):
            for statement in schema.MIGRATIONS[number - 1]:
                await connection.execute(statement)
            await connection.execute(RECORD_VERSION, (number, time.time()))
