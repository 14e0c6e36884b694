"""Quiz scores in the store, on SQLite and on a real PostgreSQL server alike, and the bot's score keeper."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from bot.settings import Settings
from bot.store import QuizAnswer, QuizRound, QuizScore, Store
from bot.store.privacy import member_hash
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION
from bot.store.scores import ScoreKeeper, scores_for
from bot.store.sqlite import SQLiteStore
from tests.store.conftest import make_store
from tests.store.postgres_server import fresh_schema
from tests.store.tcp_proxy import Proxy
from tests.store.test_store import asked

NOW = 1_700_000_000.0
GUILD = 500000000000000001
OTHER_GUILD = 500000000000000002
SALT = b"1" * 64


def answered(*answers: tuple[str, str, bool]) -> tuple[QuizAnswer, ...]:
    return tuple(QuizAnswer(member, name, right) for member, name, right in answers)


def round_of(quiz: int, question: int, *answers: tuple[str, str, bool], guild: int = GUILD, at: float = NOW) -> QuizRound:
    return QuizRound(guild, quiz, question, at, answered(*answers))


async def test_rounds_add_points_and_answers_per_member_and_the_leaderboard_ranks_them(store: Store) -> None:
    assert await store.add_quiz_round(round_of(1, 1, ("a", "Ann", True), ("b", "Ben", True), ("c", "Cat", False)))
    assert await store.add_quiz_round(round_of(1, 2, ("a", "Ann", True), ("b", "Ben", False)))
    assert await store.add_quiz_round(round_of(1, 3, ("a", "Ann", False), ("c", "Cat", True), ("d", "Dan", True)))
    board = await store.quiz_leaderboard(GUILD)
    # Ann 2 of 3; Dan 1 of 1 ahead of Ben and Cat, 1 of 2 each (fewer answered breaks a tie, then the member).
    assert board == [
        QuizScore("a", "Ann", 2, 3),
        QuizScore("d", "Dan", 1, 1),
        QuizScore("b", "Ben", 1, 2),
        QuizScore("c", "Cat", 1, 2),
    ]
    assert await store.quiz_leaderboard(GUILD, limit=2) == board[:2]


async def test_a_round_stored_twice_counts_once(store: Store) -> None:
    first = round_of(7, 1, ("a", "Ann", True))
    assert await store.add_quiz_round(first)
    assert not await store.add_quiz_round(first)  # a retry after a timeout whose write had gone through
    assert await store.add_quiz_round(round_of(7, 2, ("a", "Ann", True)))
    assert await store.add_quiz_round(round_of(8, 1, ("a", "Ann", True)))  # another quiz's first question
    assert await store.quiz_leaderboard(GUILD) == [QuizScore("a", "Ann", 3, 3)]


async def test_scores_are_per_server_and_keep_the_latest_name(store: Store) -> None:
    await store.add_quiz_round(round_of(1, 1, ("a", "Ann", True)))
    await store.add_quiz_round(round_of(2, 1, ("a", "Annie", False), guild=OTHER_GUILD))
    await store.add_quiz_round(round_of(3, 1, ("a", "Ann the Great", True)))
    assert await store.quiz_leaderboard(GUILD) == [QuizScore("a", "Ann the Great", 2, 2)]
    assert await store.quiz_leaderboard(OTHER_GUILD) == [QuizScore("a", "Annie", 0, 1)]
    assert await store.quiz_leaderboard(500000000000000003) == []


async def test_a_members_place_counts_those_ahead_and_ties_share_it(store: Store) -> None:
    await store.add_quiz_round(round_of(1, 1, ("a", "Ann", True), ("b", "Ben", True), ("c", "Cat", True), ("d", "Dan", False)))
    await store.add_quiz_round(round_of(1, 2, ("a", "Ann", True), ("b", "Ben", False), ("c", "Cat", False)))
    assert await store.quiz_score(GUILD, "a") == (1, QuizScore("a", "Ann", 2, 2))
    assert await store.quiz_score(GUILD, "b") == (2, QuizScore("b", "Ben", 1, 2))
    assert await store.quiz_score(GUILD, "c") == (2, QuizScore("c", "Cat", 1, 2))
    assert await store.quiz_score(GUILD, "d") == (4, QuizScore("d", "Dan", 0, 1))
    assert await store.quiz_score(GUILD, "nobody") is None
    assert await store.quiz_score(OTHER_GUILD, "a") is None


async def test_scores_are_not_history_and_outlive_its_purge(store: Store) -> None:
    await store.add_quiz_round(round_of(1, 1, ("a", "Ann", True), at=NOW - 400 * 86400))
    await store.purge(NOW)
    assert await store.quiz_leaderboard(GUILD) == [QuizScore("a", "Ann", 1, 1)]


def create_version_1(store_url: str) -> None:
    """A database as the bot before the quiz left it: schema version 1, with a question in it."""
    statements = [*MIGRATIONS[0], "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"]
    insert = "INSERT INTO questions VALUES (1, 0, NULL, 2, 'm', 'dm', 'when?', 'answer', 'x', 90, 'r')"
    if store_url.startswith("postgresql://"):
        with psycopg.connect(store_url, autocommit=True) as connection:
            for statement in [*statements, insert, "INSERT INTO schema_version VALUES (1, 0)"]:
                connection.execute(statement)  # fixed text from schema.py and this test: no input in it
        return
    Path(store_url).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(store_url) as connection:
        for statement in [*statements, insert, "INSERT INTO schema_version VALUES (1, 0)"]:
            connection.execute(statement)


async def test_a_version_1_database_is_migrated_keeping_its_history(store_url: str) -> None:
    create_version_1(store_url)
    store = make_store(store_url)
    await store.open()
    assert SCHEMA_VERSION == 2
    assert await store.schema_version() == 2
    assert (await store.stats(0)).questions == 1
    assert await store.add_quiz_round(round_of(1, 1, ("a", "Ann", True)))
    assert await store.quiz_leaderboard(GUILD) == [QuizScore("a", "Ann", 1, 1)]
    await store.close()


# -- the score keeper --------------------------------------------------------------------------


async def test_the_keeper_stores_members_as_salted_hashes_with_their_names(store_url: str) -> None:
    keeper = ScoreKeeper(make_store(store_url), SALT)
    assert await keeper.add(GUILD, 9, 1, [(101, "Ann", True), (102, "Ben", False)])
    board = await keeper.leaderboard(GUILD, member_id=102)
    assert [(place, s.name, s.points, s.answered) for place, s in board.top] == [(1, "Ann", 1, 1), (2, "Ben", 0, 1)]
    assert board.top[0][1].member == member_hash(SALT, 101)
    assert board.you is None  # Ben is on the board already
    outside = await keeper.leaderboard(GUILD, member_id=102, limit=1)
    assert outside.you == (2, QuizScore(member_hash(SALT, 102), "Ben", 0, 1))
    await keeper.close()


async def test_scores_wait_while_postgresql_is_away_and_are_stored_once_when_it_is_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with fresh_schema() as url:
        parts = urlsplit(url)
        proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        through_proxy = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
        keeper = ScoreKeeper(make_store(through_proxy), SALT, write_timeout=2.0)
        assert await keeper.add(GUILD, 1, 1, [(101, "Ann", True)])
        await proxy.cut()
        assert not await keeper.add(GUILD, 1, 2, [(101, "Ann", True)])
        assert not await keeper.add(GUILD, 1, 3, [(101, "Ann", False), (102, "Ben", True)])
        assert keeper.pending == 2
        assert len([r for r in caplog.records if "Quiz scores unavailable" in r.getMessage()]) == 1
        await proxy.restore()
        board = await keeper.leaderboard(GUILD, 101)  # stores what waited first
        assert keeper.pending == 0
        assert [(s.name, s.points, s.answered) for _, s in board.top] == [("Ann", 2, 3), ("Ben", 1, 1)]
        assert any("Quiz scores reachable again" in r.getMessage() for r in caplog.records)
        await keeper.close()
        await proxy.cut()


async def test_a_keeper_without_a_store_keeps_nothing_and_says_so() -> None:
    keeper = ScoreKeeper(None)
    assert not keeper.enabled
    assert not await keeper.add(GUILD, 1, 1, [(101, "Ann", True)])
    with pytest.raises(Exception, match="BOT_QUIZ_SCORES=off"):
        await keeper.leaderboard(GUILD, 101)


async def test_scores_are_kept_with_history_off_in_the_state_dir_unless_quiz_scores_are_off(tmp_path: Path) -> None:
    keeper = scores_for(Settings(state_dir=tmp_path, history=False))
    assert isinstance(keeper.store, SQLiteStore)
    assert keeper.store.path == tmp_path / "history.sqlite3"
    assert not keeper.store.path.exists()  # nothing is created until a quiz is scored
    assert await keeper.add(GUILD, 1, 1, [(101, "Ann", True)])
    assert keeper.store.path.exists()
    await keeper.close()
    assert not scores_for(Settings(state_dir=tmp_path, quiz_scores=False)).enabled


async def test_the_keeper_shares_the_historys_store_when_there_is_one(tmp_path: Path) -> None:
    history = SQLiteStore(tmp_path / "history.sqlite3")
    assert scores_for(Settings(state_dir=tmp_path), history).store is history
    await history.add_questions([asked(1)])
    await history.close()
