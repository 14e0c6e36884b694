"""The answer engine: answer, clarify, decline or chat. Pure: no I/O per question.

text -> Analysis (normalize) -> Decision (decide, over the matcher) -> Reply (handlers)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot import compiled
from bot.classifier import CLASSIFIER_FILE, Classifier
from bot.decide import GAP_HANDLER, SOURCE_HANDLER, Ask, Decider, Decision
from bot.evidence import Evidence
from bot.examples import load_examples
from bot.folding import Folded, Folder
from bot.handlers import HANDLERS, Answer, profile, source, timeline
from bot.intents import INTENTS_FILE, load_intents, load_replies, load_smalltalk
from bot.knowledge import Knowledge, load_knowledge
from bot.lexicon import ENTITY_PREFIX, LEXICON_FILE, Lexicon, load_lexicon
from bot.matcher import NEAR_MISS_CLASS, Matcher
from bot.models import Intent, Kind, Match, Reply
from bot.normalize import Analysis, Analyzer
from bot.quiz import QuizBank, generate, load_quiz
from bot.smalltalk import SmallTalk, SmallTalkDetector

SUGGESTIONS = 3
MAX_TEXT = 4000  # Discord's longest message (Nitro); anything longer is cut before analysis
_PARAGRAPH = re.compile(r"\b(?:paragraph|para|p)\s*(\d{1,2})\b")


log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """The shipped data: inside the installed package, or `intents/` beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "intents", here.parent / "intents"):
        if (candidate / "intents.yaml").is_file():
            return candidate
    return here.parent / "intents"


@dataclass(frozen=True, slots=True)
class Context:
    """What a conversation remembers between questions: the entities and paragraphs last talked about."""

    entities: frozenset[str] = frozenset()
    paragraphs: tuple[int, ...] = ()

    @classmethod
    def after(cls, reply: Reply) -> Context:
        """The context for the next question of the same conversation."""
        return cls(reply.entities, tuple(dict.fromkeys(c.paragraph for c in reply.citations)))


