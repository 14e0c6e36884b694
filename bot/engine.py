"""The answer engine: answer, clarify, decline or chat. Pure: no I/O per question.

text -> Analysis (normalize) -> Decision (decide, over the matcher) -> Reply (handlers)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.decide import GAP_HANDLER, SOURCE_HANDLER, Decider, Decision
from bot.handlers import HANDLERS, Answer, profile, source, timeline
from bot.intents import load_intents, load_smalltalk
from bot.knowledge import Knowledge, load_knowledge
from bot.lexicon import CONCEPT_PREFIX, ENTITY_PREFIX, load_lexicon
from bot.matcher import Matcher
from bot.models import Intent, Kind, Match, Reply
from bot.normalize import Analysis, Analyzer, question_clause
from bot.quiz import QuizBank, generate, load_quiz
from bot.smalltalk import SmallTalk, SmallTalkDetector

SUGGESTIONS = 3
MAX_TEXT = 4000  # Discord's longest message (Nitro); anything longer is cut before analysis
_SUMMARY = CONCEPT_PREFIX + "summary"
_PARAGRAPH = re.compile(r"\b(?:paragraph|para|p)\s*(\d{1,2})\b")

# Front ends show the suggestions after these texts ("You could ask:" / "Did you mean:", or buttons).
DECLINE_TEXT = "Sorry, the article doesn't say."
OUTSIDE_TEXT = "The article doesn't cover that: it is only about Amazon, Pinduoduo and e-commerce in China."
CLARIFY_TEXT = "I'm not sure which question you mean."


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
        intents: tuple[Intent, ...],
        analyzer: Analyzer,
        smalltalk: tuple[SmallTalk, ...],
        quiz: QuizBank | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.quiz = quiz if quiz is not None else QuizBank(generate(knowledge, ()))  # /quiz's questions
        self.intents = intents
        self.analyzer = analyzer
        self.matcher = Matcher(intents, analyzer)
        self.decider = Decider(self.matcher, analyzer.setting, analyzer.subject, analyzer.slots, analyzer.modifiers)
        self.smalltalk = SmallTalkDetector(smalltalk, analyzer)
        self._by_name = {intent.name: intent for intent in intents}
        # Derived once: /timeline choices, /facts autocomplete (per keystroke) and the year guard read them.
        self.years: tuple[int, ...] = knowledge.years
        self._years = frozenset(self.years)
        names = analyzer.entity_names
        self.topics: tuple[tuple[str, str], ...] = tuple((e, names[e]) for e in names if knowledge.about(e))
        self._default_suggestions = tuple(
            dict.fromkeys(i.suggestion for i in intents if i.handler not in (SOURCE_HANDLER, GAP_HANDLER))
        )

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Engine:
        """Load and validate every data file; raises DataError naming the file and key."""
        data_dir = data_dir or default_data_dir()
        lexicon = load_lexicon(data_dir)
        knowledge = load_knowledge(data_dir, frozenset(lexicon.entity_names))
        intents = load_intents(data_dir, knowledge, [*HANDLERS, SOURCE_HANDLER, GAP_HANDLER], lexicon.entity_names)
        analyzer = Analyzer(lexicon, (t for intent in intents for t in intent.templates))
        quiz = load_quiz(data_dir, knowledge, lexicon.entity_names)
        return cls(knowledge, intents, analyzer, load_smalltalk(data_dir), quiz)

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
            return self._decline(f"The article mentions no events in {year}. Years it covers: {', '.join(map(str, self.years))}.")
        return self._answer("timeline", answer, 100, frozenset())

    def profile(self, topic: str) -> Reply:
        """What the article says about a person or company, by id or name."""
        entity = self._entity(topic)
        answer = profile(self.knowledge, entity, self.analyzer.entity_names[entity]) if entity else None
        if answer is None or entity is None:
            return self._decline(f"The article says nothing about {topic!r}.")
        return self._answer("profile", answer, 100, frozenset({entity}))

    def source(self, paragraph: int) -> Reply:
        """One paragraph quoted whole (0 is the title)."""
        answer = source(self.knowledge, paragraph)
        if answer is None:
            return self._decline(f"The article has paragraphs 1 to {self.paragraph_count}.")
        return self._answer("source", answer, 100, frozenset())

    def answer_intent(self, name: str) -> Reply:
        """What an intent says on its own, as if its suggestion had been asked."""
        intent = self._by_name[name]
        match = Match(intent, 1.0, intent.suggestion)
        return self._respond(match, self.analyzer.analyze(intent.suggestion), Context(), frozenset())

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
        text = text[:MAX_TEXT]
        analysis = self.analyzer.analyze(text)
        if not analysis.words:
            return self._chat("help")  # a bare mention, emoji, punctuation: say what the bot does
        smalltalk = self.smalltalk.kind_of(analysis)
        if smalltalk is not None:
            return self._chat(smalltalk)
        if not analysis.content:
            return self._decline(DECLINE_TEXT)
        # A premise to check ("amazon bought alibaba to get into china, right?") is answered with what
        # the article says, which sets it right: a wrong year or name in it rules nothing out.
        checking = analysis.checking
        wrong_year = analysis.years - self._years
        if analysis.unsupported or (not checking and (analysis.outside or wrong_year)):
            return self._decline(OUTSIDE_TEXT, entities=analysis.entities)
        # A pronoun with no name ("and his net worth?") refers to the conversation so far.
        hinted = analysis.entities | (context.entities if analysis.has_pronoun and not analysis.entities else frozenset())
        named = frozenset() if checking else analysis.entities
        if (
            analysis.qtype in (None, "who")
            and len(hinted) == 1
            and all(t.startswith(ENTITY_PREFIX) or t == _SUMMARY for t in analysis.content)
        ):
            # A name alone, or a summary of one: what the article says about it.
            return self.profile(next(iter(hinted)))
        clause = question_clause(analysis.cleaned)
        if clause is not None:
            # Chatter around a question: the clause that asks is read first, with the names
            # of the whole message still guarding what may answer it.
            focused = replace(self.analyzer.analyze(clause), checking=analysis.checking)
            if focused.has_pronoun and not focused.entities:
                # "when did they leave": the names are elsewhere in the same message.
                extra = tuple(ENTITY_PREFIX + e for e in sorted(named))
                focused = replace(focused, content=focused.content + extra, entities=named)
            if focused.content:
                decision = self.decider.decide(focused, named, hinted, message=analysis)
                if decision.kind is Kind.ANSWER:
                    return self._reply(decision, focused, context, named)
        return self._reply(self.decider.decide(analysis, named, hinted), analysis, context, named)

    def _reply(self, decision: Decision, analysis: Analysis, context: Context, named: frozenset[str]) -> Reply:
        """The Reply for a decision: the handlers' answers, the suggestions to clarify, or a decline."""
        if decision.kind is Kind.ANSWER:
            replies = [self._respond(match, analysis, context, named) for match in decision.matches]
            if len(replies) == 1 or any(r.kind is not Kind.ANSWER for r in replies):
                return replies[0]
            text = "\n".join(r.text for r in replies)
            citations = tuple(dict.fromkeys(c for r in replies for c in r.citations))
            name = "+".join(m.intent.name for m in decision.matches)
            return Reply(Kind.ANSWER, name, min(r.confidence for r in replies), text, citations, (), named)
        if decision.kind is Kind.CLARIFY:
            suggestions = tuple(m.intent.suggestion for m in decision.matches[:SUGGESTIONS])
            return Reply(Kind.CLARIFY, None, _percent(decision.score), CLARIFY_TEXT, (), suggestions, named)
        return self._decline(DECLINE_TEXT, list(decision.matches), named)

    def _respond(self, match: Match, analysis: Analysis, context: Context, entities: frozenset[str]) -> Reply:
        intent = match.intent
        if intent.handler == SOURCE_HANDLER:
            wanted = _PARAGRAPH.search(analysis.cleaned)
            paragraph = int(wanted.group(1)) if wanted else (context.paragraphs[0] if context.paragraphs else None)
            if paragraph is None:
                return self._decline("Which part? Ask a question first, then ask for its source, or name a paragraph (1 to 4).")
            return self.source(paragraph)
        if intent.handler == GAP_HANDLER:
            text = " ".join(self.knowledge.facts[f].text for f in intent.facts)
            offered = (intent.suggestion, *(d for d in self._default_suggestions if d != intent.suggestion))
            return Reply(Kind.DECLINE, intent.name, _percent(match.score), text, (), offered[:SUGGESTIONS], entities)
        answer = HANDLERS[intent.handler](self.knowledge, intent, analysis)
        if answer is None:
            return self._decline(DECLINE_TEXT, entities=entities)
        return self._answer(intent.name, answer, _percent(match.score), entities | intent.entities & entities)

    def _answer(self, intent: str, answer: Answer, confidence: int, entities: frozenset[str]) -> Reply:
        return Reply(Kind.ANSWER, intent, confidence, answer.text, answer.citations, (), entities)

    def _decline(self, text: str, near: list[Match] | None = None, entities: frozenset[str] = frozenset()) -> Reply:
        offered = [m.intent.suggestion for m in near or [] if m.intent.handler not in (SOURCE_HANDLER, GAP_HANDLER)]
        offered += [s for s in self._default_suggestions if s not in offered]
        return Reply(Kind.DECLINE, None, 0, text, (), tuple(offered[:SUGGESTIONS]), entities)

    def _chat(self, kind: str) -> Reply:
        reply = self.smalltalk.kinds[kind].reply
        suggestions = self._default_suggestions[:SUGGESTIONS] if kind == "help" else ()
        return Reply(Kind.CHAT, None, 100, reply.replace("{title}", self.title), (), suggestions)

    def _entity(self, topic: str) -> str | None:
        folded = topic.strip().casefold()
        for entity, name in self.analyzer.entity_names.items():
            if folded in (entity, name.casefold()):
                return entity
        analysis = self.analyzer.analyze(topic)
        return next(iter(analysis.entities)) if len(analysis.entities) == 1 else None


def _percent(score: float) -> int:
    return max(0, min(100, round(score * 100)))
