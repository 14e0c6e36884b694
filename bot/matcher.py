"""Ranks intents for an analysed question: rapidfuzz over templates plus rarity-weighted word overlap."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.errors import DataError
from bot.folding import Folder
from bot.intents import INTENTS_FILE
from bot.lexicon import ENTITY_PREFIX
from bot.models import Intent, Match
from bot.normalize import Analysis, Analyzer

# Weights of the combined score, chosen by measurement on question sets (see README, eval).
TEMPLATE_WEIGHT = 0.45  # rarity-weighted F1 of question and template words
EXPLAINED_WEIGHT = 0.30  # share of the question's words the intent knows at all
FUZZY_WEIGHT = 0.25  # rapidfuzz token_sort_ratio of the canonical token sets
QUESTION_TYPE_BONUS = 0.06
CANDIDATE_BUDGET = 300  # templates found by a question's rarest words; commoner words only add to their scores
NEAR_MISS_LEADERS = 5  # near-miss groups scored whole: the ones whose best question is closest
RANK_FLOOR = 0.2  # intents scoring less are left out of the ranking: far below any decision threshold
UNKNOWN_WORD_WEIGHT = 0.6  # a word no intent uses: it still counts against every intent, a little


@dataclass(frozen=True, slots=True)
class _Template:
    owner: int  # index of the intent (or near-miss group) it belongs to
    source: str
    sorted_text: str
    tokens: frozenset[str]
    weight: float


class _TemplateIndex:
    """Templates of several owners, indexed by token: scores a question against every template that
    shares a word with it, keeping each owner's best (rarity-weighted F1 plus rapidfuzz ratio)."""

    def __init__(self, owned: Iterable[tuple[int, str, tuple[str, ...]]], weigh: Callable[[frozenset[str]], float]) -> None:
        self.templates: list[_Template] = []
        index: dict[str, list[int]] = defaultdict(list)
        seen: set[tuple[int, frozenset[str]]] = set()
        for owner, source, tokens in owned:
            token_set = frozenset(tokens)
            if not token_set or (owner, token_set) in seen:
                continue  # folds to the same words as an earlier template of the owner: same scores
            seen.add((owner, token_set))
            position = len(self.templates)
            self.templates.append(_Template(owner, source, " ".join(sorted(token_set)), token_set, weigh(token_set)))
            for token in token_set:
                index[token].append(position)
        self._index = dict(index)
        self._postings = {token: frozenset(positions) for token, positions in index.items()}
        # Parallel lists: the scoring loop runs per question and reads them by position.
        self._owner = [t.owner for t in self.templates]
        self._weight = [t.weight for t in self.templates]
        self._text = [t.sorted_text for t in self.templates]

    def best(self, weights: dict[str, float], total: float) -> dict[int, tuple[float, int]]:
        """Each owner's best template score (without the owner-level parts) and its position."""
        # Templates are found by the question's rarest words, as many as a budget of templates
        # allows (always one); the commoner words (a company's name) only add to those found.
        index = self._index
        by_rarity = sorted((t for t, w in weights.items() if w and t in index), key=lambda t: len(index[t]))
        finding: list[str] = []
        found = 0
        for token in by_rarity:
            if finding and found + len(index[token]) > CANDIDATE_BUDGET:
                break
            finding.append(token)
            found += len(index[token])
        adding = [(t, weights[t]) for t in by_rarity[len(finding) :]]
        # Set operations keep the per-position Python work to the templates found by two words.
        postings = self._postings
        shared_by_position: dict[int, float] = dict.fromkeys(postings[finding[0]], weights[finding[0]]) if finding else {}
        for token in finding[1:]:
            weight, found_here = weights[token], postings[token]
            for position in found_here.intersection(shared_by_position):
                shared_by_position[position] += weight
            shared_by_position.update(dict.fromkeys(found_here.difference(shared_by_position), weight))
        for token, weight in adding:
            for position in postings[token].intersection(shared_by_position):
                shared_by_position[position] += weight
        # The rarity-weighted F1 of question and template words is 2 * shared / (question + template weight);
        # each owner's template of best overlap then gets the fuzzy ratio (a quarter of the score).
        # Positions run owner by owner, so in order each owner's templates come together.
        overlap, template_weight, owners = 2 * TEMPLATE_WEIGHT, self._weight, self._owner
        top: dict[int, tuple[float, int]] = {}
        current, best_part, best_position = -1, -1.0, -1
        for position in sorted(shared_by_position):
            part, owner = overlap * shared_by_position[position] / (total + template_weight[position]), owners[position]
            if owner != current:
                if current >= 0:
                    top[current] = (best_part, best_position)
                current, best_part, best_position = owner, part, position
            elif part > best_part:
                best_part, best_position = part, position
        if current >= 0:
            top[current] = (best_part, best_position)
        # Both strings are sorted tokens, so plain ratio here is rapidfuzz's token_sort_ratio. An
        # owner whose overlap is more than the fuzzy part's whole weight behind the best cannot come
        # near it: it keeps its overlap alone.
        sorted_question = " ".join(sorted(weights))
        ratio, fuzzy, texts = fuzz.ratio, FUZZY_WEIGHT / 100, self._text
        reach = max((part for part, _ in top.values()), default=0.0) - FUZZY_WEIGHT
        return {
            owner: (part + fuzzy * ratio(sorted_question, texts[p]) if part >= reach else part, p)
            for owner, (part, p) in top.items()
        }


