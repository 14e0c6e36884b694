"""The store's contract, on SQLite and on a real PostgreSQL server alike."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import psycopg
import pytest

from bot.store import ALL_GUILDS, QuestionRecord, SchemaTooNew, Store, StoreUnavailable, VoteRecord
from bot.store.postgres import PostgresStore
from bot.store.privacy import clean_question
from bot.store.schema import SCHEMA_VERSION
from bot.store.sqlite import SQLiteStore
from tests.store.conftest import make_store
from tests.store.postgres_server import fresh_schema

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_700_000_000.0
GUILD = 500000000000000001
OTHER_GUILD = 500000000000000002


def asked(
    question_id: int,
    text: str = "when did amazon enter china?",
    *,
    kind: str = "answer",
    intent: str | None = "amazon_entry",
    at: float = NOW,
    guild: int | None = GUILD,
    member: str = "m1",
) -> QuestionRecord:
    return QuestionRecord(
        id=question_id,
        at=at,
        guild_id=guild,
        channel_id=600000000000000001,
        member=member,
        origin="channel",
        question=text,
        kind=kind,
        intent=intent,
        confidence=90 if kind == "answer" else 0,
        reason="test",
    )


def vote(question_id: int, value: int, *, member: str = "m2", at: float = NOW, guild: int | None = GUILD) -> VoteRecord:
    return VoteRecord(question_id, member, value, at, guild)


async def test_opening_creates_the_schema_at_the_current_version_and_reopening_keeps_the_rows(store_url: str) -> None:
    first = make_store(store_url)
    await first.open()
    assert await first.schema_version() == SCHEMA_VERSION
    await first.add_questions([asked(1)])
    await first.close()

    again = make_store(store_url)
    await again.open()
    assert await again.schema_version() == SCHEMA_VERSION
    assert (await again.stats(0)).questions == 1
    await again.close()


async def test_stats_count_kinds_askers_votes_and_top_intents_within_the_window_and_guild(store: Store) -> None:
    await store.add_questions(
        [
            asked(1, member="a"),
            asked(2, member="b"),
            asked(3, intent="pdd_revenue", member="a"),
            asked(4, "capital of france", kind="decline", intent=None, member="c"),
            asked(5, "amazon store", kind="clarify", intent=None, member="c"),
            asked(6, "hi", kind="chat", intent=None, member="d", guild=OTHER_GUILD),
            asked(7, "long ago", at=NOW - 10 * 86400, member="e"),
        ]
    )
    await store.set_vote(vote(1, 1, member="x"))
    await store.set_vote(vote(1, -1, member="y"))
    await store.set_vote(vote(3, -1, member="x"))
    await store.set_vote(vote(6, 1, member="x", guild=OTHER_GUILD))

    everywhere = await store.stats(NOW - 86400)
    assert everywhere.questions == 6
    assert dict(everywhere.kinds) == {"answer": 3, "decline": 1, "clarify": 1, "chat": 1}
    assert everywhere.members == 4
    assert (everywhere.votes_up, everywhere.votes_down) == (2, 2)
    assert everywhere.top_intents == (("amazon_entry", 2), ("pdd_revenue", 1))

    one_guild = await store.stats(NOW - 86400, GUILD, top=1)
    assert one_guild.questions == 5
    assert "chat" not in one_guild.kinds
    assert (one_guild.votes_up, one_guild.votes_down) == (1, 2)
    assert one_guild.top_intents == (("amazon_entry", 2),)

    assert (await store.stats(NOW - 30 * 86400)).questions == 7


async def test_a_question_stored_twice_under_one_id_is_kept_once(store: Store) -> None:
    await store.add_questions([asked(1), asked(2)])
    await store.add_questions([asked(2, "a replayed event"), asked(3)])
    assert (await store.stats(0)).questions == 3
    texts = {m.question for m in await store.misses(0)}
    assert "a replayed event" not in texts


async def test_a_second_vote_by_the_same_member_replaces_the_first_and_returns_it(store: Store) -> None:
    assert await store.set_vote(vote(1, 1)) is None
    assert await store.set_vote(vote(1, -1)) == 1
    assert await store.set_vote(vote(1, -1)) == -1
    assert await store.set_vote(vote(1, 1, member="someone else")) is None
    stats = await store.stats(0)
    assert (stats.votes_up, stats.votes_down) == (1, 1)


async def test_misses_are_declines_clarifications_and_down_voted_answers_newest_first(store: Store) -> None:
    await store.add_questions(
        [
            asked(1, "when did amazon enter china?", at=NOW - 50),
            asked(2, "when did amazon enter japan?", kind="decline", intent=None, at=NOW - 40),
            asked(3, "amazon store", kind="clarify", intent=None, at=NOW - 30),
            asked(4, "how big is pdd?", intent="pdd_size", at=NOW - 20),
            asked(5, "hello", kind="chat", intent=None, at=NOW - 10),
            asked(6, "when did amazon enter korea?", kind="decline", intent=None, guild=OTHER_GUILD, at=NOW),
        ]
    )
    await store.set_vote(vote(4, -1, member="x"))
    await store.set_vote(vote(4, -1, member="y"))
    await store.set_vote(vote(1, 1, member="x"))

    rows = await store.misses(0)
    assert [r.question for r in rows] == [
        "when did amazon enter korea?",
        "how big is pdd?",
        "amazon store",
        "when did amazon enter japan?",
    ]
    down = {r.question: r.down_votes for r in rows}
    assert down["how big is pdd?"] == 2
    assert down["amazon store"] == 0
    assert rows[1].kind == "answer"
    assert rows[1].intent == "pdd_size"
    assert [r.question for r in await store.misses(0, GUILD)] == [r.question for r in rows[1:]]
    assert len(await store.misses(0, ALL_GUILDS, limit=2)) == 2


async def test_purge_deletes_questions_and_votes_older_than_the_cut(store: Store) -> None:
    await store.add_questions([asked(1, at=NOW - 100 * 86400), asked(2, at=NOW)])
    await store.set_vote(vote(1, -1, at=NOW - 100 * 86400))
    await store.set_vote(vote(2, -1, at=NOW))
    assert await store.purge(NOW - 90 * 86400) == 2
    stats = await store.stats(0)
    assert stats.questions == 1
    assert stats.votes_down == 1
    assert await store.purge(NOW - 90 * 86400) == 0


@pytest.mark.parametrize(
    "text",
    [
        "nul \x00 inside",
        "lone surrogate \ud800 here",
        "emoji 👍🏽 and 中文 and RTL \u202e",
        "'; DROP TABLE questions; --",
        "x" * 4000,
    ],
)
async def test_any_text_is_stored_as_its_cleaned_form(store: Store, text: str) -> None:
    cleaned = clean_question(text)
    assert len(cleaned) <= 500
    await store.add_questions([asked(1, cleaned, kind="decline", intent=None)])
    (row,) = await store.misses(0)
    assert row.question == cleaned
    assert (await store.stats(0)).questions == 1


async def test_a_database_from_a_newer_bot_is_refused(store_url: str, store: Store) -> None:
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            connection.execute("INSERT INTO schema_version VALUES (?, 0)", (SCHEMA_VERSION + 1,))
    else:
        with psycopg.connect(store_url, autocommit=True) as connection:
            connection.execute("INSERT INTO schema_version VALUES (%s, 0)", (SCHEMA_VERSION + 1,))
    newer = make_store(store_url)
    with pytest.raises(SchemaTooNew, match="upgrade the bot"):
        await newer.open()


async def test_a_postgresql_server_that_is_not_there_is_unavailable_not_an_error(unused_tcp_port: int) -> None:
    gone = PostgresStore(f"postgresql://bot:secret-password@127.0.0.1:{unused_tcp_port}/bot")
    with pytest.raises(StoreUnavailable) as raised:
        await gone.add_questions([asked(1)])
    assert "secret-password" not in str(raised.value)
    assert f"127.0.0.1:{unused_tcp_port}/bot" in gone.name
    assert "secret" not in gone.name


async def test_a_dropped_postgresql_connection_fails_one_operation_and_the_next_reconnects() -> None:
    with fresh_schema() as url:
        store = PostgresStore(url)
        await store.add_questions([asked(1)])
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'article-bot' AND pid <> pg_backend_pid()"
            )
        with pytest.raises(StoreUnavailable):
            await store.add_questions([asked(2)])
        await store.add_questions([asked(3)])
        assert (await store.stats(0)).questions == 2
        await store.close()


async def test_a_sqlite_file_that_cannot_be_created_is_unavailable_until_it_can(tmp_path: Path) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state directory should be")
    store = SQLiteStore(blocked / "history.sqlite3")
    with pytest.raises(StoreUnavailable):
        await store.add_questions([asked(1)])
    blocked.unlink()
    await store.add_questions([asked(2)])
    assert (await store.stats(0)).questions == 1
    await store.close()


async def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "history.sqlite3")
    await store.open()
    await store.close()
    with sqlite3.connect(tmp_path / "history.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITERS = 2
ROUNDS = 40


async def test_two_processes_writing_one_store_at_once_lose_and_corrupt_nothing(store_url: str) -> None:
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.store.writer_process", store_url, str(number), str(ROUNDS), cwd=ROOT
        )
        for number in range(WRITERS)
    ]
    codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), 120)
    assert codes == [0] * WRITERS

    store = make_store(store_url)
    stats = await store.stats(0)
    # Each writer stores ROUNDS questions of its own in batches of 5, and every writer votes on every question
    # of writer 0: up first, then changes to down.
    assert stats.questions == WRITERS * ROUNDS
    assert stats.members == WRITERS
    assert (stats.votes_up, stats.votes_down) == (0, WRITERS * ROUNDS)
    await store.close()
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
