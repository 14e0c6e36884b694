"""The quiz: multiple-choice questions from the knowledge file, and the play of one quiz. Pure: no Discord, no I/O.

Questions come from two places:

- Generated: a figure, date or name of a fact is blanked out of the fact's text ("fill in the
  blank"). Its three distractors are of the same kind (other years for a year, other companies
  for a company, other amounts for an amount), drawn from the rest of the knowledge or derived
  from the answer (near years, scaled amounts), and never a value the fact itself states.
- Written by hand in quiz.yaml: question, answer, three distractors and the fact they test,
  validated against that fact when the data loads.

Either way the answer stands in the fact, and the reveal quotes the fact's citations (those that
contain the answer) verbatim with their paragraphs. `draw` picks a quiz's questions with a seed,
so a quiz can be replayed; `Game` keeps one quiz's answers and scores.
"""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.datafile import check_keys, load_yaml, string_list
from bot.datafile import field as data_field
from bot.errors import DataError, Problems
from bot.knowledge import Knowledge, fold_space
from bot.models import Citation, Fact

QUIZ_FILE = "quiz.yaml"
FILE_KEYS = frozenset({"version", "names", "questions"})
QUESTION_KEYS = frozenset({"fact", "question", "answer", "distractors"})
LETTERS = "ABCD"
DISTRACTORS = len(LETTERS) - 1
OPTION_LIMIT = 80  # an option is a button label on Discord, which holds 80 characters
QUESTION_LIMIT = 1000
BLANK = "▁▁▁▁▁"
MAX_QUESTIONS = 10
WRITTEN_WEIGHT = 3.0  # an editor's question is drawn three times as often as a generated one

# Kinds of figures and dates, recognised in text in this order (a year inside "$17 billion" is not a year).
YEAR, DATE, PERCENT, MONEY, COUNT = "year", "date", "percent", "money", "count"
FIGURE_KINDS = (MONEY, PERCENT, DATE, YEAR, COUNT)
_MONTHS = tuple(calendar.month_name)[1:]
_NUMBER_END = r"(?![\w%]|[.,]\d)"
_PATTERNS = {
    MONEY: re.compile(r"(?<![\w.])\$\d+(?:\.\d+)?(?: (?:thousand|million|billion|trillion))?(?!\w)"),
    PERCENT: re.compile(r"(?<![\w.,$])\d+(?:\.\d+)?%"),
    DATE: re.compile(r"\b(?:" + "|".join(_MONTHS) + r") [1-9]\d?(?!\w|,\d)"),
    YEAR: re.compile(r"(?<![\w.,$])(?:1[89]|20)\d\d" + _NUMBER_END),
    COUNT: re.compile(r"(?<![\w.,$])(?:\d{1,3}(?:,\d{3})+|\d+)" + _NUMBER_END),
}
_ASIDE = re.compile(r"\s*\([^()]*\)")  # "(Q3)", "(GMV)", an editor's note in brackets
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def fold(text: str) -> str:
    """Text as answers are compared: white space folded, curly quotes straightened, case folded."""
    return fold_space(text).translate(_QUOTES).casefold()


def mentions(text: str, value: str, *, folded: bool = False) -> bool:
    """Whether value stands in text as a whole word or figure (`2015` is not in `20150`); folded ignores case."""
    if folded:
        text, value = fold(text), fold(value)
    else:
        text, value = fold_space(text), fold_space(value)
    return bool(value) and re.search(_whole(value), text) is not None


def _whole(value: str) -> str:
    """A pattern for value standing on its own: not inside a longer word or number ("5%" is not in "1.5%")."""
    return rf"(?<![\w$])(?<!\d[.,]){re.escape(value)}(?!\w|[.,]\d)"


def kind_of(text: str) -> str | None:
    """The kind of figure or date text is as a whole (year, date, percent, money, count), or None."""
    stripped = text.strip()
    for kind in FIGURE_KINDS:
        if _PATTERNS[kind].fullmatch(stripped):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class Value:
    """A figure, date or name as it stands in a text, and its kind."""

    kind: str
    text: str


