"""The PostgreSQL server the tests use: the one TEST_DATABASE_URL names, which `.ci/run` and
`scripts/with-postgres.sh` (what `make test` runs pytest under) start on loopback.

Each test gets a schema of its own, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest

URL_VARIABLE = "TEST_DATABASE_URL"


def server_url() -> str:
    """TEST_DATABASE_URL; in CI its absence fails the test, elsewhere it skips it with a reason that says what to run."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    message = (
        f"{URL_VARIABLE} is not set, so there is no PostgreSQL server to test against: "
        "run the tests with `make test` (or `scripts/with-postgres.sh .venv/bin/python -m pytest ...`)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)  # CI must really run the PostgreSQL tests: a skip there would hide that they did not
    pytest.skip(message)


def with_search_path(url: str, schema: str) -> str:
    """The URL with `options=-c search_path=SCHEMA`, so everything the store creates goes into that schema."""
    parts = urlsplit(url)
    option = "options=" + quote(f"-c search_path={schema}", safe="")
    query = f"{parts.query}&{option}" if parts.query else option
    return urlunsplit(parts._replace(query=query))


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL whose tables land in a new, empty schema, dropped afterwards."""
    url = server_url()
    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')  # a name made here from hex digits, not input
    try:
        yield with_search_path(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
