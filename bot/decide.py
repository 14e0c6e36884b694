"""The decision: whether the bot answers, asks which question was meant, declines or chats.

One module says it, as short lists of named rules read in order. Every Decision carries the rule
that made it and a reason a person can read (`ask --json` shows it, `eval` prints it per miss).

    message rules:  empty, smalltalk, then the message is cut into the parts that ask (reading.py)
                    and each part is decided on its own; answered parts are answered in order
    part rules:     PART_RULES below, in order (outside, unsupported, quoted, profile, other_time,
                    exact); what none decides, the fitted confidence model (fitted.py) does:
                    answer, clarify between close readings, or decline

Pure logic over the analyzer and the matcher; the engine turns a Decision into a Reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from bot import fitted
from bot.classifier import Classifier
from bot.evidence import Evidence, figures, quoted
from bot.lexicon import CONCEPT_PREFIX, ENTITY_PREFIX
from bot.matcher import NEAR_MISS_CLASS, Matcher
from bot.models import Intent, Kind, Match
from bot.normalize import Analysis, Analyzer
from bot.reading import checks_a_claim, parts
from bot.smalltalk import SmallTalkDetector

# Thresholds on the matcher's score (0 to about 1.1); whether to answer is the fitted model's (bot/fitted.py).
SECOND_READING_AT = 0.55  # a second reading of a two-part question must score this much
WIDER_READING_AT = 0.42  # a wider reading that explains the whole question must score this much
LEAD_NEEDED = 0.05  # readings closer than this to the best are close: a tie unless one holds the others' facts
EXACT_AT = 0.69  # the template part of the score at which a question's words are a template's words

# Words that join two questions in one: below the answer threshold, a second reading needs one.
_TWO_PARTS = re.compile(r"\b(vs|versus|compare[ds]?|comparison|and|both|than|difference|or)\b|&|/")

# A yes/no about something besides what the article reports: its outside name is what is asked.
_ADDITIONAL = re.compile(r"\b(?:also|too|as well|besides|in addition|other)\b")

# Handlers that never answer on their own: they are not offered as suggestions or second readings.
SOURCE_HANDLER = "source"
GAP_HANDLER = "gap"


@dataclass(frozen=True, slots=True)
class Ask:
    """One part of a message that asks something, read on its own.

    named: the entities it names (an answer must be about all of them); referred: the ones its
    pronoun or role word may refer to (an answer must be about one of them); claim: it checks a
    claim (yes/no, a tag, alternatives); evidence: the facts holding a figure or phrase it quotes.
    """

    analysis: Analysis
    named: frozenset[str]
    referred: frozenset[str]
    claim: bool
    evidence: frozenset[str]
    tagged: bool = False  # put up to be checked: "..., right?", "true or false: ...", "X or Y?"

    @property
    def hinted(self) -> frozenset[str]:
        """The entities named and those referred to."""
        return self.named | self.referred


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do, the rule that decided it and why.

    answer: matches are the intents that answer (one or two); clarify: the candidates; decline:
    the nearest intents (offered as suggestions); chat: `chat` is the small-talk kind; a name alone:
    `profile` is the entity. A message of several parts has its parts' decisions in `parts`.
    """

    kind: Kind
    rule: str
    reason: str
    matches: tuple[Match, ...] = ()
    score: float = 0.0
    chat: str | None = None
    profile: str | None = None
    parts: tuple[Decision, ...] = ()
    ask: Ask | None = None
    candidate: tuple[Match, ...] = ()  # the reading the confidence model weighed, and its features
    features: dict[str, float] | None = None


@dataclass
class Ranking:
    """The matcher's ranking of a part, the readings in it that the guards let through, and (looked
    up only when a rule needs it) the closest known near-miss: (group, score, question)."""

    ranked: list[Match]
    fitting: list[Match]
    _nearest_miss: Callable[[], tuple[str, float, str] | None]
    _nearest: tuple[str, float, str] | None = None
    _looked: bool = False

    @property
    def nearest(self) -> tuple[str, float, str] | None:
        """The closest known near-miss, looked up once."""
        if not self._looked:
            self._nearest, self._looked = self._nearest_miss(), True
        return self._nearest

    @property
    def close(self) -> list[Match]:
        """The fitting readings within LEAD_NEEDED of the best."""
        return [m for m in self.fitting if self.fitting[0].score - m.score < LEAD_NEEDED]


