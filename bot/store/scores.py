"""Quiz scores for the bot: each closed question's answers stored durably, and the leaderboards.

Scores are kept whether or not the question history is: BOT_HISTORY=off records no questions or
votes, but a server that plays expects its leaderboard (BOT_QUIZ_SCORES=off keeps no scores).
A member is stored as the history stores them, a salted hash of their id, with the display name
they last played under (the leaderboard shows names, and the bot may not look members up).

Each closed question goes to the store as one round. A round the store cannot take now waits, in
order, and goes with the next write or leaderboard; the store counts a round once, so a retry after
a write whose outcome was unknown (a timeout) never counts it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.store import open_store
from bot.store.base import QuizAnswer, QuizRound, QuizScore, SchemaTooNew, Store, StoreUnavailable
from bot.store.privacy import load_salt, member_hash

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 2.5  # a quiz waits at most this long for its scores before going on (they stay queued)
READ_TIMEOUT = 2.5  # a leaderboard is answered within Discord's 3 s for an interaction
MAX_PENDING = 10_000  # rounds kept while the store is down; the oldest go first beyond that
NAME_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A server's top scores with their places, and the asking member's own when they are not among them."""

    top: tuple[tuple[int, QuizScore], ...]
    you: tuple[int, QuizScore] | None
    listed: bool  # whether the asking member is among the top


class ScoreKeeper:
    """The bot's side of the quiz scores: durable writes that a quiz never waits on for long, and leaderboards."""

    def __init__(
        self,
        store: Store | None,
        salt: bytes = b"",
        *,
        write_timeout: float = WRITE_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        max_pending: int = MAX_PENDING,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._salt = salt
        self._write_timeout = write_timeout
        self._read_timeout = read_timeout
        self._max_pending = max_pending
        self._clock = clock
        self._pending: list[QuizRound] = []
        self._writing = asyncio.Lock()
        self._down = False
        self.dropped = 0

    @property
    def enabled(self) -> bool:
        """Whether scores are kept (BOT_QUIZ_SCORES is on)."""
        return self.store is not None

    @property
    def pending(self) -> int:
        """Rounds waiting for the store."""
        return len(self._pending)

    def member(self, member_id: int) -> str:
        """How a member is stored: the salted hash the history uses."""
        return member_hash(self._salt, member_id)

    async def add(self, guild_id: int, quiz_id: int, question: int, answers: Sequence[tuple[int, str, bool]]) -> bool:
        """Score one closed question ((member id, display name, right) per answer); True once everything is stored.

        Never raises for the store: what it could not store waits for the next write.
        """
        if self.store is None:
            return False
        if not answers:
            return not self._pending
        stored = tuple(QuizAnswer(self.member(member), _clean(name), right) for member, name, right in answers)
        self._pending.append(QuizRound(guild_id, quiz_id, question, self._clock(), stored))
        if len(self._pending) > self._max_pending:
            self.dropped += len(self._pending) - self._max_pending
            del self._pending[: len(self._pending) - self._max_pending]
            log.warning("Quiz scores: %d rounds dropped while the store was down", self.dropped)
        return await self.flush()

    async def flush(self) -> bool:
        """Write every waiting round, oldest first; True when none is left waiting."""
        if self.store is None:
            return True
        async with self._writing:
            while self._pending:
                try:
                    async with asyncio.timeout(self._write_timeout):
                        await self.store.add_quiz_round(self._pending[0])
                except (StoreUnavailable, SchemaTooNew, TimeoutError) as exc:
                    self._went_down(exc)
                    return False
                self._pending.pop(0)
            self._came_back()
            return True

    async def leaderboard(self, guild_id: int, member_id: int, limit: int = 10) -> Leaderboard:
        """A server's top `limit` and the asking member's place; raises StoreUnavailable when it cannot be read."""
        if self.store is None:
            raise StoreUnavailable("quiz scores are off (BOT_QUIZ_SCORES=off)")
        await self.flush()  # what waited goes first, so the board counts it
        member = self.member(member_id)
        try:
            async with asyncio.timeout(self._read_timeout):
                top = await self.store.quiz_leaderboard(guild_id, limit)
                placed = _places(top)
                listed = any(score.member == member for _, score in placed)
                you = None if listed else await self.store.quiz_score(guild_id, member)
        except (StoreUnavailable, SchemaTooNew, TimeoutError) as exc:
            self._went_down(exc)
            raise StoreUnavailable(str(exc) or "the store did not answer in time") from exc
        self._came_back()
        return Leaderboard(tuple(placed), you, listed)

    async def close(self) -> None:
        """Write what waits (briefly), then close the store."""
        if self.store is None:
            return
        if self._pending and not self._down:
            await self.flush()
        if self._pending:
            log.warning("Stopping with %d quiz questions' scores not stored (the store did not take them)", len(self._pending))
        with contextlib.suppress(StoreUnavailable):
            await self.store.close()

    def _went_down(self, error: BaseException) -> None:
        if not self._down:
            self._down = True
            reason = str(error) or type(error).__name__
            log.warning("Quiz scores unavailable (%s); %d questions' scores wait to be stored", reason, len(self._pending))

    def _came_back(self) -> None:
        if self._down:
            self._down = False
            log.warning("Quiz scores reachable again; every waiting score is stored")


def _places(scores: Sequence[QuizScore]) -> list[tuple[int, QuizScore]]:
    """Scores in order with their places; equal points from equal answers share a place."""
    placed: list[tuple[int, QuizScore]] = []
    for index, score in enumerate(scores):
        if placed and (placed[-1][1].points, placed[-1][1].answered) == (score.points, score.answered):
            placed.append((placed[-1][0], score))
        else:
            placed.append((index + 1, score))
    return placed


def _clean(name: str) -> str:
    """A display name as stored: one line, at most 100 characters, text every database takes."""
    text = " ".join(name.replace("\x00", "").split())[:NAME_LIMIT]
    return text.encode("utf-8", "replace").decode("utf-8") or "?"


def scores_for(settings: Settings, history: Store | None = None) -> ScoreKeeper:
    """The score keeper for these settings: off with BOT_QUIZ_SCORES=off; else the history's store, or its own."""
    if not settings.quiz_scores:
        return ScoreKeeper(None)
    store = history or open_store(settings.database_url, settings.state_dir)
    return ScoreKeeper(store, load_salt(settings.state_dir, settings.history_salt))
