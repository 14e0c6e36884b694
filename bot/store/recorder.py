"""Recording for the bot: questions through a bounded queue and a background writer, votes durably.

An answer never waits on the store: `question()` puts a record on a queue and returns at
once; a writer task stores the queue in batches, a moment (LINGER) after the first of each. When the store cannot be reached the
writer keeps its batch and tries again with backoff, the queue holds what comes in
meanwhile, and what no longer fits is dropped and counted. One warning per outage,
one line when it is over. A vote is different: the member is told it counted only
after the store has committed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bot.models import Reply
from bot.store import open_store
from bot.store.base import ALL_GUILDS, MissRow, QuestionRecord, SchemaTooNew, Stats, Store, StoreUnavailable, VoteRecord
from bot.store.privacy import clean_question, load_salt, member_hash

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
DAY = 86_400.0
QUEUE_SIZE = 10_000
BATCH_SIZE = 500
VOTE_TIMEOUT = 2.5  # a vote is answered within Discord's 3 s for an interaction, recorded or not
READ_TIMEOUT = 10.0
PURGE_EVERY = 3600.0
# The writer waits this long after a first question before it writes, so that its database work
# runs between answers rather than beside the reply it was queued with, and questions arriving
# close together share one transaction. It is also what a kill -9 can lose of the history.
LINGER = 0.1


@dataclass(frozen=True, slots=True)
class Asked:
    """Where a question came from, as the Discord shell knows it."""

    question_id: int  # the snowflake of the message or interaction
    guild_id: int | None
    channel_id: int
    member_id: int
    origin: str  # channel | mention | dm | ask | button


class Recorder:
    """The bot's side of the store: recording that never holds up an answer, and reports for admins."""

    def __init__(
        self,
        store: Store | None,
        salt: bytes = b"",
        *,
        retention_days: int = 90,
        queue_size: int = QUEUE_SIZE,
        batch_size: int = BATCH_SIZE,
        retry: tuple[float, float] = (0.5, 30.0),
        linger: float = LINGER,
        purge_every: float = PURGE_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._salt = salt
        self.retention_days = retention_days
        self._queue: asyncio.Queue[QuestionRecord] = asyncio.Queue(queue_size)
        self._batch_size = batch_size
        self._retry = retry
        self._linger = linger
        self._purge_every = purge_every
        self._clock = clock
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self.available: bool | None = None  # None until the store has been tried
        self.written = 0
        self.dropped = 0
        self._dropped_when_last_up = 0  # drops since the last success are the outage's, noticed or not yet
        self._outage_since = 0.0
        self._full_logged = False
        self._holding = 0  # questions the writer has taken off the queue and not yet stored

    @property
    def enabled(self) -> bool:
        """Whether questions and votes are recorded (BOT_HISTORY is on)."""
        return self.store is not None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background writer (it connects, migrates and purges first); needs a running loop."""
        if self.enabled and self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_forever(), name="history-writer")

    async def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (for at most `timeout` seconds, unless the store is down), then stop and close it."""
        self._closed = True
        writer, self._writer = self._writer, None
        held = 0
        if writer is not None:
            if self.available is not False:  # a store that is down would only make stopping slow
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._queue.join(), timeout)
            held = self._holding
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        left = self._queue.qsize() + held
        if left:
            self.dropped += left
            log.warning("Stopping with %d questions not recorded (the store did not take them in time)", left)
        if self.store is not None:
            with contextlib.suppress(StoreUnavailable):
                await self.store.close()

    # -- recording --------------------------------------------------------------------------

    def question(self, asked: Asked, text: str, reply: Reply) -> None:
        """Queue a question for recording; never waits. Counted as dropped when the queue is full."""
        if self.store is None:
            return
        if self._closed or self._writer is None:
            self.dropped += 1
            return
        record = QuestionRecord(
            id=asked.question_id,
            at=self._clock(),
            guild_id=asked.guild_id,
            channel_id=asked.channel_id,
            member=member_hash(self._salt, asked.member_id),
            origin=asked.origin,
            question=clean_question(text),
            kind=reply.kind.value,
            intent=reply.intent,
            confidence=reply.confidence,
            reason=reply.reason,
        )
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self.dropped += 1
            if not self._full_logged:
                self._full_logged = True
                log.warning("The history queue is full (%d): dropping questions until the store catches up", self._queue.maxsize)

    async def vote(self, question_id: int, member_id: int, guild_id: int | None, vote: int) -> int | None:
        """Store a member's vote on an answer; returns once committed, with their previous vote (or None).

        Raises StoreUnavailable when it cannot be stored now (or history is off).
        """
        if self.store is None:
            raise StoreUnavailable("question history is off (BOT_HISTORY=off)")
        record = VoteRecord(question_id, member_hash(self._salt, member_id), 1 if vote > 0 else -1, self._clock(), guild_id)
        return await self._call(self.store.set_vote(record), VOTE_TIMEOUT)

    async def stats(self, days: float, guild_id: int = ALL_GUILDS) -> Stats:
        """Totals over the last `days` days, for one guild or all."""
        if self.store is None:
            raise StoreUnavailable("question history is off (BOT_HISTORY=off)")
        return await self._call(self.store.stats(self._clock() - days * DAY, guild_id), READ_TIMEOUT)

    async def misses(self, days: float, guild_id: int = ALL_GUILDS) -> list[MissRow]:
        """Declined, clarified and voted-down questions of the last `days` days."""
        if self.store is None:
            raise StoreUnavailable("question history is off (BOT_HISTORY=off)")
        return await self._call(self.store.misses(self._clock() - days * DAY, guild_id), READ_TIMEOUT)

    # -- the writer -------------------------------------------------------------------------

    async def _write_forever(self) -> None:
        assert self.store is not None
        store = self.store
        next_purge = 0.0
        while True:
            if time.monotonic() >= next_purge:
                await self._purge(store)
                next_purge = time.monotonic() + self._purge_every
            try:
                first = await asyncio.wait_for(self._queue.get(), max(next_purge - time.monotonic(), 0.01))
            except TimeoutError:
                continue
            if self._linger and self._queue.qsize() < self._batch_size - 1 and not self._closed:
                await asyncio.sleep(self._linger)
            batch = [first]
            while len(batch) < self._batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._holding = len(batch)
            try:
                await self._write(store, batch)
            finally:
                self._holding = 0
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, store: Store, batch: list[QuestionRecord]) -> None:
        delay, longest = self._retry
        while True:
            try:
                await store.add_questions(batch)
            except (StoreUnavailable, SchemaTooNew) as exc:
                self._down(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)
                continue
            except Exception:
                self.dropped += len(batch)
                log.exception("Could not record %d questions; they are dropped", len(batch))
                return
            self.written += len(batch)
            self._full_logged = False
            self._up(store)
            return

    async def _purge(self, store: Store) -> None:
        before = self._clock() - self.retention_days * DAY
        try:
            gone = await store.purge(before)
        except (StoreUnavailable, SchemaTooNew) as exc:
            self._down(exc)
            return
        self._up(store)
        if gone:
            log.info("Purged %d history rows older than %d days", gone, self.retention_days)

    async def _call(self, operation: Awaitable[T], timeout: float) -> T:
        try:
            async with asyncio.timeout(timeout):
                result = await operation
        except (StoreUnavailable, SchemaTooNew) as exc:
            self._down(exc)
            raise StoreUnavailable(str(exc)) from exc
        except TimeoutError as exc:
            self._down(exc)
            raise StoreUnavailable(f"the store did not answer within {timeout:g} s") from exc
        if self.store is not None:
            self._up(self.store)
        return result

    # -- outages: one warning when one starts, one line when it ends -------------------------

    def _down(self, error: BaseException) -> None:
        if self.available is False:
            return
        self.available = False
        self._outage_since = time.monotonic()
        reason = str(error) or type(error).__name__
        log.warning("Question history unavailable (%s); answering goes on, recording resumes when it is back", reason)

    def _up(self, store: Store) -> None:
        if self.available is True:
            self._dropped_when_last_up = self.dropped
            return
        if self.available is False:
            log.warning(
                "Question history reachable again after %.0f s; %d questions were dropped meanwhile",
                time.monotonic() - self._outage_since,
                self.dropped - self._dropped_when_last_up,
            )
        else:
            log.info("Recording questions in %s, keeping %d days", store.name, self.retention_days)
        self._dropped_when_last_up = self.dropped
        self.available = True


def recorder_for(settings: Settings) -> Recorder:
    """The recorder for these settings: off with BOT_HISTORY=off; PostgreSQL or SQLite otherwise."""
    if not settings.history:
        return Recorder(None)
    store = open_store(settings.database_url, settings.state_dir)
    return Recorder(store, load_salt(settings.state_dir, settings.history_salt), retention_days=settings.history_days)