class Matcher:
    """Scores every intent against a question; everything that can be is computed at load time."""

    def __init__(
        self,
        intents: Sequence[Intent],
        analyzer: Analyzer,
        near_misses: Mapping[str, Sequence[str]] | None = None,
        known_years: frozenset[int] = frozenset(),
        folder: Folder | None = None,
    ) -> None:
        fold = (folder or Folder(analyzer, [], None)).fold
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
        # A number in a labelled example that no template has is a premise's wrong figure ("worth 7
        # billion?"), not a word of the question asked: it is left out of the example.
        numbers = {t for templates in canonical for tokens in templates for t in tokens if t[0].isdigit()}
        examples = [
            [tuple(t for t in fold(q).content if not t[0].isdigit() or t in numbers) for q in intent.examples]
            for intent in self.intents
        ]
        # An example that folds to the same words as a template or example of another intent says
        # nothing about which one it is ("what type of store is amazon opening on pdd" and "when does
        # the amazon store on pdd launch" fold alike): it is left out of both.
        owners: dict[frozenset[str], set[int]] = defaultdict(set)
        for index, tokens_list in enumerate((*c, *e) for c, e in zip(canonical, examples, strict=True)):
            for tokens in tokens_list:
                owners[frozenset(tokens)].add(index)
        kept_examples = [
            [q for q, tokens in zip(intent.examples, asked, strict=True) if len(owners[frozenset(tokens)]) == 1]
            for intent, asked in zip(self.intents, examples, strict=True)
        ]
        examples = [[tokens for tokens in asked if len(owners[frozenset(tokens)]) == 1] for asked in examples]
        # What an intent can explain: its templates' and examples' words and its facts' entities.
        self.vocabulary: list[frozenset[str]] = []
        for intent, templates, asked in zip(self.intents, canonical, examples, strict=True):
            words = {token for tokens in (*templates, *asked) for token in tokens}
            words.update(ENTITY_PREFIX + entity for entity in intent.entities)
            self.vocabulary.append(frozenset(words))
        self._intents_with: dict[str, list[int]] = defaultdict(list)  # token -> intents whose vocabulary has it
        for index, vocabulary in enumerate(self.vocabulary):
            for token in vocabulary:
                self._intents_with[token].append(index)
        self._order = {intent.name: index for index, intent in enumerate(self.intents)}  # ties: file order
        # The words of the hand-written templates alone: the guards ask what an intent is about, and
        # a labelled example's incidental words ("gmv in dollars?" under GMV growth) must not widen it.
        self._template_vocabulary = {
            intent.name: frozenset(t for tokens in templates for t in tokens) | {ENTITY_PREFIX + e for e in intent.entities}
            for intent, templates in zip(self.intents, canonical, strict=True)
        }
        document_frequency: dict[str, int] = defaultdict(int)
        for vocabulary in self.vocabulary:
            for token in vocabulary:
                document_frequency[token] += 1
        count = len(self.intents)
        self.weights = {token: math.log(1 + count / df) for token, df in document_frequency.items()}
        owned = [
            (index, source, tokens)
            for index, intent in enumerate(self.intents)
            for source, tokens in zip(
                (*intent.templates, *kept_examples[index]), (*canonical[index], *examples[index]), strict=True
            )
        ]
        # Near-misses: only those the lexicon cannot tell apart already. One that names something
        # outside the article, asks for what it never gives or about a year it has nothing for is
        # declined by those words; without them it would look just like a question the article answers.
        self.near_miss_groups = tuple(near_misses or {})
        near: list[tuple[int, str, tuple[str, ...]]] = []
        for index, group in enumerate(self.near_miss_groups):
            for question in (near_misses or {})[group]:
                folded = fold(question)
                if not (folded.outside or folded.unsupported or folded.years - known_years):
                    near.append((index, question, folded.content))
        # One index over both, so that a question is looked up once for its readings and its near-misses:
        # near-miss group g is owner len(intents) + g.
        first_group = len(self.intents)
        self._index = _TemplateIndex([*owned, *((first_group + g, q, t) for g, q, t in near)], self.weigh)
        self.templates = self._index.templates
        self._last: tuple[tuple[str, ...], dict[str, float], float, dict[int, tuple[float, int]]] | None = None
        # Naive Bayes over the same examples, with the near-misses as one more class: a second,
        # discriminative view of which intent a question's words belong to, trained by counting.
        documents = [
            (intent.name, _nb_features(tokens, None))
            for intent, templates, asked in zip(self.intents, canonical, examples, strict=True)
            for tokens in (*templates, *asked)
        ]
        documents += [(NEAR_MISS_CLASS, _nb_features(tokens, None)) for _, _, tokens in near]
        self._bayes = NaiveBayes(documents)
        self._near_vocabulary = [set[str]() for _ in self.near_miss_groups]
        for index, _, tokens in near:
            self._near_vocabulary[index].update(tokens)

    def __getstate__(self) -> dict[str, object]:
        """What is kept on disk (bot/compiled.py): everything but the analyzer, which is rebuilt."""
        state = dict(self.__dict__)
        state["analyzer"] = state["_last"] = None
        return state

    def templates_vocabulary(self, intent: Intent) -> frozenset[str]:
        """The canonical tokens of the intent's hand-written templates and its facts' entities."""
        return self._template_vocabulary[intent.name]

    def weight(self, token: str) -> float:
        """How much a token tells intents apart: rarer across intents weighs more."""
        known = self.weights.get(token)
        if known is not None:
            return known
        return 0.0 if token[0].isdigit() else UNKNOWN_WORD_WEIGHT

    def weigh(self, tokens: frozenset[str]) -> float:
        """The summed weight of some tokens."""
        return sum(self.weight(t) for t in tokens)

    def _lookup(self, analysis: Analysis) -> tuple[dict[str, float], float, dict[int, tuple[float, int]]]:
        """The question's word weights, their total and each owner's best template (kept for the
        one question: its readings and its near-misses are asked for in turn)."""
        last = self._last
        if last is not None and last[0] == analysis.content:
            return last[1], last[2], last[3]
        weights = {token: self.weight(token) for token in analysis.content}
        total = sum(weights.values())
        best = self._index.best(weights, total) if total else {}
        self._last = (analysis.content, weights, total, best)
        return weights, total, best

    def rank(self, analysis: Analysis) -> list[Match]:
        """The intents that share a word with the question and score at least RANK_FLOOR, best first."""
        weights, total, best = self._lookup(analysis)
        if not total:
            return []
        # The parts of the score that depend only on the intent: how much of the question it
        # explains at all, and whether it answers this kind of question.
        count = len(self.intents)
        explained = [0.0] * count
        for token, weight in weights.items():
            for intent in self._intents_with.get(token, ()):
                explained[intent] += weight / total
        matches = []
        for intent, (similarity, position) in best.items():
            if intent >= count:
                continue  # a near-miss group
            bonus = QUESTION_TYPE_BONUS if analysis.qtype in self.intents[intent].asks else 0.0
            score = similarity + EXPLAINED_WEIGHT * explained[intent] + bonus
            if score >= RANK_FLOOR:
                source = self.templates[position].source
                matches.append(Match(self.intents[intent], score, source, similarity, explained[intent]))
        matches.sort(key=lambda m: (-m.score, self._order[m.intent.name]))
        return matches

    def posterior(self, analysis: Analysis) -> dict[str, float]:
        """Naive Bayes probability of each intent, and of NEAR_MISS_CLASS, for the question."""
        return self._bayes.posterior(_nb_features(analysis.content, analysis.qtype))

    def nearest_miss(self, analysis: Analysis) -> tuple[str, float, str] | None:
        """The near-miss group closest to the question, scored as intents are (without the
        question-type bonus): (group, score, its closest question)."""
        weights, total, found = self._lookup(analysis)
        count = len(self.intents)
        best = {owner - count: scored for owner, scored in found.items() if owner >= count}
        if not best:
            return None
        # The group-level part (how much of the question the group's words explain) only for the
        # groups whose best question is close enough to matter.
        leaders = sorted(best, key=lambda g: best[g][0], reverse=True)[:NEAR_MISS_LEADERS]
        scored = {
            group: best[group][0]
            + EXPLAINED_WEIGHT * sum(w for t, w in weights.items() if t in self._near_vocabulary[group]) / total
            for group in leaders
        }
        group = max(scored, key=scored.__getitem__)
        return self.near_miss_groups[group], scored[group], self.templates[best[group][1]].source


