"""The answer engine: decides between answer, clarify, decline and chat. Pure: no I/O per question."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.handlers import HANDLERS, Answer, profile, source, timeline
from bot.intents import SmallTalk, load_intents, load_smalltalk
from bot.knowledge import Knowledge, load_knowledge
from bot.lexicon import CONCEPT_PREFIX, ENTITY_PREFIX, load_lexicon
from bot.matcher import Matcher
from bot.models import Intent, Kind, Match, Reply
from bot.normalize import Analysis, Analyzer, clean, question_clause, tokenize

# Thresholds on the matcher's score (0 to about 1.1), chosen by measurement on eval/tune/ and the
# dev questions: `python -m bot eval FILE` shows what moving them costs.
ANSWER_AT = 0.55  # best score needed to answer
CLARIFY_AT = 0.42  # below this, decline; between the two, ask which question was meant
LEAD_NEEDED = 0.05  # how far the best must be ahead of a different answer to answer outright
BLOCKING_MISFITS = ("entity", "slot", "requires")  # guards whose veto of the best reading stands
BLOCK_AT = 0.75  # a guarded-out reading must be this strong to veto the readings that fit
BLOCK_LEAD = 0.05  # ... and this far ahead of them
UNKNOWN_SHARE_LIMIT = 0.3  # with no name from the article, more unknown words than this is chatter
UNEXPLAINED_LIMIT = 0.25  # share (by weight) of the question no chosen intent explains; more is declined

SUGGESTIONS = 3
MAX_TEXT = 4000  # Discord's longest message (Nitro); anything longer is cut before analysis
SOURCE_HANDLER = "source"
GAP_HANDLER = "gap"
_OPEN = re.compile(r"\b(what|whats|which|is|are|does|did|can|will|was)\b")
# Words that join two questions in one: below the answer threshold, a second reading needs one.
_TWO_PARTS = re.compile(r"\b(vs|versus|compare[ds]?|comparison|and|both|than|difference|or)\b|&|/")
_CONFIRMING = re.compile(r"\b(right|correct|true|isn'?t it|didn'?t it|wasn'?t it|no)\s*\?*\s*$")
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
        self, knowledge: Knowledge, intents: tuple[Intent, ...], analyzer: Analyzer, smalltalk: tuple[SmallTalk, ...]
    ) -> None:
        self.knowledge = knowledge
        self.intents = intents
        self.analyzer = analyzer
        self.matcher = Matcher(intents, analyzer)
        self._by_name = {intent.name: intent for intent in intents}
        self._smalltalk = {tuple(tokenize(clean(p))): kind for kind in smalltalk for p in kind.phrases}
        self._smalltalk_longest = max((len(k) for k in self._smalltalk), default=1)
        self._default_suggestions = tuple(
            dict.fromkeys(i.suggestion for i in intents if i.handler not in (SOURCE_HANDLER, GAP_HANDLER))
        )
        self._setting = frozenset(analyzer.setting)
        self._subject = frozenset(analyzer.subject)
        self._slots = frozenset(CONCEPT_PREFIX + slot for slot in analyzer.slots)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Engine:
        """Load and validate every data file; raises DataError naming the file and key."""
        data_dir = data_dir or default_data_dir()
        lexicon = load_lexicon(data_dir)
        knowledge = load_knowledge(data_dir, frozenset(lexicon.entity_names))
        intents = load_intents(data_dir, knowledge, [*HANDLERS, SOURCE_HANDLER, GAP_HANDLER], lexicon.entity_names)
        analyzer = Analyzer(lexicon, (t for intent in intents for t in intent.templates))
        return cls(knowledge, intents, analyzer, load_smalltalk(data_dir))

    # -- what front ends show ------------------------------------------------------------

    @property
    def title(self) -> str:
        """The article's headline."""
        return self.knowledge.article.title

    @property
    def paragraph_count(self) -> int:
        """Paragraphs after the title."""
        return len(self.knowledge.article.paragraphs) - 1

    @property
    def years(self) -> tuple[int, ...]:
        """Years with events, for /timeline."""
        return self.knowledge.years

    @property
    def topics(self) -> tuple[tuple[str, str], ...]:
        """(entity id, name) of everyone the article has facts about, for /facts."""
        names = self.analyzer.entity_names
        return tuple((e, names[e]) for e in names if self.knowledge.about(e))

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
        smalltalk = self._smalltalk_kind(analysis)
        if smalltalk is not None:
            return self._chat(smalltalk)
        if not analysis.content:
            return self._decline(DECLINE_TEXT)
        # A year the article has no events in is a decline, unless the question asks to confirm a
        # premise ("amazon came to china in 2010, right?"): the answer then gives the right year.
        wrong_year = analysis.years - set(self.years) and not _CONFIRMING.search(analysis.cleaned)
        if analysis.outside or analysis.unsupported or wrong_year:
            return self._decline(OUTSIDE_TEXT, entities=analysis.entities)
        named = analysis.entities
        # A pronoun with no name ("and his net worth?") refers to the conversation so far.
        hinted = named | (context.entities if analysis.has_pronoun and not named else frozenset())
        if self._names_only_entities(analysis) and len(hinted) == 1:
            return self.profile(next(iter(hinted)))
        clause = question_clause(text)
        if clause is not None:
            # Chatter around a question: the clause that asks is read first, with the names
            # of the whole message still guarding what may answer it.
            focused = self.analyzer.analyze(clause)
            if focused.has_pronoun and not focused.entities:
                # "when did they leave": the names are elsewhere in the same message.
                extra = tuple(ENTITY_PREFIX + e for e in sorted(named))
                focused = replace(focused, content=focused.content + extra, entities=named)
            if focused.content:
                reply = self._decide(focused, named, hinted, context, message=analysis)
                if reply.kind is Kind.ANSWER:
                    return reply
        return self._decide(analysis, named, hinted, context)

    def _decide(
        self, analysis: Analysis, named: frozenset[str], hinted: frozenset[str], context: Context, message: Analysis | None = None
    ) -> Reply:
        """Rank, guard and choose for one reading; message is the whole message when this reads one clause."""
        if not hinted and self.matcher.unknown_share(analysis) >= UNKNOWN_SHARE_LIMIT:
            # No name from the article and mostly words it never uses: chatter about something else.
            return self._decline(DECLINE_TEXT)
        ranked = self.matcher.rank(analysis)
        matches = [m for m in ranked if self._misfit(m.intent, analysis, named, hinted) is None]
        top = ranked[0] if ranked else None
        if not matches or (
            top is not None
            and self._misfit(top.intent, analysis, named, hinted) in BLOCKING_MISFITS
            and top.score >= BLOCK_AT
            and top.score - matches[0].score >= BLOCK_LEAD
        ):
            # The best reading of the question is one the guards rule out (Alibaba's revenue,
            # who founded Joyo): a weaker reading that fits would be a wrong fact.
            return self._decline(DECLINE_TEXT, matches, named)
        best = matches[0]
        close = [m for m in matches if best.score - m.score < LEAD_NEEDED]
        fullest = _fullest(close)
        if best.score >= CLARIFY_AT and fullest is not None:
            chosen = [fullest]
            rest = self._unexplained(message or analysis, chosen)
            wider = self._wider_reading(matches, fullest, rest, message or analysis)
            if wider is not None:
                # One intent that holds the first one's facts and explains the rest too ("gmv vs revenue").
                chosen, rest = [wider], frozenset()
            if rest:
                # "huang's net worth vs pdd's revenue", "since revenue grew 144%, what was GMV growth?":
                # a second question, or a premise to set right, inside the first.
                second = self._second_reading(message or analysis, rest, chosen, named, hinted)
                if second is not None:
                    chosen.append(second)
            rest = self._unexplained(analysis, chosen)
            explained = self.matcher.weigh(rest) <= UNEXPLAINED_LIMIT * self.matcher.weigh(frozenset(analysis.content))
            cleaned = (message or analysis).cleaned
            two_part = (
                best.score >= ANSWER_AT or _TWO_PARTS.search(cleaned) is not None or _CONFIRMING.search(cleaned) is not None
            )
            if explained and len(chosen) == 2 and two_part:
                return self._combine(chosen, analysis, context, named)
            if best.score >= ANSWER_AT:
                if not explained:
                    return self._decline(DECLINE_TEXT, matches, named)
                return self._respond(chosen[0], analysis, context, named)
        if best.score >= CLARIFY_AT and len(close) > 1:
            suggestions = tuple(m.intent.suggestion for m in close[:SUGGESTIONS])
            return Reply(Kind.CLARIFY, None, _percent(best.score), CLARIFY_TEXT, (), suggestions, named)
        return self._decline(DECLINE_TEXT, matches, named)

    def _unexplained(self, analysis: Analysis, chosen: list[Match]) -> frozenset[str]:
        """Names and concepts of the question that none of the chosen intents knows."""
        known = frozenset().union(*(self.matcher.vocabulary_of(m.intent) for m in chosen))
        return frozenset(t for t in analysis.content if t[0] in "#@" and t not in known and t[1:] not in self._setting)

    def _wider_reading(self, matches: list[Match], first: Match, rest: frozenset[str], analysis: Analysis) -> Match | None:
        """A fitting reading whose facts include the first one's and that leaves nothing unexplained."""
        if not rest:
            return None
        facts = set(first.intent.facts)
        for match in matches:
            if match.score >= CLARIFY_AT and facts < set(match.intent.facts) and not self._unexplained(analysis, [match]):
                return match
        return None

    def _second_reading(
        self, analysis: Analysis, rest: frozenset[str], chosen: list[Match], named: frozenset[str], hinted: frozenset[str]
    ) -> Match | None:
        """The intent that best answers what the first one leaves unexplained, if it is confident."""
        taken = set(chosen[0].intent.facts)
        remainder = replace(analysis, content=tuple(sorted(rest)), qtype=None)
        # Only the names the first reading leaves unexplained must belong to the second one...
        unexplained_names = frozenset(t[1:] for t in rest if t.startswith(ENTITY_PREFIX))
        # ... and it must be about the same story: share a name with the first reading and, if the
        # question names someone besides the story's subject (Tmall, Colin Huang), be about them.
        topic = chosen[0].intent.entities - self._setting
        asked_about = named - self._setting - self._subject
        for match in self.matcher.rank(remainder):
            if set(match.intent.facts) <= taken or match.intent.handler not in HANDLERS:
                continue
            if not match.intent.entities & topic or (asked_about and not match.intent.entities & asked_about):
                continue
            if self._misfit(match.intent, analysis, unexplained_names, hinted) not in (None, "question type"):
                continue
            return match if match.score >= ANSWER_AT else None
        return None

    def _combine(self, chosen: list[Match], analysis: Analysis, context: Context, named: frozenset[str]) -> Reply:
        replies = [self._respond(m, analysis, context, named) for m in chosen]
        if any(r.kind is not Kind.ANSWER for r in replies):
            return replies[0]
        text = "\n".join(r.text for r in replies)
        citations = tuple(dict.fromkeys(c for r in replies for c in r.citations))
        name = "+".join(m.intent.name for m in chosen)
        return Reply(Kind.ANSWER, name, min(r.confidence for r in replies), text, citations, (), named)

    def _misfit(self, intent: Intent, analysis: Analysis, named: frozenset[str], hinted: frozenset[str]) -> str | None:
        """Which guard rules the intent out, if any: every entity named must belong to it, an entity
        it requires must be named or referred to, a slot in the question must be one it knows,
        and it must answer the kind of question asked."""
        if not (named - self._setting) <= intent.entities:
            return "entity"
        if intent.requires and not hinted & intent.requires:
            return "requires"
        if any(t in self._slots and t not in self.matcher.vocabulary_of(intent) for t in analysis.content):
            return "slot"
        if analysis.qtype is not None and analysis.qtype != "how" and analysis.qtype not in intent.asks:
            return "question type"
        if intent.handler == GAP_HANDLER and intent.asks and analysis.qtype not in intent.asks:
            return "question type"  # a gap is only the answer to the very question it leaves open
        return None

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
        reply = next(k.reply for k in self._smalltalk.values() if k.name == kind)
        suggestions = self._default_suggestions[:SUGGESTIONS] if kind == "help" else ()
        return Reply(Kind.CHAT, None, 100, reply.replace("{title}", self.title), (), suggestions)

    def _smalltalk_kind(self, analysis: Analysis) -> str | None:
        """The small-talk kind when the message is small talk: only small talk and filler, or a
        greeting followed by chatter that names nothing from the article and asks nothing."""
        words = list(analysis.words)
        found: str | None = None
        index = 0
        while index < len(words):
            for size in range(min(self._smalltalk_longest, len(words) - index), 0, -1):
                kind = self._smalltalk.get(tuple(words[index : index + size]))
                if kind is not None:
                    found = found if found == "help" else kind.name
                    index += size
                    break
            else:
                if self.analyzer.stem(words[index]) not in self.analyzer.stopwords:
                    break
                index += 1
        if index == len(words):
            return found
        opened_with_greeting = found in ("greeting", "thanks", "bye")
        names_nothing = not any(token[0] in "#@" for token in analysis.content)
        asks_nothing = names_nothing and analysis.qtype is None and not _OPEN.search(analysis.cleaned)
        return found if opened_with_greeting and asks_nothing and "?" not in analysis.cleaned else None

    def _names_only_entities(self, analysis: Analysis) -> bool:
        return analysis.qtype in (None, "who") and all(t.startswith(ENTITY_PREFIX) for t in analysis.content)

    def _entity(self, topic: str) -> str | None:
        folded = topic.strip().casefold()
        for entity, name in self.analyzer.entity_names.items():
            if folded in (entity, name.casefold()):
                return entity
        analysis = self.analyzer.analyze(topic)
        return next(iter(analysis.entities)) if len(analysis.entities) == 1 else None


def _fullest(close: list[Match]) -> Match | None:
    """Among near-tied matches, the one whose facts hold all the others' facts (None if none does)."""
    for match in close:
        facts = set(match.intent.facts)
        if all(set(other.intent.facts) <= facts for other in close):
            return match
    return None


def _percent(score: float) -> int:
    return max(0, min(100, round(score * 100)))
