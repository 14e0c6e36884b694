"""The article and the knowledge file: facts with verbatim citations, profiles and the timeline."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from bot.datafile import check_keys, field, load_yaml, string_list
from bot.errors import DataError, Problems
from bot.models import Citation, Event, Fact

ARTICLE_FILE = "article.txt"
KNOWLEDGE_FILE = "knowledge.yaml"
FACT_KINDS = ("fact", "span", "gap")
CAPTION_LIMIT = 40  # characters: a caption is a few words beside a date on the timeline picture
FILE_KEYS = frozenset({"version", "now", "facts"})
FACT_KEYS = frozenset({"id", "text", "about", "citations", "event", "kind"})
CITATION_KEYS = frozenset({"paragraph", "quote"})
EVENT_KEYS = frozenset({"date", "label", "caption"})
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_SPACE = re.compile(r"\s+")


def fold_space(text: str) -> str:
    """Collapse runs of white space (the article has non-breaking spaces) to one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Article:
    """The article's title and paragraphs, exactly as shipped; paragraph 0 is the title."""

    paragraphs: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Article:
        """Read the article; paragraphs are separated by blank lines."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataError(path, "", f"cannot read: {exc.strerror}") from exc
        paragraphs = tuple(p.strip() for p in text.split("\n\n") if p.strip())
        if len(paragraphs) < 2:
            raise DataError(path, "", "expected a title and at least one paragraph")
        return cls(paragraphs)

    @property
    def title(self) -> str:
        """The article's headline."""
        return self.paragraphs[0]

    def contains(self, paragraph: int, quote: str) -> bool:
        """Whether quote stands verbatim in that paragraph (white space folded)."""
        return 0 <= paragraph < len(self.paragraphs) and fold_space(quote) in fold_space(self.paragraphs[paragraph])


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Every fact of the article, by id, in the order of the knowledge file."""

    article: Article
    facts: dict[str, Fact]
    now: Event | None = None  # the article's present, when the knowledge file says it

    def timeline(self, year: int | None = None) -> list[Fact]:
        """Dated facts in date order, optionally only one year's."""
        dated = [f for f in self.facts.values() if f.event is not None]
        dated.sort(key=lambda f: f.event.sort_key if f.event else "")
        return [f for f in dated if year is None or (f.event is not None and f.event.year == year)]

    @property
    def years(self) -> tuple[int, ...]:
        """Years that have at least one event."""
        return tuple(sorted({f.event.year for f in self.facts.values() if f.event is not None}))

    def about(self, entity: str) -> list[Fact]:
        """What the article states about an entity, in article order (no spans or gaps)."""
        return [f for f in self.facts.values() if entity in f.about and f.kind == "fact"]


def load_knowledge(data_dir: Path, entities: frozenset[str], problems: Problems | None = None) -> Knowledge:
    """Load and validate the article and the knowledge file against the known entity ids."""
    problems = Problems() if problems is None else problems
    article = Article.read(data_dir / ARTICLE_FILE)
    path = data_dir / KNOWLEDGE_FILE
    data = load_yaml(path)
    check_keys(data, FILE_KEYS, path, "", problems)
    now = None
    with problems.entry():
        now = _event(data.get("now"), path, "now", problems)
    entries = field(data, "facts", list, path, "")
    facts: dict[str, Fact] = {}
    for index, entry in enumerate(entries):
        with problems.entry() as checking:
            where = f"facts[{index}]"
            if not isinstance(entry, dict):
                raise DataError(path, where, "expected a mapping")
            fact_id = field(entry, "id", str, path, where)
            where = f"fact '{fact_id}'"
            checking.name = fact_id
            if fact_id in facts:
                raise DataError(path, where, "duplicate fact id")
            check_keys(entry, FACT_KEYS, path, where, problems)
            text = field(entry, "text", str, path, where)
            about = frozenset(string_list(entry, "about", path, where))
            unknown = sorted(e for e in about - entities if not problems.failed(e))
            if unknown:
                raise DataError(path, f"{where}.about", f"unknown entity {unknown[0]!r} (not in lexicon.yaml)")
            citations = tuple(
                _citation(c, article, path, f"{where}.citations[{i}]", problems)
                for i, c in enumerate(field(entry, "citations", list, path, where))
            )
            if not citations:
                raise DataError(path, f"{where}.citations", "a fact needs at least one citation")
            event = _event(entry.get("event"), path, f"{where}.event", problems)
            kind = field(entry, "kind", str, path, where, default="fact")
            if kind not in FACT_KINDS:
                raise DataError(path, f"{where}.kind", f"expected one of {', '.join(FACT_KINDS)}, found {kind!r}")
            facts[fact_id] = Fact(fact_id, text.strip(), citations, about, event, kind)
    if not facts and not problems:
        raise DataError(path, "facts", "no facts")
    return Knowledge(article, facts, now)


def _citation(entry: object, article: Article, path: Path, where: str, problems: Problems) -> Citation:
    if not isinstance(entry, dict):
        raise DataError(path, where, "expected {paragraph, quote}")
    check_keys(entry, CITATION_KEYS, path, where, problems)
    paragraph = field(entry, "paragraph", int, path, where)
    quote = field(entry, "quote", str, path, where)
    if not 0 <= paragraph < len(article.paragraphs):
        raise DataError(path, f"{where}.paragraph", f"paragraph {paragraph} is out of range (0-{len(article.paragraphs) - 1})")
    if not article.contains(paragraph, quote):
        raise DataError(path, f"{where}.quote", f"quote is not verbatim in paragraph {paragraph}: {quote[:60]!r}")
    return Citation(paragraph, fold_space(quote))


def _event(entry: object, path: Path, where: str, problems: Problems) -> Event | None:
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise DataError(path, where, "expected {date, label}")
    check_keys(entry, EVENT_KEYS, path, where, problems)
    date = str(field(entry, "date", str, path, where))
    if not _DATE.fullmatch(date):
        raise DataError(path, f"{where}.date", f"expected YYYY, YYYY-MM or YYYY-MM-DD, found {date!r}")
    year, month, day = (int(part) for part in (date + "-01-01")[:10].split("-"))
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise DataError(path, f"{where}.date", f"not a date: {date!r} ({exc})") from exc
    label = field(entry, "label", str, path, where)
    caption = field(entry, "caption", str, path, where, default="")
    if len(caption) > CAPTION_LIMIT:
        raise DataError(path, f"{where}.caption", f"at most {CAPTION_LIMIT} characters, found {len(caption)}: {caption!r}")
    return Event(date, label, caption.strip())