NEAR_MISS_CLASS = "!near_miss"
NB_SMOOTHING = 0.1  # additive smoothing of word counts


def _nb_features(tokens: Sequence[str], qtype: str | None) -> list[str]:
    """The words of a question for naive Bayes: its tokens and the pairs of neighbouring ones."""
    words = [t for t in tokens if not t[0].isdigit()]
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


class NaiveBayes:
    """Multinomial naive Bayes, trained by counting at load time (a few milliseconds)."""

    def __init__(self, documents: Iterable[tuple[str, Sequence[str]]]) -> None:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        sizes: Counter[str] = Counter()
        for label, features in documents:
            counts[label].update(features)
            sizes[label] += 1
        vocabulary = {f for c in counts.values() for f in c}
        total_docs = sum(sizes.values())
        self.labels = tuple(counts)
        self._prior = [math.log(sizes[label] / total_docs) for label in self.labels]
        self._unseen: list[float] = []
        # Each feature's log likelihood under a label is the label's unseen value plus a delta where
        # the label has seen it; a question then costs a few deltas per word, not one sum per label.
        deltas: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, label in enumerate(self.labels):
            c = counts[label]
            denominator = sum(c.values()) + NB_SMOOTHING * (len(vocabulary) + 1)
            unseen = math.log(NB_SMOOTHING / denominator)
            self._unseen.append(unseen)
            for feature, n in c.items():
                deltas[feature].append((index, math.log((n + NB_SMOOTHING) / denominator) - unseen))
        self._deltas = {feature: tuple(found) for feature, found in deltas.items()}

    def posterior(self, features: Sequence[str]) -> dict[str, float]:
        """P(label | features); features never seen in training are left out."""
        known = [self._deltas[f] for f in features if f in self._deltas]
        scores = [prior + len(known) * unseen for prior, unseen in zip(self._prior, self._unseen, strict=True)]
        for deltas in known:
            for index, delta in deltas:
                scores[index] += delta
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        total = sum(exp)
        return {label: value / total for label, value in zip(self.labels, exp, strict=True)}