def figures(text: str) -> list[Value]:
    """The figures and dates in text, each once, in order of appearance."""
    found: list[tuple[int, Value]] = []
    taken: list[tuple[int, int]] = []
    for kind in FIGURE_KINDS:
        for match in _PATTERNS[kind].finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue  # part of a figure already found ("25" of "November 25")
            taken.append((start, end))
            found.append((start, Value(kind, match.group())))
    found.sort(key=lambda pair: pair[0])
    return list(dict.fromkeys(value for _, value in found))


@dataclass(frozen=True, slots=True)
class Name:
    """A name that generated questions may blank out and offer as an option, with its kind (company, person)."""

    entity: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class QuizItem:
    """A question the quiz can ask, the right answer, what may stand beside it, and the fact it tests.

    A written item has exactly three distractors. A generated one has every candidate: `distractors`
    from the rest of the knowledge and `near` ones derived from the answer; each quiz draws three.
    """

    key: str
    question: str
    answer: str
    fact: str
    citations: tuple[Citation, ...]
    kind: str
    distractors: tuple[str, ...]
    near: tuple[str, ...] = ()
    written: bool = False

    @property
    def blank(self) -> bool:
        """Whether the question is a sentence with a blank to fill in."""
        return not self.written


@dataclass(frozen=True, slots=True)
class QuizBank:
    """Every question the loaded data can ask."""

    items: tuple[QuizItem, ...]

    @property
    def written(self) -> int:
        """How many were written by hand in quiz.yaml."""
        return sum(1 for item in self.items if item.written)

    @property
    def size(self) -> int:
        """How many questions one quiz can have at most: one per fact and answer."""
        facts: set[str] = set()
        answers: set[str] = set()
        for item in sorted(self.items, key=lambda i: not i.written):
            if item.fact not in facts and fold(item.answer) not in answers:
                facts.add(item.fact)
                answers.add(fold(item.answer))
        return len(facts)


# -- generating questions from the knowledge ------------------------------------------------


def generate(knowledge: Knowledge, names: Sequence[Name]) -> tuple[QuizItem, ...]:
    """Fill-in-the-blank questions from every stated fact whose figure, date or name a citation quotes.

    Facts whose quotes the knowledge marks as leaving something unsaid (a `gap` fact quotes the same
    words) are left out: where the article's sentence is broken, a blank could be filled more than one way.
    """
    gaps = [c.quote for fact in knowledge.facts.values() if fact.kind == "gap" for c in fact.citations]
    stated = [
        fact
        for fact in knowledge.facts.values()
        if fact.kind == "fact" and not any(gap in c.quote or c.quote in gap for c in fact.citations for gap in gaps)
    ]
    pools: dict[str, list[str]] = {}
    for fact in stated:
        for value in figures(fact.text):
            pools.setdefault(value.kind, [])
            if value.text not in pools[value.kind]:
                pools[value.kind].append(value.text)
    for name in names:
        pools.setdefault(name.kind, []).append(name.text)
    latest = knowledge.now.year if knowledge.now else None
    items: list[QuizItem] = []
    for fact in stated:
        text = _without_asides(fact.text)
        told = _stated(fact, names)
        for value in [*figures(text), *_names_in(text, names)]:
            item = _blank_item(fact, value, pools, told.get(value.kind, set()), latest)
            if item is not None:
                items.append(item)
    return tuple(items)


def _blank_item(
    fact: Fact, value: Value, pools: Mapping[str, list[str]], stated: set[str], latest: int | None
) -> QuizItem | None:
    cited = tuple(c for c in fact.citations if mentions(c.quote, value.text))
    if not cited:
        return None  # the answer must be verbatim in what the reveal quotes
    known = tuple(v for v in pools.get(value.kind, []) if v not in stated and v != value.text)
    near = tuple(v for v in _near(value, latest) if v not in stated and v not in known and v != value.text)
    if len(known) + len(near) < DISTRACTORS:
        return None
    text = _without_asides(fact.text)
    question = re.sub(_whole(value.text), BLANK, text)
    return QuizItem(f"{fact.id}:{value.text}", question, value.text, fact.id, cited, value.kind, known, near)


