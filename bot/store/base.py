"""What the store keeps and the one interface both back ends implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.errors import BotError

# Every guild, in the queries' guild filter (`? = 0 OR guild_id = ?`); Discord ids are never 0.
ALL_GUILDS = 0


class StoreUnavailable(BotError):
    """The store cannot be reached or written now (server down, disk full, read-only); try again later."""


class SchemaTooNew(BotError):
    """The database was migrated by a newer version of the bot; this one will not write to it."""


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """One question the bot handled, as stored: never the member's raw id, at most 500 characters of text."""

    id: int  # the Discord snowflake of the message or interaction that asked, so a replayed event is stored once
    at: float  # unix time
    guild_id: int | None  # None in DMs
    channel_id: int
    member: str  # salted hash of the member's id
    origin: str  # channel | mention | dm | ask | button
    question: str
    kind: str  # answer | clarify | decline | chat
    intent: str | None
    confidence: int
    reason: str


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """One member's vote on one answer: +1 or -1; a second vote by the same member replaces the first."""

    question_id: int
    member: str
    vote: int
    at: float
    guild_id: int | None


@dataclass(frozen=True, slots=True)
class Stats:
    """Totals over a window: questions by kind, distinct askers, votes, and the intents answered most."""

    questions: int
    kinds: Mapping[str, int]
    members: int
    votes_up: int
    votes_down: int
    top_intents: tuple[tuple[str, int], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class MissRow:
    """A question that was declined, clarified or voted down."""

    question: str
    kind: str
    intent: str | None
    at: float
    down_votes: int
    member: str


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """One member's answer to one quiz question, as the leaderboard counts it."""

    member: str  # salted hash of the member's id, as in the history
    name: str  # their display name when they answered, for the leaderboard
    right: bool


@dataclass(frozen=True, slots=True)
class QuizRound:
    """One closed question of one quiz in one server, with every answer to it."""

    guild_id: int
    quiz_id: int  # the snowflake of the /quiz interaction that started the quiz
    question: int  # its number in the quiz, from 1
    at: float
    answers: tuple[QuizAnswer, ...]


@dataclass(frozen=True, slots=True)
class QuizScore:
    """A member's quiz score in one server: points (right answers) of the questions they answered."""

    member: str
    name: str
    points: int
    answered: int


# How long a scored round is remembered, so that a retried write of it is not counted twice.
QUIZ_ROUND_MEMORY = 86_400.0


class Store(Protocol):
    """The question history. Every method connects (and creates or migrates the schema) first when it is
    not connected, and raises StoreUnavailable when it cannot reach or write the store."""

    @property
    def name(self) -> str:
        """Where the store is, for logs: never a password."""
        ...

    async def open(self) -> None:
        """Connect now, and create or migrate the schema."""
        ...

    async def close(self) -> None:
        """Close the connection; the store may be opened again."""
        ...

    async def add_questions(self, questions: Sequence[QuestionRecord]) -> None:
        """Store questions in one transaction; a question already stored (same id) is left as it is."""
        ...

    async def set_vote(self, vote: VoteRecord) -> int | None:
        """Store a vote durably before returning; returns the member's previous vote on that answer, if any."""
        ...

    async def purge(self, before: float) -> int:
        """Delete questions and votes older than `before` (unix time); returns how many rows went."""
        ...

    async def stats(self, since: float, guild_id: int = ALL_GUILDS, top: int = 10) -> Stats:
        """Totals since `since`, for one guild or (ALL_GUILDS) all of them and DMs."""
        ...

    async def misses(self, since: float, guild_id: int = ALL_GUILDS, limit: int = 20_000) -> list[MissRow]:
        """Questions since `since` that were declined, clarified or voted down, newest first."""
        ...

    async def add_quiz_round(self, quiz_round: QuizRound) -> bool:
        """Add a question's answers to the members' scores, durably, in one transaction.

        Returns False, and adds nothing, when that question of that quiz was scored already.
        """
        ...

    async def quiz_leaderboard(self, guild_id: int, limit: int = 10) -> list[QuizScore]:
        """A server's best quiz scores: most points first, then fewest questions answered."""
        ...

    async def quiz_score(self, guild_id: int, member: str) -> tuple[int, QuizScore] | None:
        """A member's place (ties share one) and score in a server, or None if they have not played there."""
        ...

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        ...


def build_stats(
    kinds: Sequence[tuple[str, int]],
    members: int,
    votes: Sequence[tuple[int, int]],
    intents: Sequence[tuple[str, int]],
) -> Stats:
    """Stats from the rows of the four stats queries (shared by both back ends)."""
    by_kind = {str(kind): int(count) for kind, count in kinds}
    by_vote = {int(vote): int(count) for vote, count in votes}
    return Stats(
        questions=sum(by_kind.values()),
        kinds=by_kind,
        members=int(members),
        votes_up=by_vote.get(1, 0),
        votes_down=by_vote.get(-1, 0),
        top_intents=tuple((str(name), int(count)) for name, count in intents),
    )


def quiz_points(quiz_round: QuizRound) -> list[tuple[str, str, int, int]]:
    """(member, name, points, answered) per member of a round, each member once (shared by both back ends)."""
    totals: dict[str, tuple[str, int, int]] = {}
    for answer in quiz_round.answers:
        _, points, answered = totals.get(answer.member, ("", 0, 0))
        totals[answer.member] = (answer.name, points + answer.right, answered + 1)
    return [(member, name, points, answered) for member, (name, points, answered) in totals.items()]