# The part rules, in the order they are tried; the confidence model decides what none of them does.
# Each earns its place by a measured effect on a class of questions (eval/ablate.py switches each off).
PART_RULES = ("outside", "unsupported", "quoted", "profile", "other_time", "exact")


class Decider:
    """The rules, over the analyzer, the matcher and the article's figures and phrases."""

    def __init__(
        self,
        analyzer: Analyzer,
        matcher: Matcher,
        smalltalk: SmallTalkDetector,
        evidence: Evidence,
        event_years: Iterable[int],
        rules: Sequence[str] = PART_RULES,
        classifier: Classifier | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.classifier = classifier
        self.analyzer = analyzer
        self.matcher = matcher
        self.smalltalk = smalltalk
        self.evidence = evidence
        self._years = frozenset(event_years)
        self._setting = frozenset(analyzer.setting)
        self._subject = frozenset(analyzer.subject)
        self._slots = frozenset(CONCEPT_PREFIX + slot for slot in analyzer.slots)
        self._modifiers = frozenset(CONCEPT_PREFIX + modifier for modifier in analyzer.modifiers)
        self._answering = tuple(i for i in matcher.intents if i.handler not in (SOURCE_HANDLER, GAP_HANDLER))

    # -- the message ----------------------------------------------------------------------

    def decide(self, message: Analysis, conversation: frozenset[str] = frozenset()) -> Decision:
        """The decision for a whole message; conversation: the entities talked about last."""
        if not message.words:
            return Decision(Kind.CHAT, "empty", "chat: nothing to read, say what the bot does", chat="help")
        kind = self.smalltalk.kind_of(message)
        if kind is not None:
            return Decision(Kind.CHAT, "smalltalk", f"chat: {kind}", chat=kind)
        asks = self.asks(message, conversation)
        decisions = [self.decide_ask(ask) for ask in asks]
        answered = [d for d in decisions if d.kind is Kind.ANSWER]
        if len(decisions) == 1 or not answered:
            return next((d for d in decisions if d.kind is Kind.CLARIFY), decisions[0])
        reason = "answer: " + "; ".join(f"part {n + 1}: {d.reason}" for n, d in enumerate(decisions))
        return Decision(Kind.ANSWER, "parts", reason, parts=tuple(decisions))

    def asks(self, message: Analysis, conversation: frozenset[str] = frozenset()) -> list[Ask]:
        """The parts of a message that ask, each read on its own; the whole message when it is one."""
        pieces = parts(message.cleaned)
        if len(pieces) < 2 or not any(p.asks for p in pieces):
            return [self._ask(message, frozenset(), conversation)]
        readings = [self.analyzer.analyze(p.text) for p in pieces]
        out: list[Ask] = []
        for number, piece in enumerate(pieces):
            if not piece.asks:
                continue
            reading = readings[number]
            if not reading.content and not figures(reading.cleaned) and number:
                # "is that true?", "when was that?": a part with nothing of its own asks about the part before.
                before = out[-1].analysis.cleaned if out and out[-1].analysis is readings[number - 1] else pieces[number - 1].text
                merged = self.analyzer.analyze(before + " " + piece.text)
                if out and out[-1].analysis is readings[number - 1]:
                    out.pop()
                readings[number] = merged
                reading = merged
            # The names said earlier in the message, nearest first, stand in for its pronouns.
            earlier = next((readings[k].entities for k in range(number - 1, -1, -1) if readings[k].entities), frozenset())
            out.append(self._ask(reading, earlier, conversation))
        return out or [self._ask(message, frozenset(), conversation)]

    def _ask(self, reading: Analysis, earlier: frozenset[str], conversation: frozenset[str]) -> Ask:
        tagged = reading.checking or reading.alternatives
        claim = tagged or checks_a_claim(reading.cleaned)
        named = reading.entities
        # Who a part is about when it names no one: a pronoun refers to the names said earlier in the
        # message, else to the conversation, else to the one person of the article it can be ("he");
        # a role word refers to the one it fits ("the founder").
        referred: frozenset[str] = frozenset()
        if not (named - self._setting) and reading.has_pronoun:
            roles = frozenset(self.analyzer.roles[w] for w in (*reading.content, *reading.words) if w in self.analyzer.roles)
            referred = earlier or conversation or roles
        elif not (named - self._setting):
            referred = frozenset(self.analyzer.roles[t] for t in reading.content if t in self.analyzer.roles)
        found = figures(reading.cleaned)
        # A year is mostly a qualifier ("revenue in 2019"); it is quoted back only when it is all there is.
        bare = all(t[0].isdigit() for t in reading.content)
        stated = frozenset(f for f in found if self.evidence.states(f) and (f.kind != "year" or bare))
        evidence = self.evidence.facts_with_figures(stated) | self.evidence.facts_quoting(quoted(reading.cleaned))
        return Ask(replace(reading, checking=claim), named, referred - named, claim, evidence, tagged)

    # -- one part ---------------------------------------------------------------------------

    def decide_ask(self, ask: Ask) -> Decision:
        """The part rules in order; the first that decides wins. The last always decides."""
        ranked = self.matcher.rank(ask.analysis)
        fitting = [m for m in ranked if self.misfit(m.intent, ask) is None]
        ranking = Ranking(ranked, fitting, lambda: self.matcher.nearest_miss(ask.analysis))
        for rule in self.rules:
            decision: Decision | None = getattr(self, f"_{rule}")(ask, ranking)
            if decision is not None:
                return decision
        return self._confidence(ask, ranking)

    def _outside(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """Names a place, company, person, event or period the article does not cover ("when did
        amazon enter japan"). In a claim about the article's own names, or about a figure it
        states, a wrong company, person, event or period is a premise the answer may set right
        (see _other_time): "q2 gmv up 144% yeah?" is answered with Q3's."""
        reading = ask.analysis
        if not reading.outside or (ask.claim and reading.premise and (ask.named - self._setting or ask.evidence)):
            return None
        return Decision(Kind.DECLINE, "outside", "decline: names something outside the article", tuple(ranking.fitting), ask=ask)

    def _unsupported(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """Asks for what the article never gives about anyone (a CEO, users, profit, a stock price)."""
        if not ask.analysis.unsupported:
            return None
        return Decision(
            Kind.DECLINE, "unsupported", "decline: asks for something the article never gives", tuple(ranking.fitting), ask=ask
        )

    def _quoted(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """A figure or phrase of the article quoted back leads to the fact that holds it ("what's
        the 1.1 billion about?"): the best reading that holds it answers, and with it the reading
        asked about when that one does not hold it ("revenue grew 144%?")."""
        if not ask.evidence:
            return None

        # The question may ask about the quote itself ("'four-year-old company' who?"): then the
        # kind of question its reading answers, and a name it would need, do not matter.
        def fits(intent: Intent) -> bool:
            misfit = self.misfit(intent, ask)
            return misfit in (None, "requires") or (misfit == "question type" and ask.analysis.qtype == "who")

        holding = [m for m in ranking.ranked if set(m.intent.facts) & ask.evidence and fits(m.intent)]
        if not holding:
            candidates = [i for i in self._answering if set(i.facts) & ask.evidence and fits(i)]
            if not candidates:
                return None
            holding = [Match(min(candidates, key=lambda i: len(i.facts)), 0.0, "")]
        best = holding[0]
        chosen = [best]
        # What the question asks about that the holder's own templates never mention ("revenue grew
        # 144%?": GMV grew 144%) is answered too, by the best reading that does mention it.
        left = self._unexplained(ask.analysis, [best]) - {ENTITY_PREFIX + e for e in self._setting}
        if left:
            other = next(
                (
                    m
                    for m in ranking.fitting
                    if m.intent is not best.intent and not left - self.matcher.templates_vocabulary(m.intent)
                ),
                None,
            )
            if other is not None:
                chosen.insert(0, other)
        reason = f"answer: quotes the article ({', '.join(sorted(ask.evidence))}), held by {best.intent.name}"
        return Decision(Kind.ANSWER, "quoted", reason, tuple(chosen), best.score, ask=ask)

    def _profile(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """A name alone ("colin huang?", "tell me about tmall"): what the article says about it."""
        reading = ask.analysis
        if reading.qtype not in (None, "who") or len(ask.hinted) != 1:
            return None
        if not all(t.startswith(ENTITY_PREFIX) or t == CONCEPT_PREFIX + "summary" for t in reading.content):
            return None
        entity = next(iter(ask.hinted))
        return Decision(
            Kind.ANSWER, "profile", f"answer: a name alone ({entity}), what the article says of it", profile=entity, ask=ask
        )

    def _other_time(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """A year the article has nothing for, or an outside name left for the reading to settle,
        is a premise to set right when the claim is put up to be checked ("..., right?") or is a
        yes/no about an event ("did amazon leave in 2018?"); otherwise it asks about another time or
        company ("pdd revenue 2018?", "did walmart open a pop-up?")."""
        reading = ask.analysis
        other_years = reading.years - self._years
        if not ranking.fitting or (not other_years and not reading.premise):
            return None
        if ask.tagged or (ask.claim and "when" in ranking.fitting[0].intent.asks and not _ADDITIONAL.search(reading.cleaned)):
            return None  # "is amazon opening a store on jd too?" asks about another store, not this one
        what = f"the article has nothing for {min(other_years)}" if other_years else "names something outside the article"
        rule = "other_year" if other_years else "outside"
        return Decision(Kind.DECLINE, rule, f"decline: {what}", tuple(ranking.fitting), ask=ask)

    def _exact(self, ask: Ask, ranking: Ranking) -> Decision | None:
        """The question folds to the very words of a template: that template's intent answers, unless
        a known near-miss is as close or several intents are tied."""
        if not ranking.fitting:
            return None
        best = ranking.fitting[0]
        if best.similarity < EXACT_AT or _fullest(ranking.close) is None:
            return None
        if ranking.nearest is not None and ranking.nearest[1] >= best.score:
            return None
        reason = f"answer: folds to the words of a template of {best.intent.name} ({best.template!r})"
        return Decision(Kind.ANSWER, "exact", reason, (best,), best.score, ask=ask)

    def _confidence(self, ask: Ask, ranking: Ranking) -> Decision:
        """The fitted model (bot/fitted.py) weighs the chosen reading: answer, ask which of close
        readings was meant, or decline."""
        reading, fitting, close = ask.analysis, ranking.fitting, ranking.close
        if not fitting:
            return Decision(Kind.DECLINE, "no_fit", "decline: no intent fits the names and kind of question", ask=ask)
        best = fitting[0]
        fullest = _fullest(close)
        chosen = self._readings(fitting, fullest or best, ask)
        if len(chosen) == 2 and not (best.score >= SECOND_READING_AT or _TWO_PARTS.search(reading.cleaned) or ask.claim):
            chosen = chosen[:1]  # a weak first reading with a second one: only when the question joins two
        features = self.features(ask, chosen, fitting, ranking.nearest)
        confidence = fitted.confidence(features)
        # Where the classifier reads the question as another fitting intent, that reading is weighed
        # too, and the more confident of the two is the one chosen.
        other = self._classifier_reading(ask, fitting, chosen)
        if other is not None:
            other_chosen = self._readings(fitting, other, ask)[:1]
            other_features = self.features(ask, other_chosen, fitting, ranking.nearest)
            other_confidence = fitted.confidence(other_features)
            if other_confidence > confidence:
                chosen, features, confidence = other_chosen, other_features, other_confidence
        names = " and ".join(f"{m.intent.name} {m.score:.2f}" for m in chosen)
        why = f"confidence {confidence:.2f} for {names} ({chosen[0].template!r})"
        candidate = tuple(chosen)
        if confidence >= fitted.ANSWER_AT:
            rule = "two_readings" if len(chosen) == 2 else "answer"
            return Decision(
                Kind.ANSWER, rule, f"answer: {why}", candidate, confidence, ask=ask, candidate=candidate, features=features
            )
        if confidence >= fitted.CLARIFY_AT and len(close) > 1:
            names = ", ".join(f"{m.intent.name} {m.score:.2f}" for m in close[:3])
            return Decision(
                Kind.CLARIFY,
                "clarify",
                f"clarify: close readings {names}",
                tuple(close),
                confidence,
                ask=ask,
                candidate=candidate,
                features=features,
            )
        return Decision(
            Kind.DECLINE,
            "low_confidence",
            f"decline: {why}",
            tuple(fitting),
            confidence,
            ask=ask,
            candidate=candidate,
            features=features,
        )

    def _classifier_reading(self, ask: Ask, fitting: Sequence[Match], chosen: Sequence[Match]) -> Match | None:
        """The fitting reading the classifier ranks first, when the matcher chose another."""
        if self.classifier is None:
            return None
        margins = self.classifier.margins(ask.analysis.cleaned)
        top = max(margins, key=margins.__getitem__)
        if top in {m.intent.name for m in chosen}:
            return None
        return next((m for m in fitting if m.intent.name == top), None)

    def features(
        self, ask: Ask, chosen: Sequence[Match], fitting: Sequence[Match], nearest: tuple[str, float, str] | None
    ) -> dict[str, float]:
        """What the answer/decline model weighs about the chosen reading (see bot/fitted.py)."""
        reading = ask.analysis
        best = chosen[0]
        taken = {f for m in chosen for f in m.intent.facts}
        rival = next((m for m in fitting if not set(m.intent.facts) <= taken), None)
        content = frozenset(reading.content)
        total = self.matcher.weigh(content) or 1.0
        bayes = self.matcher.posterior(reading)
        novel = sum(1.0 for t in content if not t[0].isdigit() and t not in self.matcher.weights) / max(len(content), 1)
        chosen_names = {m.intent.name for m in chosen}
        # The letter-and-word classifier's view of the same reading (0 throughout when none is fitted).
        margins = self.classifier.margins(reading.cleaned) if self.classifier else {}
        margin = max((margins.get(name, -1.0) for name in chosen_names), default=-1.0) if margins else 0.0
        others = [v for name, v in margins.items() if name not in chosen_names]
        return {
            "score": best.score,
            "similarity": best.similarity,
            "explained": min(m.explained for m in chosen) if len(chosen) == 1 else max(m.explained for m in chosen),
            "unexplained": self.matcher.weigh(self._unexplained(reading, list(chosen))) / total,
            "novel": novel,
            "lead": min(best.score - rival.score, 0.5) if rival else 0.5,
            "near_miss": (nearest[1] - best.score) if nearest else -0.5,
            "question_type": 1.0 if reading.qtype in best.intent.asks else 0.0,
            "open_question": 1.0 if reading.qtype is None else 0.0,
            "words": min(len(content), 10) / 10,
            "claim": 1.0 if ask.claim else 0.0,
            "named": 1.0 if ask.named - self._setting else 0.0,
            "two_readings": 1.0 if len(chosen) == 2 else 0.0,
            "bayes": bayes.get(best.intent.name, 0.0) + (bayes.get(chosen[1].intent.name, 0.0) if len(chosen) == 2 else 0.0),
            "bayes_near_miss": bayes.get(NEAR_MISS_CLASS, 0.0),
            "bayes_agrees": 1.0 if max(bayes, key=bayes.__getitem__) in chosen_names else 0.0,
            "margin": margin,
            "margin_lead": margin - max(others) if others else 0.0,
            "margin_near_miss": margins.get(NEAR_MISS_CLASS, 0.0),
        }

    # -- guards ------------------------------------------------------------------------------

    def misfit(self, intent: Intent, ask: Ask) -> str | None:
        """Which guard rules the intent out, if any: every entity named (or referred to) must
        belong to it, a slot in the question must be one it knows, and it must answer the kind of
        question asked; an intent about one company must have it named or referred to ("the
        founder" is Colin Huang). A claim put up to be checked ("tmall is owned by jd, right?",
        "jd or alibaba?") may have one name wrong: the article's fact sets it right."""
        outside_names = (ask.named - self._setting) - intent.entities
        if outside_names and not (ask.tagged and len(outside_names) == 1 and ask.named & intent.entities - self._setting):
            return "entity"
        if ask.referred - self._setting and not ask.referred & intent.entities:
            return "entity"  # "when did amazon join tmall and when did it leave": "it" is one of them
        reading = ask.analysis
        if (
            intent.requires
            and not ask.hinted & intent.requires
            and not (reading.has_pronoun and not ask.hinted - self._setting)
            and not self._names_the_answer(intent, ask)
        ):
            return "requires"  # "when did it become 4th?" with nothing before: the only company it can be
        slots = self._slots.intersection(reading.content)
        if slots and not slots <= self.matcher.templates_vocabulary(intent):
            return "slot"
        if reading.qtype is not None and reading.qtype not in intent.asks and not self._names_the_answer(intent, ask):
            return "question type"
        if intent.handler == GAP_HANDLER and intent.asks and reading.qtype not in intent.asks:
            return "question type"  # a gap is only the answer to the very question it leaves open
        return None

    def _names_the_answer(self, intent: Intent, ask: Ask) -> bool:
        """A who-question ("baidu was outpaced by who", "token of respect to whom") is answered by a
        fact that names someone the question does not, about just what the question asks (a "who
        founded joyo" is not answered by the fact that Amazon bought Joyo)."""
        return (
            ask.analysis.qtype == "who"
            and bool(intent.entities - ask.hinted - self._setting - self._subject)
            and not self._unexplained(ask.analysis, [Match(intent, 0.0, "")])
        )

    # -- readings ----------------------------------------------------------------------------

    def _readings(self, fitting: list[Match], first: Match, ask: Ask) -> list[Match]:
        """The intents that answer the question: the first, a wider one that also explains the rest,
        or the first and a second that answers the rest ("huang's net worth vs pdd's revenue")."""
        whole = ask.analysis
        rest = self._unexplained(whole, [first])
        if not rest:
            return [first]
        facts = set(first.intent.facts)
        for match in fitting:
            if match.score >= WIDER_READING_AT and facts < set(match.intent.facts) and not self._unexplained(whole, [match]):
                return [match]
        second = self._second_reading(ask, rest, first)
        return [first] if second is None else [first, second]

    def _unexplained(self, reading: Analysis, chosen: list[Match]) -> frozenset[str]:
        """Names and concepts of the question that none of the chosen intents knows (a claim to
        check may name the wrong company: there only concepts count)."""
        known = frozenset().union(self._modifiers, *(self.matcher.templates_vocabulary(m.intent) for m in chosen))
        kinds = "#" if reading.checking else "#@"
        return frozenset(t for t in reading.content if t[0] in kinds and t not in known and t[1:] not in self._setting)

    def _second_reading(self, ask: Ask, rest: frozenset[str], first: Match) -> Match | None:
        """The intent that best answers what the first one leaves unexplained, if it is confident."""
        whole = ask.analysis
        taken = set(first.intent.facts)
        remainder = replace(whole, content=tuple(sorted(rest)), qtype=None)
        # Only the names the first reading leaves unexplained must belong to the second one...
        unexplained_names = frozenset(t[1:] for t in rest if t.startswith(ENTITY_PREFIX))
        second_ask = replace(ask, named=unexplained_names)
        # ... and it must be about the same story: share a name with the first reading and, if the
        # question names someone besides the story's subject (Tmall, Colin Huang), be about them.
        topic = first.intent.entities - self._setting
        asked_about = ask.named - self._setting - self._subject
        for match in self.matcher.rank(remainder):
            if set(match.intent.facts) <= taken or match.intent.handler in (SOURCE_HANDLER, GAP_HANDLER):
                continue
            if not match.intent.entities & topic or (asked_about and not match.intent.entities & asked_about):
                continue
            if self.misfit(match.intent, replace(second_ask, analysis=whole)) not in (None, "question type"):
                continue
            return match if match.score >= SECOND_READING_AT else None
        return None


def _fullest(close: list[Match]) -> Match | None:
    """Among near-tied matches, the one whose facts hold all the others' facts (None if none does)."""
    for match in close:
        facts = set(match.intent.facts)
        if all(set(other.intent.facts) <= facts for other in close):
            return match
    return None