def _stated(fact: Fact, names: Sequence[Name]) -> dict[str, set[str]]:
    """Every value the fact states or is about, by kind: none of them may be a distractor for it."""
    texts = [fact.text, *(c.quote for c in fact.citations)]
    stated: dict[str, set[str]] = {}
    for value in (v for text in texts for v in figures(text)):
        stated.setdefault(value.kind, set()).add(value.text)
    for name in names:
        if name.entity in fact.about or any(mentions(text, name.text) for text in texts):
            stated.setdefault(name.kind, set()).add(name.text)
    return stated


def _names_in(text: str, names: Sequence[Name]) -> list[Value]:
    found = [(m.start(), Value(n.kind, n.text)) for n in names if (m := re.search(rf"(?<!\w){re.escape(n.text)}(?!\w)", text))]
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def _without_asides(text: str) -> str:
    """The text without its bracketed asides ("(Q3)", "(GMV)", an editor's note), which would crowd a question."""
    cut = _ASIDE.sub("", text)
    return re.sub(r"\s+([.,;:])", r"\1", cut).strip()


def _near(value: Value, latest: int | None) -> list[str]:
    """Distractors derived from the answer: near years and dates, amounts scaled up and down."""
    text = value.text
    if value.kind == YEAR:
        year = int(text)
        years = [year + step for step in (-1, 1, -2, 2, -3, 3, -5, 5)]
        return [str(y) for y in years if latest is None or y <= latest]
    if value.kind == DATE:
        month_name, day_text = text.split()
        month, day = _MONTHS.index(month_name) + 1, int(day_text)
        dates = [(month, day + step) for step in (-7, 7, -3, 3)] + [(month - 1, day), (month + 1, day)]
        return [f"{_MONTHS[m - 1]} {d}" for m, d in dates if 1 <= m <= 12 and 1 <= d <= calendar.monthrange(2001, m)[1]]
    if value.kind == PERCENT:
        number = text.removesuffix("%")
        return [f"{v}%" for v in _scaled(number, (0.5, 0.75, 1.25, 1.5, 2.0))]
    if value.kind == MONEY:
        amount, _, unit = text.removeprefix("$").partition(" ")
        return [f"${v}" + (f" {unit}" if unit else "") for v in _scaled(amount, (0.5, 2.0, 3.0, 5.0, 10.0))]
    if value.kind == COUNT:
        plain = text.replace(",", "")
        scaled = _scaled(plain, (0.1, 0.5, 2.0, 5.0, 10.0))
        return [f"{int(v):,}" if "," in text or int(v) >= 10_000 else v for v in scaled]
    return []


def _scaled(number: str, factors: Iterable[float]) -> list[str]:
    """number times each factor, written with as many decimals as number has; none equal, none zero."""
    decimals = len(number.partition(".")[2])
    original = float(number)
    found: list[str] = []
    for factor in factors:
        scaled = round(original * factor, decimals)
        text = f"{scaled:.{decimals}f}".removesuffix(".0")  # 1.1 x 10 is "11", not "11.0"
        if scaled > 0 and scaled != original and text not in found:
            found.append(text)
    return found


# -- quiz.yaml: questions written by hand, and the kinds of names ------------------------------


def load_quiz(
    data_dir: Path, knowledge: Knowledge, entity_names: Mapping[str, str], problems: Problems | None = None
) -> QuizBank:
    """The quiz bank: generated questions plus quiz.yaml's, validated against the knowledge.

    quiz.yaml is optional; without it the quiz asks generated questions on figures and dates only.
    With a collecting `problems` (check), every bad entry is reported and the loader goes on.
    """
    problems = Problems() if problems is None else problems
    path = data_dir / QUIZ_FILE
    if not path.is_file():
        return QuizBank(generate(knowledge, ()))
    data = load_yaml(path)
    check_keys(data, FILE_KEYS, path, "", problems)
    names = _load_names(data, path, entity_names, problems)
    written: list[QuizItem] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(data_field(data, "questions", list, path, "", default=[])):
        if isinstance(entry, dict) and problems.failed(str(entry.get("fact"))):
            continue  # its fact is broken, and was reported in knowledge.yaml
        with problems.entry():
            where = f"questions[{index}]"
            item = _written(entry, path, where, knowledge, problems)
            key = fold(item.question)
            if key in seen:
                raise DataError(path, f"{where}.question", f"the same question as {seen[key]}")
            seen[key] = where
            written.append(item)
    return QuizBank((*written, *generate(knowledge, names)))


