"""Immutable values that flow through the engine: facts, intents, matches and replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What kind of reply the engine gives."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    DECLINE = "decline"
    CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from the article and the paragraph it stands in (0 is the title)."""

    paragraph: int
    quote: str


@dataclass(frozen=True, slots=True)
class Event:
    """When a fact happened: a sortable key (YYYY, YYYY-MM or YYYY-MM-DD), how to say it, and a short caption."""

    sort_key: str
    label: str
    caption: str = ""  # a few words for the timeline picture; empty when the knowledge gives none

    @property
    def year(self) -> int:
        """The event's year."""
        return int(self.sort_key[:4])


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing the article says, worded for a reply, with its citations.

    kind is "fact" for what the article states, "span" for arithmetic on two of its dates, and
    "gap" for what a broken sentence of the article leaves unsaid (answered as a decline).
    """

    id: str
    text: str
    citations: tuple[Citation, ...]
    about: frozenset[str]
    event: Event | None = None
    kind: str = "fact"


@dataclass(frozen=True, slots=True)
class Intent:
    """A question the bot can answer: its handler, facts, and how people ask it."""

    name: str
    handler: str
    facts: tuple[str, ...]
    templates: tuple[str, ...]
    asks: frozenset[str]
    entities: frozenset[str]
    requires: frozenset[str] = frozenset()
    suggestion: str = ""
    examples: tuple[str, ...] = ()  # labelled questions from intents/examples/, matched like templates
    heading: str = ""  # a line before the facts, for handlers that list them


@dataclass(frozen=True, slots=True)
class Match:
    """How well one intent fits a question, and which template fitted best."""

    intent: Intent
    score: float
    template: str
    similarity: float = 0.0  # the best template's part of the score (word overlap and fuzzy ratio)
    explained: float = 0.0  # share of the question (by weight) the intent's words explain


@dataclass(frozen=True, slots=True)
class Reply:
    """What the engine says back: the only thing a front end renders."""

    kind: Kind
    intent: str | None
    confidence: int
    text: str
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[str, ...] = ()
    entities: frozenset[str] = field(default=frozenset())
    reason: str = ""  # the rule that decided the reply, and why (`ask --json`, `eval` and the question history show it)

    def to_json(self, question: str) -> dict[str, object]:
        """The batch contract's JSON object for this reply."""
        return {
            "question": question,
            "kind": self.kind.value,
            "intent": self.intent,
            "confidence": self.confidence,
            "answer": self.text,
            "citations": [{"paragraph": c.paragraph, "quote": c.quote} for c in self.citations],
            "suggestions": list(self.suggestions),
            "reason": self.reason,
        }
