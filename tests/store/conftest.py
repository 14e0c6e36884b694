"""The store under test: each test runs once on SQLite and once on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from tests.store.postgres_server import fresh_schema


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store lives: a SQLite file path, or a PostgreSQL URL with a schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "state" / "history.sqlite3")
        return
    with fresh_schema() as url:
        yield url


def make_store(where: str) -> Store:
    """A store for store_url's value."""
    if where.startswith("postgresql://"):
        return PostgresStore(where)
    return SQLiteStore(Path(where))


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """An opened store, closed afterwards."""
    opened = make_store(store_url)
    await opened.open()
    yield opened
    await opened.close()
