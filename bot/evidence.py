"""What a question quotes back from the article: figures ("the 1.1 billion", "144%", "2015") and
phrases ("'token of respect' to whom"), and the facts whose citations hold them.

Figures and phrases are read off the citations themselves (verbatim article text), so every fact
an editor adds is found by what it quotes without any annotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Fact

_SCALE = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_FIGURE = re.compile(
    r"(?P<dollar>\$\s?)?(?<![\w.])(?P<number>\d+(?:\.\d+)?)(?:st|nd|rd|th)?"
    r"(?:\s?(?P<scale>trillion|tn|billion|bn|b|million|mn|mil|m|thousand|k)\b)?"
    r"(?:\s?(?P<unit>%|percent|pct|dollars?|usd)\b|(?P<sign>%))?"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_QUOTED = re.compile(r"\"([^\"]{2,120})\"|(?<![\w])'([^']{2,120})'(?![\w])")
_WORD = re.compile(r"[a-z0-9]+")
MIN_QUOTED_LETTERS = 4  # a quoted "it" or "q3" is not a phrase of the article


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as a question or the article states it: its value and kind (year, percent, money, number)."""

    value: float
    kind: str

    def agrees(self, other: Figure) -> bool:
        """The same figure, allowing a bare number for a percent or an amount ("144" for 144%)."""
        if abs(self.value - other.value) > 1e-9 * max(abs(self.value), 1.0):
            return False
        return self.kind == other.kind or "number" in (self.kind, other.kind)


def figures(cleaned: str) -> frozenset[Figure]:
    """The figures in a (cleaned) text: years, percentages, dollar amounts and plain numbers."""
    found = set()
    for match in _FIGURE.finditer(cleaned):
        number, scale = match.group("number"), match.group("scale")
        value = float(number) * _SCALE.get(scale or "", 1.0)
        unit = (match.group("unit") or match.group("sign") or "").lower()
        if unit in ("%", "percent", "pct"):
            kind = "percent"
        elif match.group("dollar") or unit.startswith(("dollar", "usd")):
            kind = "money"
        elif _YEAR.match(number) and not scale:
            kind = "year"
        else:
            kind = "number"
        found.add(Figure(value, kind))
    return frozenset(found)


def quoted(cleaned: str) -> list[str]:
    """Phrases in quotation marks, folded to words ("'token of respect' to who" -> ["token of respect"])."""
    phrases = []
    for match in _QUOTED.finditer(cleaned):
        words = " ".join(_WORD.findall(match.group(1) or match.group(2) or ""))
        if sum(len(word) for word in words.split() if not word.isdigit()) >= MIN_QUOTED_LETTERS:
            phrases.append(words)
    return phrases


class Evidence:
    """Which facts hold a figure or a phrase of the article, by their citations."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self._figures: dict[str, frozenset[Figure]] = {}
        self._text: dict[str, str] = {}
        for fact in facts:
            quotes = " ".join(citation.quote.casefold() for citation in fact.citations)
            self._figures[fact.id] = figures(quotes.replace(",", ""))
            self._text[fact.id] = " " + " ".join(_WORD.findall(quotes.replace("’", "'").replace("'s", ""))) + " "
        self.stated: frozenset[Figure] = frozenset().union(*self._figures.values())

    def facts_with_figures(self, asked: Iterable[Figure]) -> frozenset[str]:
        """The facts whose citations state one of the figures."""
        return frozenset(
            fact_id for figure in asked for fact_id, held in self._figures.items() if any(figure.agrees(h) for h in held)
        )

    def states(self, figure: Figure) -> bool:
        """Whether the article states this figure anywhere."""
        return any(figure.agrees(stated) for stated in self.stated)

    def facts_quoting(self, phrases: Iterable[str]) -> frozenset[str]:
        """The facts whose citations hold one of the phrases word for word."""
        return frozenset(fact_id for phrase in phrases for fact_id, text in self._text.items() if f" {phrase} " in text)
