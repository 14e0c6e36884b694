"""The recorder: answers never wait on the store, one warning per outage, drops counted, reconnection."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.models import Kind, Reply
from bot.settings import Settings
from bot.store import StoreUnavailable
from bot.store.privacy import member_hash
from bot.store.recorder import Asked, Recorder, recorder_for
from bot.store.sqlite import SQLiteStore
from tests.store.conftest import make_store
from tests.store.postgres_server import fresh_schema
from tests.store.tcp_proxy import Proxy

SALT = b"0" * 64
GUILD = 500000000000000001
ANSWER = Reply(Kind.ANSWER, "amazon_entry", 91, "In 2004.", reason="answer")
DECLINE = Reply(Kind.DECLINE, None, 0, "Sorry, the article doesn't say.", reason="below threshold")


def asked(number: int, member: int = 100000000000000001) -> Asked:
    return Asked(number, GUILD, 600000000000000001, member, "channel")


async def eventually(condition: object, timeout: float = 10.0) -> None:
    """Wait until condition() is true (polled)."""
    assert callable(condition)
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_questions_are_written_in_the_background_with_a_hashed_member_and_the_reason(store_url: str) -> None:
    recorder = Recorder(make_store(store_url), SALT)
    recorder.start()
    started = time.perf_counter()
    for number in range(1, 301):
        recorder.question(asked(number), f"question {number}", DECLINE if number % 3 == 0 else ANSWER)
    queued_in = time.perf_counter() - started
    await recorder.close()
    assert recorder.written == 300
    assert recorder.dropped == 0
    assert queued_in < 1.0  # not a timing test: 300 puts that waited on a database would take far longer

    store = make_store(store_url)
    stats = await store.stats(0)
    assert stats.questions == 300
    assert stats.kinds["decline"] == 100
    misses = await store.misses(0)
    assert all(m.member == member_hash(SALT, 100000000000000001) for m in misses)
    assert "100000000000000001" not in {m.member for m in misses}
    await store.close()


async def test_a_vote_is_committed_before_vote_returns_and_a_second_vote_changes_it(store_url: str) -> None:
    recorder = Recorder(make_store(store_url), SALT)
    recorder.start()
    assert await recorder.vote(7, 42, GUILD, -1) is None
    # Another connection sees it at once: it is committed, not queued.
    other = make_store(store_url)
    assert (await other.stats(0)).votes_down == 1
    assert await recorder.vote(7, 42, GUILD, +1) == -1
    stats = await other.stats(0)
    assert (stats.votes_up, stats.votes_down) == (1, 0)
    await other.close()
    await recorder.close()


async def test_old_rows_are_purged_at_start(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    past = Recorder(SQLiteStore(path), SALT, clock=lambda: time.time() - 40 * 86400)
    past.start()
    past.question(asked(1), "an old question", ANSWER)
    await past.close()
    now = Recorder(SQLiteStore(path), SALT, retention_days=30)
    now.start()
    now.question(asked(2), "a new question", ANSWER)
    await now.close()
    assert (await now.stats(365)).questions == 1


async def test_with_history_off_nothing_is_recorded_and_votes_say_so(tmp_path: Path) -> None:
    recorder = recorder_for(Settings(state_dir=tmp_path, history=False))
    recorder.start()
    assert not recorder.enabled
    recorder.question(asked(1), "anything", ANSWER)
    with pytest.raises(StoreUnavailable, match="BOT_HISTORY=off"):
        await recorder.vote(1, 2, GUILD, 1)
    await recorder.close()
    assert not list(tmp_path.iterdir())


async def test_postgresql_going_away_logs_one_warning_counts_drops_and_recording_resumes_when_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.store.recorder")
    with fresh_schema() as url:
        parts = urlsplit(url)
        proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        through_proxy = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
        recorder = Recorder(make_store(through_proxy), SALT, queue_size=5, batch_size=2, retry=(0.05, 0.2))
        recorder.start()
        try:
            recorder.question(asked(1), "before the outage", ANSWER)
            await eventually(lambda: recorder.written == 1)

            await proxy.cut()
            for number in range(2, 22):
                recorder.question(asked(number), f"during the outage {number}", ANSWER)
                await asyncio.sleep(0.01)
            with pytest.raises(StoreUnavailable):
                await recorder.vote(1, 2, GUILD, -1)
            await eventually(lambda: recorder.available is False)
            outage_warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
            assert len(outage_warnings) == 1
            assert outage_warnings[0].levelno == logging.WARNING
            # The writer holds one batch of at most 2; the queue holds 5; the rest are dropped and counted.
            assert recorder.dropped >= 20 - 2 - 5

            await proxy.restore()
            await eventually(lambda: recorder.available is True)
            await recorder.close()
            assert recorder.written + recorder.dropped == 21
            back = [r.getMessage() for r in caplog.records if "reachable again" in r.getMessage()]
            assert back == [back[0]]
            assert f"{recorder.dropped} questions were dropped" in back[0]
            store = make_store(url)
            assert (await store.stats(0)).questions == recorder.written
            await store.close()
        finally:
            await recorder.close()
            await proxy.close()


async def test_a_sqlite_state_dir_that_cannot_be_written_keeps_the_bot_recording_nothing_until_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.store.recorder")
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state directory should be")
    recorder = Recorder(SQLiteStore(blocked / "history.sqlite3"), SALT, retry=(0.05, 0.1))
    recorder.start()
    for number in range(1, 11):
        recorder.question(asked(number), "while blocked", ANSWER)
    await eventually(lambda: recorder.available is False)
    await asyncio.sleep(0.3)  # several retries...
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1  # ...one warning
    blocked.unlink()
    await eventually(lambda: recorder.written == 10)
    assert recorder.available is True
    await recorder.close()


async def test_a_vote_is_answered_within_its_time_limit_when_postgresql_stops_answering_and_works_once_it_answers() -> None:
    with fresh_schema() as url:
        parts = urlsplit(url)
        proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        recorder = Recorder(make_store(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()), SALT)
        try:
            assert await recorder.vote(1, 2, GUILD, 1) is None
            await proxy.hang()
            with pytest.raises(StoreUnavailable):  # the connection it had is gone: that fails at once
                await recorder.vote(1, 2, GUILD, -1)
            started = time.monotonic()  # a new connection is accepted and never answered
            with pytest.raises(StoreUnavailable, match="did not answer"):
                await recorder.vote(1, 2, GUILD, -1)
            assert time.monotonic() - started < 3.5  # told in time to answer the interaction (3 s), not never
            await proxy.restore()
            assert await recorder.vote(1, 2, GUILD, -1) == 1
        finally:
            await recorder.close()
            await proxy.close()