def _load_names(data: Mapping[str, Any], path: Path, entity_names: Mapping[str, str], problems: Problems) -> list[Name]:
    table = data_field(data, "names", dict, path, "", default={})
    names: list[Name] = []
    kind_of_entity: dict[str, str] = {}
    for kind in table:
        where = f"names.{kind}"
        with problems.entry():
            if kind in FIGURE_KINDS:
                figure = f"{kind!r} is a kind of figure the quiz finds by itself; name kinds are e.g. company, person"
                raise DataError(path, where, figure)
            for index, entity in enumerate(string_list(table, kind, path, "names")):
                with problems.entry():
                    if entity not in entity_names:
                        if problems.failed(entity):
                            continue  # its lexicon entry failed, and was reported there
                        raise DataError(path, f"{where}[{index}]", f"unknown entity {entity!r} (not in lexicon.yaml)")
                    if entity in kind_of_entity:
                        listed = f"{entity!r} is listed under {kind_of_entity[entity]!r} already"
                        raise DataError(path, f"{where}[{index}]", listed)
                    kind_of_entity[entity] = str(kind)
                    names.append(Name(entity, str(kind), entity_names[entity]))
    return names


def _written(entry: object, path: Path, where: str, knowledge: Knowledge, problems: Problems) -> QuizItem:
    """One hand-written question, checked against its fact."""
    if not isinstance(entry, dict):
        raise DataError(path, where, "expected {fact, question, answer, distractors}")
    check_keys(entry, QUESTION_KEYS, path, where, problems)
    fact_id = data_field(entry, "fact", str, path, where)
    fact = knowledge.facts.get(fact_id)
    if fact is None:
        raise DataError(path, f"{where}.fact", f"unknown fact {fact_id!r} (not in knowledge.yaml)")
    if fact.kind == "gap":
        raise DataError(path, f"{where}.fact", f"fact {fact_id!r} is what the article leaves unsaid: it cannot answer a question")
    question = " ".join(data_field(entry, "question", str, path, where).split())
    if len(question) > QUESTION_LIMIT:
        raise DataError(path, f"{where}.question", f"at most {QUESTION_LIMIT} characters, found {len(question)}")
    if "answer" not in entry:
        raise DataError(path, where, "missing key 'answer'")
    answer = _option(entry["answer"], path, f"{where}.answer")
    texts = [fact.text, *(c.quote for c in fact.citations)]
    if not any(mentions(text, answer, folded=True) for text in texts):
        raise DataError(path, f"{where}.answer", f"{answer!r} is not in fact {fact_id!r}: neither its text nor its quotes say it")
    raw = string_list(entry, "distractors", path, where)
    if len(raw) != DISTRACTORS:
        raise DataError(path, f"{where}.distractors", f"expected {DISTRACTORS} distractors, found {len(raw)}")
    distractors: list[str] = []
    kind = kind_of(answer)
    for index, value in enumerate(raw):
        key = f"{where}.distractors[{index}]"
        distractor = _option(value, path, key)
        if fold(distractor) == fold(answer):
            raise DataError(path, key, f"{distractor!r} is the answer")
        if any(fold(distractor) == fold(other) for other in distractors):
            raise DataError(path, key, f"{distractor!r} is given twice")
        if kind is not None and kind_of(distractor) != kind:
            raise DataError(path, key, f"{distractor!r} is not a {kind} like the answer {answer!r}")
        if any(mentions(text, distractor, folded=True) for text in texts):
            raise DataError(path, key, f"{distractor!r} is stated in fact {fact_id!r}: it may be another true answer")
        distractors.append(distractor)
    cited = tuple(c for c in fact.citations if mentions(c.quote, answer, folded=True)) or fact.citations
    return QuizItem(where, question, answer, fact_id, cited, kind or "written", tuple(distractors), written=True)


