"""Choosing what answers a question: guards on the matcher's ranking, and the decision.

Pure logic over the matcher; the engine turns a Decision into a Reply with the handlers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.lexicon import CONCEPT_PREFIX, ENTITY_PREFIX
from bot.matcher import Matcher
from bot.models import Intent, Kind, Match
from bot.normalize import Analysis

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

# Handlers that never answer on their own: they are not offered as suggestions or second readings.
SOURCE_HANDLER = "source"
GAP_HANDLER = "gap"

# Words that join two questions in one: below the answer threshold, a second reading needs one.
_TWO_PARTS = re.compile(r"\b(vs|versus|compare[ds]?|comparison|and|both|than|difference|or)\b|&|/")


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do: answer with one or two intents, clarify between some, or decline (offering some)."""

    kind: Kind
    matches: tuple[Match, ...] = ()
    score: float = 0.0


class Decider:
    """Ranks intents for a reading of a question and applies the guards."""

    def __init__(
        self,
        matcher: Matcher,
        setting: Iterable[str],
        subject: Iterable[str],
        slots: Iterable[str],
        modifiers: Iterable[str] = (),
    ) -> None:
        self.matcher = matcher
        self._setting = frozenset(setting)
        self._subject = frozenset(subject)
        self._slots = frozenset(CONCEPT_PREFIX + slot for slot in slots)
        self._modifiers = frozenset(CONCEPT_PREFIX + modifier for modifier in modifiers)

    def decide(
        self, reading: Analysis, named: frozenset[str], hinted: frozenset[str], message: Analysis | None = None
    ) -> Decision:
        """The decision for one reading: the whole message, or (with message) one clause of it.

        named: the entities the message names; hinted: those plus the ones a pronoun refers to.
        """
        if not hinted and self.matcher.unknown_share(reading) >= UNKNOWN_SHARE_LIMIT:
            # No name from the article and mostly words it never uses: chatter about something else.
            return Decision(Kind.DECLINE)
        ranked = self.matcher.rank(reading)
        fitting = [m for m in ranked if self.misfit(m.intent, reading, named, hinted) is None]
        if not fitting or self._vetoed(ranked[0], fitting[0], reading, named, hinted):
            return Decision(Kind.DECLINE, tuple(fitting))
        best = fitting[0]
        close = [m for m in fitting if best.score - m.score < LEAD_NEEDED]
        fullest = _fullest(close)
        if best.score >= CLARIFY_AT and fullest is not None:
            whole = message or reading
            chosen = self._readings(fitting, fullest, whole, named, hinted)
            explained = self.matcher.weigh(self._unexplained(reading, chosen)) <= UNEXPLAINED_LIMIT * self.matcher.weigh(
                frozenset(reading.content)
            )
            asked_twice = best.score >= ANSWER_AT or _TWO_PARTS.search(whole.cleaned) or whole.checking
            if explained and len(chosen) == 2 and asked_twice:
                return Decision(Kind.ANSWER, tuple(chosen), min(best.score, chosen[1].score))
            if best.score >= ANSWER_AT:
                if not explained:
                    return Decision(Kind.DECLINE, tuple(fitting))
                return Decision(Kind.ANSWER, (chosen[0],), best.score)
        if best.score >= CLARIFY_AT and len(close) > 1:
            return Decision(Kind.CLARIFY, tuple(close), best.score)
        return Decision(Kind.DECLINE, tuple(fitting))

    def misfit(self, intent: Intent, reading: Analysis, named: frozenset[str], hinted: frozenset[str]) -> str | None:
        """Which guard rules the intent out, if any: every entity named must belong to it, an entity
        it requires must be named or referred to, a slot in the question must be one it knows,
        and it must answer the kind of question asked."""
        if not (named - self._setting) <= intent.entities:
            return "entity"
        if intent.requires and not hinted & intent.requires:
            return "requires"
        slots = self._slots.intersection(reading.content)
        if slots and not slots <= self.matcher.vocabulary_of(intent):
            return "slot"
        if reading.qtype is not None and reading.qtype not in intent.asks:
            return "question type"
        if intent.handler == GAP_HANDLER and intent.asks and reading.qtype not in intent.asks:
            return "question type"  # a gap is only the answer to the very question it leaves open
        return None

    def _vetoed(self, top: Match, best_fitting: Match, reading: Analysis, named: frozenset[str], hinted: frozenset[str]) -> bool:
        """The best reading of the question is one the guards rule out (Alibaba's revenue, who
        founded Joyo): then a weaker reading that fits would be a wrong fact."""
        return (
            self.misfit(top.intent, reading, named, hinted) in BLOCKING_MISFITS
            and top.score >= BLOCK_AT
            and top.score - best_fitting.score >= BLOCK_LEAD
        )

    def _readings(
        self, fitting: list[Match], first: Match, whole: Analysis, named: frozenset[str], hinted: frozenset[str]
    ) -> list[Match]:
        """The intents that answer the question: the first, a wider one that also explains the rest,
        or the first and a second that answers the rest ("huang's net worth vs pdd's revenue", or a
        premise to set right: "since revenue grew 144%, what was GMV growth?")."""
        rest = self._unexplained(whole, [first])
        if not rest:
            return [first]
        facts = set(first.intent.facts)
        for match in fitting:
            if match.score >= CLARIFY_AT and facts < set(match.intent.facts) and not self._unexplained(whole, [match]):
                return [match]
        second = self._second_reading(whole, rest, first, named, hinted)
        return [first] if second is None else [first, second]

    def _unexplained(self, reading: Analysis, chosen: list[Match]) -> frozenset[str]:
        """Names and concepts of the question that none of the chosen intents knows (a premise to
        check may name the wrong company: there only concepts count)."""
        known = frozenset().union(self._modifiers, *(self.matcher.vocabulary_of(m.intent) for m in chosen))
        kinds = "#" if reading.checking else "#@"
        return frozenset(t for t in reading.content if t[0] in kinds and t not in known and t[1:] not in self._setting)

    def _second_reading(
        self, whole: Analysis, rest: frozenset[str], first: Match, named: frozenset[str], hinted: frozenset[str]
    ) -> Match | None:
        """The intent that best answers what the first one leaves unexplained, if it is confident."""
        taken = set(first.intent.facts)
        remainder = replace(whole, content=tuple(sorted(rest)), qtype=None)
        # Only the names the first reading leaves unexplained must belong to the second one...
        unexplained_names = frozenset(t[1:] for t in rest if t.startswith(ENTITY_PREFIX))
        # ... and it must be about the same story: share a name with the first reading and, if the
        # question names someone besides the story's subject (Tmall, Colin Huang), be about them.
        topic = first.intent.entities - self._setting
        asked_about = named - self._setting - self._subject
        for match in self.matcher.rank(remainder):
            if set(match.intent.facts) <= taken or match.intent.handler in (SOURCE_HANDLER, GAP_HANDLER):
                continue
            if not match.intent.entities & topic or (asked_about and not match.intent.entities & asked_about):
                continue
            if self.misfit(match.intent, whole, unexplained_names, hinted) not in (None, "question type"):
                continue
            return match if match.score >= ANSWER_AT else None
        return None


def _fullest(close: list[Match]) -> Match | None:
    """Among near-tied matches, the one whose facts hold all the others' facts (None if none does)."""
    for match in close:
        facts = set(match.intent.facts)
        if all(set(other.intent.facts) <= facts for other in close):
            return match
    return None