class Engine:
    """Loaded once from the data directory; answer() is a pure function of the text and context."""

    def __init__(
        self,
        knowledge: Knowledge,
        analyzer: Analyzer,
        matcher: Matcher,
        smalltalk: tuple[SmallTalk, ...],
        replies: Mapping[str, str],
        quiz: QuizBank | None = None,
        classifier: Classifier | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.replies = dict(replies)
        self.quiz = quiz if quiz is not None else QuizBank(generate(knowledge, ()))  # /quiz's questions
        self.intents = matcher.intents  # with the labelled examples that teach the matcher
        intents = self.intents
        self.analyzer = analyzer
        self.matcher = matcher
        self.smalltalk = SmallTalkDetector(smalltalk, analyzer)
        self.decider = Decider(
            analyzer, self.matcher, self.smalltalk, Evidence(knowledge.facts.values()), knowledge.years, classifier=classifier
        )
        self._by_name = {intent.name: intent for intent in intents}
        # Derived once: /timeline choices, /facts autocomplete (per keystroke) and the year guard read them.
        self.years: tuple[int, ...] = knowledge.years
        self._years = frozenset(self.years)
        self._year_list = ", ".join(map(str, self.years))
        self._setting = frozenset(analyzer.setting)
        names = analyzer.entity_names
        self.topics: tuple[tuple[str, str], ...] = tuple((e, names[e]) for e in names if knowledge.about(e))
        self._default_suggestions = tuple(
            dict.fromkeys(i.suggestion for i in intents if i.handler not in (SOURCE_HANDLER, GAP_HANDLER))
        )

    @classmethod
    def load(cls, data_dir: Path | None = None, *, without_examples: Iterable[str] = ()) -> Engine:
        """Load and validate every data file; raises DataError naming the file and key.

        without_examples: stems of example files to leave out (cross-validation scores a set
        with its own examples left out)."""
        data_dir = data_dir or default_data_dir()
        lexicon = load_lexicon(data_dir)
        knowledge = load_knowledge(data_dir, frozenset(lexicon.entity_names))
        intents = load_intents(
            data_dir, knowledge, [*HANDLERS, SOURCE_HANDLER, GAP_HANDLER], lexicon.entity_names, None, lexicon.question_types
        )
        analyzer = Analyzer(lexicon, (t for intent in intents for t in intent.templates))
        name = compiled.key(data_dir, without_examples)
        matcher = compiled.load(name, analyzer)
        if matcher is None:
            matcher = _build_matcher(data_dir, lexicon, knowledge, intents, analyzer, without_examples)
            compiled.save(name, matcher)
        quiz = load_quiz(data_dir, knowledge, lexicon.entity_names)
        replies = load_replies(data_dir)
        return cls(knowledge, analyzer, matcher, load_smalltalk(data_dir), replies, quiz, _classifier(data_dir, intents))

    # -- what front ends show ------------------------------------------------------------

    @property
    def title(self) -> str:
        """The article's headline."""
        return self.knowledge.article.title

    @property
    def paragraph_count(self) -> int:
        """Paragraphs after the title."""
        return len(self.knowledge.article.paragraphs) - 1

    def help(self) -> Reply:
        """What the bot can do, as a chat reply with example questions."""
        return self._chat("help")

    def timeline(self, year: int | None = None) -> Reply:
        """All dated events, or one year's."""
        answer = timeline(self.knowledge, year)
        if answer is None:
            return self._decline(self.replies["no_events"].format(year=year, years=self._year_list))
        return self._answer("timeline", answer, 100, frozenset())

    def profile(self, topic: str) -> Reply:
        """What the article says about a person or company, by id or name."""
        entity = self._entity(topic)
        answer = profile(self.knowledge, entity, self.analyzer.entity_names[entity]) if entity else None
        if answer is None or entity is None:
            return self._decline(self.replies["unknown_topic"].format(topic=repr(topic)))
        return self._answer("profile", answer, 100, frozenset({entity}))

    def source(self, paragraph: int) -> Reply:
        """One paragraph quoted whole (0 is the title)."""
        answer = source(self.knowledge, paragraph)
        if answer is None:
            return self._decline(self.replies["paragraphs"].format(last=self.paragraph_count))
        return self._answer("source", answer, 100, frozenset())

    def answer_intent(self, name: str) -> Reply:
        """What an intent says on its own, as if its suggestion had been asked."""
        intent = self._by_name[name]
        match = Match(intent, 1.0, intent.suggestion)
        return self._respond(match, self.analyzer.analyze(intent.suggestion), Context(), frozenset())

    def answer_matches(self, matches: Sequence[Match], ask: Ask) -> Reply:
        """The answer these readings would give to an ask (for fitting the decision model)."""
        return self._reply(Decision(Kind.ANSWER, "answer", "", tuple(matches), ask=ask), Context())

    def suggest(self, text: str, limit: int = 25) -> list[str]:
        """Questions to offer while someone types, best first (for autocomplete)."""
        analysis = self.analyzer.analyze(text)
        ranked = [m.intent.suggestion for m in self.matcher.rank(analysis)] if analysis.content else []
        rest = [s for s in self._default_suggestions if s not in ranked]
        return [s[:100] for s in (ranked + rest)[:limit]]

    # -- the decision ----------------------------------------------------------------------

    def answer(self, text: str, context: Context | None = None) -> Reply:
        """Answer, clarify, decline or chat: the bot's reply to one message."""
        context = context or Context()
        analysis = self.analyzer.analyze(text[:MAX_TEXT])
        decision = self.decider.decide(analysis, context.entities)
        return self._reply(decision, context)

    def _reply(self, decision: Decision, context: Context) -> Reply:
        """The Reply for a decision: the handlers' answers, the suggestions to clarify, or a decline."""
        ask = decision.ask
        entities = ask.named if ask else frozenset()
        if decision.parts:
            replies = [self._reply(part, context) for part in decision.parts]
            answered = [r for r in replies if r.kind is Kind.ANSWER]
            if not answered:
                return replies[0]
            return self._combine(answered, decision.reason, frozenset().union(*(r.entities for r in replies)))
        if decision.kind is Kind.CHAT:
            return self._chat(decision.chat or "help", decision.reason)
        if decision.profile is not None:
            return replace(self.profile(decision.profile), reason=decision.reason)
        if decision.kind is Kind.ANSWER and ask is not None:
            replies = [self._respond(match, ask.analysis, context, entities) for match in decision.matches]
            if len(replies) == 1 or any(r.kind is not Kind.ANSWER for r in replies):
                reply = replies[0]
                return reply if reply.kind is not Kind.ANSWER else replace(reply, reason=decision.reason)
            return self._combine(replies, decision.reason, entities)
        if decision.kind is Kind.CLARIFY:
            suggestions = tuple(m.intent.suggestion for m in decision.matches[:SUGGESTIONS])
            return Reply(Kind.CLARIFY, None, 0, self.replies["clarify"], (), suggestions, entities, decision.reason)
        return self._decline(self._decline_text(decision), list(decision.matches), entities, decision.reason)

    def _decline_text(self, decision: Decision) -> str:
        """What the decline says: what the article never gives about the names asked about, that the
        question is outside the article, or plainly that the article doesn't say."""
        reading = decision.ask.analysis if decision.ask else None
        if decision.rule == "unsupported" and reading is not None and reading.unsupported:
            named = [self.analyzer.entity_names[e] for e in sorted(decision.ask.named - self._setting)] if decision.ask else []
            whose = f"{named[0]}'s " if len(named) == 1 else ""
            return self.analyzer.unsupported_replies[reading.unsupported[0]].replace("{whose}", whose)
        if decision.rule == "other_year" and reading is not None and reading.years - self._years:
            return self.replies["other_year"].format(year=min(reading.years - self._years), years=self._year_list)
        if decision.rule == "outside":
            return self.replies["outside"]
        return self.replies["decline"]

    def _combine(self, replies: list[Reply], reason: str, entities: frozenset[str]) -> Reply:
        """One answer made of several: each part's text in order, citations once each."""
        unique = list({r.text: r for r in replies}.values())
        text = "\n".join(r.text for r in unique)
        citations = tuple(dict.fromkeys(c for r in unique for c in r.citations))
        name = "+".join(dict.fromkeys(r.intent or "" for r in unique))
        return Reply(Kind.ANSWER, name, min(r.confidence for r in unique), text, citations, (), entities, reason)

    def _respond(self, match: Match, analysis: Analysis, context: Context, entities: frozenset[str]) -> Reply:
        intent = match.intent
        if intent.handler == SOURCE_HANDLER:
            wanted = _PARAGRAPH.search(analysis.cleaned)
            paragraph = int(wanted.group(1)) if wanted else (context.paragraphs[0] if context.paragraphs else None)
            if paragraph is None:
                return self._decline(self.replies["source_first"].format(last=self.paragraph_count))
            return self.source(paragraph)
        if intent.handler == GAP_HANDLER:
            text = " ".join(self.knowledge.facts[f].text for f in intent.facts)
            offered = (intent.suggestion, *(d for d in self._default_suggestions if d != intent.suggestion))
            reason = f"decline: {intent.name}, what the article leaves unsaid ({match.template!r})"
            return Reply(Kind.DECLINE, intent.name, 0, text, (), offered[:SUGGESTIONS], entities, reason)
        answer = HANDLERS[intent.handler](self.knowledge, intent, analysis)
        if answer is None:
            return self._decline(self.replies["decline"], entities=entities)
        return self._answer(intent.name, answer, _percent(match.score), entities | intent.entities & entities)

    def _answer(self, intent: str, answer: Answer, confidence: int, entities: frozenset[str]) -> Reply:
        return Reply(Kind.ANSWER, intent, confidence, answer.text, answer.citations, (), entities)

    def _decline(
        self, text: str, near: list[Match] | None = None, entities: frozenset[str] = frozenset(), reason: str = ""
    ) -> Reply:
        # The readings nearest the question first, then the questions about the names it asks
        # about, and the usual ones only when nothing relates.
        offered = [m.intent.suggestion for m in near or [] if m.intent.handler not in (SOURCE_HANDLER, GAP_HANDLER)]
        about = entities - self._setting
        offered += [i.suggestion for i in self.intents if about & i.entities and i.handler not in (SOURCE_HANDLER, GAP_HANDLER)]
        offered += self._default_suggestions
        return Reply(Kind.DECLINE, None, 0, text, (), tuple(dict.fromkeys(offered))[:SUGGESTIONS], entities, reason)

    def _chat(self, kind: str, reason: str = "") -> Reply:
        reply = self.smalltalk.kinds[kind].reply
        suggestions = self._default_suggestions[:SUGGESTIONS] if kind == "help" else ()
        return Reply(Kind.CHAT, None, 0, reply.replace("{title}", self.title), (), suggestions, frozenset(), reason)

    def _entity(self, topic: str) -> str | None:
        folded = topic.strip().casefold()
        for entity, name in self.analyzer.entity_names.items():
            if folded in (entity, name.casefold()):
                return entity
        analysis = self.analyzer.analyze(topic)
        return next(iter(analysis.entities)) if len(analysis.entities) == 1 else None


def _build_matcher(
    data_dir: Path,
    lexicon: Lexicon,
    knowledge: Knowledge,
    intents: tuple[Intent, ...],
    analyzer: Analyzer,
    without_examples: Iterable[str],
) -> Matcher:
    """The matcher over the intents, their labelled examples and the near-misses."""
    example_sets = load_examples(data_dir, (i.name for i in intents), exclude=without_examples)
    folder = Folder(analyzer, [data_dir / LEXICON_FILE, data_dir / INTENTS_FILE, data_dir / lexicon.dictionary_file])
    # Only plain questions teach the matcher: several questions in one, or a claim whose wrong
    # year or name the answer sets right, would make that year or name look answered.
    setting = frozenset(lexicon.setting)
    intents = tuple(
        replace(
            intent,
            examples=tuple(
                q for s in example_sets for q in s.by_intent.get(intent.name, ()) if _teaches(folder.fold(q), intent, setting)
            ),
        )
        for intent in intents
    )
    near_misses: dict[str, list[str]] = {}
    for example_set in example_sets:
        for group, questions in example_set.near_misses.items():
            near_misses.setdefault(group, []).extend(questions)
    matcher = Matcher(intents, analyzer, near_misses, frozenset(knowledge.years), folder)
    folder.save()
    return matcher


def _classifier(data_dir: Path, intents: Sequence[Intent]) -> Classifier | None:
    """The fitted classifier of the data directory, unless it was fitted on other intents than
    these (an intent added or renamed since): then its margins would mislead, and it is left out
    until `eval/fit.py` fits it again."""
    classifier = Classifier.load(data_dir / CLASSIFIER_FILE)
    if classifier is None:
        return None
    stale = set(classifier.classes) ^ ({i.name for i in intents} | {NEAR_MISS_CLASS})
    if stale:
        log.warning(
            "%s was fitted on other intents (%s): answering without it until eval/fit.py refits it",
            CLASSIFIER_FILE,
            ", ".join(sorted(stale)),
        )
        return None
    return classifier


def _teaches(example: Folded, intent: Intent, setting: frozenset[str]) -> bool:
    """Whether a labelled example may teach the matcher its intent: it is one plain question (not
    several, not a claim whose wrong year or name the answer sets right), and it names no one the
    intent's facts are not about (the guards would never let the intent answer it: a labelling slip)."""
    named = {t[1:] for t in example.content if t.startswith(ENTITY_PREFIX)}
    return example.plain and named <= intent.entities | setting


def _percent(score: float) -> int:
    return max(0, min(100, round(score * 100)))
