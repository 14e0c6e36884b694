"""Handlers: turn an intent and the knowledge into answer text with citations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.knowledge import Knowledge
from bot.models import Citation, Fact, Intent
from bot.normalize import Analysis


@dataclass(frozen=True, slots=True)
class Answer:
    """A handler's result: the text to say and the citations that back it."""

    text: str
    citations: tuple[Citation, ...]


def cite(facts: Iterable[Fact]) -> tuple[Citation, ...]:
    """The facts' citations, each once, in order."""
    return tuple(dict.fromkeys(c for fact in facts for c in fact.citations))


def facts_answer(facts: Iterable[Fact]) -> Answer:
    """The facts' texts joined, with their citations."""
    chosen = list(facts)
    return Answer(" ".join(fact.text for fact in chosen), cite(chosen))


def fact_handler(knowledge: Knowledge, intent: Intent, analysis: Analysis) -> Answer | None:
    """The intent's facts, said in order."""
    return facts_answer(knowledge.facts[f] for f in intent.facts)


def numbers_handler(knowledge: Knowledge, intent: Intent, analysis: Analysis) -> Answer | None:
    """The intent's facts one per line, under its heading."""
    answer = facts_answer(knowledge.facts[f] for f in intent.facts)
    lines = "\n".join(f"• {knowledge.facts[f].text}" for f in intent.facts)
    return Answer("\n".join(line for line in (intent.heading, lines) if line), answer.citations)


def timeline_handler(knowledge: Knowledge, intent: Intent, analysis: Analysis) -> Answer | None:
    """Dated events in order; only one year's when the question names a year."""
    years = sorted(analysis.years)
    return timeline(knowledge, years[0] if len(years) == 1 else None)


def timeline(knowledge: Knowledge, year: int | None = None) -> Answer | None:
    """The timeline as text, or None when the year has no events."""
    events = knowledge.timeline(year)
    if not events:
        return None
    heading = f"What the article says happened in {year}:" if year else "Timeline, from the article:"
    lines = [f"• {fact.event.label}: {_without_date(fact.text, fact.event.label)}" for fact in events if fact.event]
    return Answer("\n".join([heading, *lines]), cite(events))


def _without_date(text: str, label: str) -> str:
    """The fact's text without a leading "In 2015," that would repeat the timeline's date."""
    for lead in (f"In {label}, ", f"In {label} "):
        if text.startswith(lead):
            rest = text[len(lead) :]
            return rest[:1].upper() + rest[1:]
    return text


def summary_handler(knowledge: Knowledge, intent: Intent, analysis: Analysis) -> Answer | None:
    """A short summary: the intent's facts in article order."""
    answer = facts_answer(knowledge.facts[f] for f in intent.facts)
    return Answer(f"In short: {answer.text}", answer.citations)


def profile(knowledge: Knowledge, entity: str, name: str) -> Answer | None:
    """Everything the article says about one person or company."""
    facts = knowledge.about(entity)
    if not facts:
        return None
    lines = "\n".join(f"• {fact.text}" for fact in facts)
    return Answer(f"What the article says about {name}:\n{lines}", cite(facts))


def source(knowledge: Knowledge, paragraph: int) -> Answer | None:
    """One paragraph of the article, quoted whole."""
    paragraphs = knowledge.article.paragraphs
    if not 0 <= paragraph < len(paragraphs):
        return None
    where = "The article's title" if paragraph == 0 else f"Paragraph {paragraph} of the article"
    quote = " ".join(paragraphs[paragraph].split())
    return Answer(f"{where}:", (Citation(paragraph, quote),))


Handler = Callable[[Knowledge, Intent, Analysis], Answer | None]

HANDLERS: dict[str, Handler] = {
    "fact": fact_handler,
    "numbers": numbers_handler,
    "timeline": timeline_handler,
    "summary": summary_handler,
}
