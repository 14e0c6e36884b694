"""Ranks intents for an analysed question: rapidfuzz over templates plus rarity-weighted word overlap."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.errors import DataError
from bot.intents import INTENTS_FILE
from bot.lexicon import ENTITY_PREFIX
from bot.models import Intent, Match
from bot.normalize import Analysis, Analyzer

# Weights of the combined score, chosen by measurement on question sets (see README, eval).
TEMPLATE_WEIGHT = 0.45  # rarity-weighted F1 of question and template words
EXPLAINED_WEIGHT = 0.30  # share of the question's words the intent knows at all
FUZZY_WEIGHT = 0.25  # rapidfuzz token_sort_ratio of the canonical token sets
QUESTION_TYPE_BONUS = 0.06
RANK_FLOOR = 0.2  # intents scoring less are left out of the ranking: far below any decision threshold
UNKNOWN_WORD_WEIGHT = 0.6  # a word no intent uses: it still counts against every intent, a little


@dataclass(frozen=True, slots=True)
class _Template:
    intent: int
    source: str
    sorted_text: str
    tokens: frozenset[str]
    weight: float


class Matcher:
    """Scores every intent against a question; everything that can be is computed at load time."""

    def __init__(self, intents: Sequence[Intent], analyzer: Analyzer) -> None:
        self.intents = tuple(intents)
        self.analyzer = analyzer
        canonical = [[analyzer.canonical(t) for t in intent.templates] for intent in self.intents]
        for intent, templates in zip(self.intents, canonical, strict=True):
            for template, tokens in zip(intent.templates, templates, strict=True):
                if not tokens:
                    message = f"template {template!r} has only stop words: the matcher cannot use it"
                    raise DataError(INTENTS_FILE, f"intent '{intent.name}'.templates", message)
                if all(token.startswith(ENTITY_PREFIX) for token in tokens):
                    message = f"template {template!r} has only names: it would match any question naming {', '.join(tokens)}"
                    raise DataError(INTENTS_FILE, f"intent '{intent.name}'.templates", message)
        # What an intent can explain: its templates' words and its facts' entities.
        self.vocabulary: list[frozenset[str]] = []
        for intent, templates in zip(self.intents, canonical, strict=True):
            words = {token for tokens in templates for token in tokens}
            words.update(ENTITY_PREFIX + entity for entity in intent.entities)
            self.vocabulary.append(frozenset(words))
        self._intents_with: dict[str, list[int]] = defaultdict(list)  # token -> intents whose vocabulary has it
        for index, vocabulary in enumerate(self.vocabulary):
            for token in vocabulary:
                self._intents_with[token].append(index)
        self._order = {intent.name: index for index, intent in enumerate(self.intents)}  # ties: file order
        self._vocabulary_by_name = {i.name: v for i, v in zip(self.intents, self.vocabulary, strict=True)}
        document_frequency: dict[str, int] = defaultdict(int)
        for vocabulary in self.vocabulary:
            for token in vocabulary:
                document_frequency[token] += 1
        count = len(self.intents)
        self.weights = {token: math.log(1 + count / df) for token, df in document_frequency.items()}
        self.templates: list[_Template] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        for intent_index, templates in enumerate(canonical):
            seen: set[frozenset[str]] = set()
            for source, tokens in zip(self.intents[intent_index].templates, templates, strict=True):
                token_set = frozenset(tokens)
                if token_set in seen:
                    continue  # folds to the same words as an earlier template of the intent: same scores
                seen.add(token_set)
                position = len(self.templates)
                sorted_text = " ".join(sorted(token_set))
                self.templates.append(_Template(intent_index, source, sorted_text, token_set, self.weigh(token_set)))
                for token in token_set:
                    self._index[token].append(position)
        # Parallel lists: the scoring loop runs per question and reads them by position.
        self._template_intent = [t.intent for t in self.templates]
        self._template_weight = [t.weight for t in self.templates]
        self._template_text = [t.sorted_text for t in self.templates]

    def vocabulary_of(self, intent: Intent) -> frozenset[str]:
        """Every canonical token the intent's templates and facts use."""
        return self._vocabulary_by_name[intent.name]

    def weight(self, token: str) -> float:
        """How much a token tells intents apart: rarer across intents weighs more."""
        known = self.weights.get(token)
        if known is not None:
            return known
        return 0.0 if token[0].isdigit() else UNKNOWN_WORD_WEIGHT

    def unknown_share(self, analysis: Analysis) -> float:
        """How much of the question (by weight) is words no intent knows."""
        tokens = frozenset(analysis.content)
        total = self.weigh(tokens)
        unknown = sum(UNKNOWN_WORD_WEIGHT for t in tokens if t not in self.weights and not t[0].isdigit())
        return unknown / total if total else 1.0

    def weigh(self, tokens: frozenset[str]) -> float:
        """The summed weight of some tokens."""
        return sum(self.weight(t) for t in tokens)

    def rank(self, analysis: Analysis) -> list[Match]:
        """The intents that share a word with the question and score at least RANK_FLOOR, best first."""
        weights = {token: self.weight(token) for token in analysis.content}
        total = sum(weights.values())
        if not total:
            return []
        # Shared weight of every template that has at least one word of the question.
        shared_by_position: dict[int, float] = {}
        for token, weight in weights.items():
            if weight:
                for position in self._index.get(token, ()):
                    shared_by_position[position] = shared_by_position.get(position, 0.0) + weight
        # Both strings are sorted tokens, so plain ratio here is rapidfuzz's token_sort_ratio.
        sorted_question = " ".join(sorted(weights))
        ratio = fuzz.ratio
        template_intent, template_weight, template_text = self._template_intent, self._template_weight, self._template_text
        # The parts of the score that depend only on the intent: how much of the question it
        # explains at all, and whether it answers this kind of question.
        by_intent = [QUESTION_TYPE_BONUS if analysis.qtype in intent.asks else 0.0 for intent in self.intents]
        for token, weight in weights.items():
            for intent in self._intents_with.get(token, ()):
                by_intent[intent] += EXPLAINED_WEIGHT * weight / total
        # The rarity-weighted F1 of question and template words is 2 * shared / (question + template weight).
        overlap, fuzzy = 2 * TEMPLATE_WEIGHT, FUZZY_WEIGHT / 100
        best: dict[int, tuple[float, int]] = {}
        for position, shared in shared_by_position.items():
            intent = template_intent[position]
            score = (
                overlap * shared / (total + template_weight[position])
                + by_intent[intent]
                + fuzzy * ratio(sorted_question, template_text[position])
            )
            if intent not in best or score > best[intent][0]:
                best[intent] = (score, position)
        matches = [
            Match(self.intents[i], score, self.templates[p].source) for i, (score, p) in best.items() if score >= RANK_FLOOR
        ]
        matches.sort(key=lambda m: (-m.score, self._order[m.intent.name]))
        return matches
