"""The question history and the quiz scores: one small async interface (base.Store), SQLite and PostgreSQL behind it.

PostgreSQL when DATABASE_URL is set, so several shard processes share one store; otherwise a
SQLite file in BOT_STATE_DIR, with no set-up. Both use the same versioned schema (schema.py),
created and migrated on start. The bot writes through recorder.Recorder, which never makes an
answer wait on the store.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.base import (
    ALL_GUILDS,
    MissRow,
    QuestionRecord,
    QuizAnswer,
    QuizRound,
    QuizScore,
    SchemaTooNew,
    Stats,
    Store,
    StoreUnavailable,
    VoteRecord,
)

SQLITE_FILE = "history.sqlite3"

__all__ = [
    "ALL_GUILDS",
    "SQLITE_FILE",
    "MissRow",
    "QuestionRecord",
    "QuizAnswer",
    "QuizRound",
    "QuizScore",
    "SchemaTooNew",
    "Stats",
    "Store",
    "StoreUnavailable",
    "VoteRecord",
    "open_store",
]


def open_store(database_url: str | None, state_dir: Path) -> Store:
    """The store for these settings (not yet connected): PostgreSQL at database_url, or SQLite in state_dir."""
    if database_url:
        from bot.store.postgres import PostgresStore  # psycopg is imported only when it is used

        return PostgresStore(database_url)
    from bot.store.sqlite import SQLiteStore

    return SQLiteStore(state_dir / SQLITE_FILE)