def _option(value: object, path: Path, where: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise DataError(path, where, f"expected a string, found {type(value).__name__}")
    text = " ".join(str(value).split())
    if not text:
        raise DataError(path, where, "must not be empty")
    if len(text) > OPTION_LIMIT:
        raise DataError(path, where, f"at most {OPTION_LIMIT} characters (a button label), found {len(text)}")
    return text


# -- one quiz -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    """One question as a quiz asks it: its number, four options in the order shown, and which is right."""

    number: int
    item: QuizItem
    options: tuple[str, ...]
    right: int

    @property
    def answer(self) -> str:
        """The right option, lettered: "B. 2015"."""
        return f"{LETTERS[self.right]}. {self.options[self.right]}"


def draw(bank: QuizBank, count: int, seed: int | str) -> tuple[Question, ...]:
    """`count` questions (fewer if the bank runs out), no two on the same fact or with the same answer.

    Deterministic for a seed: the same bank and seed give the same questions, options and order.
    """
    rng = random.Random(seed)
    # Weighted sampling without replacement (Efraimidis-Spirakis): written questions come up more often.
    keys = {item.key: rng.random() ** (1 / (WRITTEN_WEIGHT if item.written else 1.0)) for item in bank.items}
    ordered = sorted(bank.items, key=lambda item: keys[item.key], reverse=True)
    chosen: list[QuizItem] = []
    facts: set[str] = set()
    answers: set[str] = set()
    for item in ordered:
        if len(chosen) == count:
            break
        if item.fact in facts or fold(item.answer) in answers:
            continue
        chosen.append(item)
        facts.add(item.fact)
        answers.add(fold(item.answer))
    return tuple(_ask(number, item, rng) for number, item in enumerate(chosen, 1))


def _ask(number: int, item: QuizItem, rng: random.Random) -> Question:
    if item.written:
        distractors = list(item.distractors)
    else:
        # Up to two from the rest of the knowledge (plausible: the article's own figures), the rest near the answer.
        distractors = rng.sample(item.distractors, min(2, len(item.distractors)))
        near = rng.sample(item.near, min(DISTRACTORS - len(distractors), len(item.near)))
        distractors += near
        spare = [d for d in item.distractors if d not in distractors]
        distractors += rng.sample(spare, DISTRACTORS - len(distractors))
    options = [item.answer, *distractors]
    rng.shuffle(options)
    return Question(number, item, tuple(options), options.index(item.answer))


class Press(StrEnum):
    """What became of a member's press of an option."""

    COUNTED = "counted"
    AGAIN = "again"  # they had answered this question already
    CLOSED = "closed"  # not the open question (closed, or not asked yet)


@dataclass(slots=True)
class Player:
    """One member's quiz so far."""

    name: str
    right: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class Standing:
    """A line of a scoreboard: place (ties share one), name, right answers, questions answered."""

    place: int
    name: str
    right: int
    answered: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """A closed question: who answered what, and why it closed."""

    question: Question
    answers: tuple[tuple[int, str, bool], ...]  # (member, name, right) in the order they answered
    everyone: bool  # closed because everyone playing had answered, not by the time limit

    @property
    def right(self) -> tuple[str, ...]:
        """The names of those who got it right, in the order they answered."""
        return tuple(name for _, name, right in self.answers if right)


@dataclass(slots=True)
class Game:
    """One quiz's play: the open question, each member's answer to it, and everyone's score.

    A question closes when its time is up (the front end's timer) or as soon as everyone who has
    pressed a button in this quiz has answered it (`everyone_answered`); the first question,
    before anyone has played, closes on time only.
    """

    questions: tuple[Question, ...]
    players: dict[int, Player] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    _open: Question | None = None
    _answers: dict[int, tuple[str, int]] = field(default_factory=dict)  # member -> (display name, option)
    _expected: frozenset[int] = frozenset()
    _asked: int = 0

    @property
    def current(self) -> Question | None:
        """The open question, if one is open."""
        return self._open

    @property
    def finished(self) -> bool:
        """Whether every question has been asked and closed."""
        return self._open is None and self._asked == len(self.questions)

    def ask_next(self) -> Question | None:
        """Open the next question; None when there are no more."""
        if self._open is not None:
            raise RuntimeError("close the open question first")
        if self._asked == len(self.questions):
            return None
        self._open = self.questions[self._asked]
        self._asked += 1
        self._answers = {}
        self._expected = frozenset(self.players)
        return self._open

    def press(self, member: int, name: str, number: int, option: int) -> Press:
        """A member presses option (0-3) of question `number`: counted once per member and question."""
        if self._open is None or number != self._open.number or not 0 <= option < len(self._open.options):
            return Press.CLOSED
        if member in self._answers:
            return Press.AGAIN
        self._answers[member] = (name, option)
        return Press.COUNTED

    def answer_of(self, member: int) -> int | None:
        """The option a member chose for the open question, if they have answered it."""
        answer = self._answers.get(member)
        return answer[1] if answer is not None else None

    @property
    def everyone_answered(self) -> bool:
        """Whether everyone who played an earlier question has answered the open one (never on the first)."""
        return bool(self._expected) and self._expected <= self._answers.keys()

    def close(self) -> Outcome:
        """Close the open question and score it."""
        question = self._open
        if question is None:
            raise RuntimeError("no question is open")
        answers = []
        for member, (name, option) in self._answers.items():
            player = self.players.setdefault(member, Player(name))
            player.name = name  # the latest display name
            right = option == question.right
            player.answered += 1
            player.right += right
            answers.append((member, player.name, right))
        outcome = Outcome(question, tuple(answers), self.everyone_answered)
        self.outcomes.append(outcome)
        self._open = None
        return outcome

    def abandon(self) -> None:
        """Close the open question without scoring it (the quiz was stopped while it was open)."""
        self._open = None
        self._answers = {}

    def standings(self) -> list[Standing]:
        """The scoreboard: most right answers first, then fewest answered; ties share a place."""
        return rank((p.name, p.right, p.answered) for p in self.players.values())


def rank(rows: Iterable[tuple[str, int, int]]) -> list[Standing]:
    """(name, right, answered) rows as a scoreboard: most right first, then fewest answered; ties share a place."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[2]))
    standings: list[Standing] = []
    for index, (name, right, answered) in enumerate(ordered):
        tied = bool(standings) and (standings[-1].right, standings[-1].answered) == (right, answered)
        place = standings[-1].place if tied else index + 1
        standings.append(Standing(place, name, right, answered))
    return standings


# -- as text, for the console ----------------------------------------------------------------


def question_text(question: Question, total: int) -> str:
    """A question and its lettered options, as plain text."""
    lead = f"Question {question.number} of {total}" + (": fill in the blank" if question.item.blank else "")
    options = [f"  {LETTERS[i]}. {option}" for i, option in enumerate(question.options)]
    return "\n".join([lead, question.item.question, *options])


def citation_lines(citations: Iterable[Citation]) -> list[str]:
    """Each citation quoted, with its paragraph."""
    return [f"  > “{c.quote}” ({'title' if c.paragraph == 0 else f'paragraph {c.paragraph}'})" for c in citations]


def reveal_text(outcome: Outcome, knowledge: Knowledge, *, who: bool = True) -> str:
    """The right answer, the fact and its verbatim quotes, and (with who) who got it right."""
    question = outcome.question
    fact = knowledge.facts.get(question.item.fact)
    lines = [f"The answer: {question.answer}"]
    if fact is not None:
        lines.append(fact.text)
    lines += citation_lines(question.item.citations)
    if not who:
        pass
    elif not outcome.answers:
        lines.append("Nobody answered.")
    else:
        right = outcome.right
        lines.append(f"Right: {', '.join(right)}" if right else "Nobody got it right.")
    return "\n".join(lines)


def scoreboard_text(standings: Sequence[Standing], asked: int) -> str:
    """The end of a quiz: each player's right answers of the `asked` questions that closed."""
    if not standings:
        return "Quiz over. Nobody answered."
    lines = [f"Quiz over after {asked} question{'s' if asked != 1 else ''}."]
    lines += [f"  {s.place}. {s.name}: {s.right} right of {s.answered} answered" for s in standings]
    return "\n".join(lines)


def letter_of(text: str) -> int | None:
    """The option a typed answer names: "b", "B", "b)" or "B." is 1; anything else None."""
    typed = text.strip().rstrip(").:").strip().upper()
    return LETTERS.index(typed) if len(typed) == 1 and typed in LETTERS else None
