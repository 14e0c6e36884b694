"""Text folding and analysis: from what a person typed to canonical tokens, entities and question type."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import Stemmer
from rapidfuzz import fuzz, process

from bot.lexicon import CONCEPT_PREFIX, ENTITY_PREFIX, OPEN_QUESTION, OUTSIDE_TOKEN, PREMISE_TOKEN, UNSUPPORTED_TOKEN, Lexicon

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})
_FENCE = re.compile(r"```.*?(```|$)", re.S)
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|t:|id:)[^>]*>|<a?:\w+:\d+>|</?[a-z][^>]*>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_MARKDOWN = re.compile(r"[*_~|>#\\\[\]()]")
_APOSTROPHE_S = re.compile(r"'s\b")
_AGE_HYPHENS = re.compile(r"(?:-|\b)(years?|decades?|months?)-old\b")
_BACK_THEN = re.compile(r"\bback(?= in (?:19|20)\d\d\b| then\b)")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# A word of letters with digits standing for letters ("4m4z0n"); _unleet spares q3, 4th, 10yrs, b4.
_LEET = re.compile(r"\b(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[013457])[a-z0-9]{2,}\b")
_NOT_LEET = re.compile(r"q[1-4]|[1-4]q\d*|\d+(?:st|nd|rd|th|s|k|m|b|bn|yrs?|x|am|pm)|[a-z]\d")
_LEET_LETTERS = str.maketrans("013457", "oieast")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[.\-'][a-z0-9]+)*|[%$]")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_YEAR = re.compile(r"^(19|20)\d\d$")
_CORRECTION_CACHE = 100_000  # bounded: anyone can type new words

PRONOUNS = frozenset({"he", "him", "his", "she", "her", "it", "its", "they", "them", "their", "that", "this"})

# A premise to check: its answer is what the article says, which sets the premise right.
CHECKING = re.compile(
    r"\b(?:right|correct|true|yes|yeah|yea|ya|yep|no|rite|no cap|is that right|isn'?t it|didn'?t it|wasn'?t it|didn'?t they"
    r"|aren'?t they|weren'?t they|don'?t they|isn'?t that so|or not|amirite)\s*\?*\s*$"
    r"|^\s*(?:true or false|t\s*/\s*f|t or f|fact check|is it true that|am i right that|so is it true)\b"
)


def _alternation(table: Sequence[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<q{index}>{pattern})" for index, (_, pattern) in enumerate(table)))


class QuestionTypes:
    """The kind of answer a question wants (when, who, amount, ...), from the lexicon's tables."""

    def __init__(self, phrases: Sequence[tuple[str, str]], words: Sequence[tuple[str, str]], asks_name: str) -> None:
        self._tables = ((_alternation(phrases), tuple(phrases)), (_alternation(words), tuple(words)))
        self._asks_name = re.compile(asks_name)

    def of(self, text: str) -> str | None:
        """The question type of a (cleaned) text, or None for an open question."""
        kind: str | None = None
        for pattern, table in self._tables:
            match = pattern.search(text)
            if match and match.lastgroup:
                kind = table[int(match.lastgroup[1:])][0]
                break
        if kind == OPEN_QUESTION or kind is None:
            # "what's the rep's name": an open question that asks for a name is a who-question.
            return "who" if self._asks_name.search(text) else None
        return kind


def clean(text: str) -> str:
    """Fold unicode and case, and strip Discord markup, code, links and markdown."""
    text = _FENCE.sub(" ", unicodedata.normalize("NFKC", text))
    text = text.casefold().translate(_QUOTES)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    text = text.replace("@everyone", " ").replace("@here", " ")
    text = _MARKDOWN.sub(" ", text)
    text = _APOSTROPHE_S.sub("", text)
    text = _AGE_HYPHENS.sub(r" \1 old", text)  # "a ten-year-old company" -> "a ten year old company"
    text = _STRETCHED.sub(r"\1", text)  # "soooo baaaack" -> "so back"
    text = _BACK_THEN.sub("", text)  # "back in 2015" is when, not a comeback
    text = _LEET.sub(_unleet, text)  # "wh3n d1d 4m4z0n 3x1t" -> "when did amazon exit"
    return _DIGIT_COMMA.sub("", text)


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    return word if _NOT_LEET.fullmatch(word) else word.translate(_LEET_LETTERS)


@cache
def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a data phrase (lexicon entry, template), folded like a message; cached, since
    load time folds the same phrases several times and data is finite."""
    return tuple(tokenize(clean(phrase)))


def tokenize(text: str) -> list[str]:
    """Words and numbers of cleaned text, apostrophes inside words dropped (didn't -> didnt)."""
    return [token.replace("'", "") for token in _TOKEN.findall(text)]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the matcher needs to know about one message."""

    cleaned: str
    words: tuple[str, ...]
    tokens: tuple[str, ...]
    content: tuple[str, ...]
    entities: frozenset[str]
    qtype: str | None
    years: frozenset[int]
    outside: bool
    unsupported: tuple[str, ...]  # the groups of what the article never gives that the question asks for
    has_pronoun: bool
    checking: bool = False  # a premise to check: "... in 2010, right?", "true or false: ..."
    premise: bool = False  # names an outside company or person (a premise in a claim, else outside)
    alternatives: bool = False  # "jd or alibaba?", "dollars or yuan": one side is something the article knows


NEGATION_TOKEN = "!not"
_LINKING = frozenset({"a", "an", "the", "just", "some", "only", "in", "from", "by"})  # skipped between "or" and its alternatives


def _alternatives(tokens: Sequence[str]) -> frozenset[int]:
    """Positions of the two words an "or" sets side by side when both are names, concepts, numbers or
    words the article does not cover: "jd or alibaba", "2017 or 2018", "dollars or yuan". Not "yes or
    no", nor "did amazon leave japan or is it still there"."""
    found: set[int] = set()
    for index, token in enumerate(tokens):
        if token != "or":
            continue
        left = next((i for i in range(index - 1, -1, -1) if tokens[i] not in _LINKING), None)
        right = next((i for i in range(index + 1, len(tokens)) if tokens[i] not in _LINKING), None)
        if left is not None and right is not None and all(tokens[i][0] in "@#!" or tokens[i][0].isdigit() for i in (left, right)):
            found.update((left, right))
    return frozenset(found)


def _drop_negated(tokens: list[str]) -> list[str]:
    """Drop the names that follow a negation ("forget jd and alibaba, ..."), and the negation."""
    if NEGATION_TOKEN not in tokens:
        return tokens
    out: list[str] = []
    dropping = False
    for token in tokens:
        if token == NEGATION_TOKEN:
            dropping = True
        elif dropping and (token.startswith(ENTITY_PREFIX) or token in (OUTSIDE_TOKEN, PREMISE_TOKEN, "and", "or", "the")):
            continue
        else:
            dropping = False
            out.append(token)
    return out


class PhraseTable:
    """Token sequences and what replaces them, indexed by first token for a fast scan."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._longest_from: dict[str, int] = {}

    def add(self, key: tuple[str, ...], replacement: tuple[str, ...]) -> bool:
        """Add a phrase unless it is there already; True when added."""
        if not key or key in self._entries:
            return False
        self._entries[key] = replacement
        self._longest_from[key[0]] = max(self._longest_from.get(key[0], 0), len(key))
        return True

    def replace(self, tokens: Sequence[str]) -> list[str]:
        """Greedy longest-first replacement of the phrases found in tokens."""
        out: list[str] = []
        index, count, longest_from = 0, len(tokens), self._longest_from
        while index < count:
            longest = longest_from.get(tokens[index], 0)
            if index + longest > count:
                longest = count - index
            for size in range(longest, 0, -1):
                replacement = self._entries.get(tuple(tokens[index : index + size]))
                if replacement is not None:
                    out.extend(replacement)
                    index += size
                    break
            else:
                out.append(tokens[index])
                index += 1
        return out


class Analyzer:
    """Turns text into an Analysis using the lexicon; built once at load time."""

    def __init__(self, lexicon: Lexicon, extra_vocabulary: Iterable[str] = ()) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}
        self.entity_names = dict(lexicon.entity_names)
        self.setting = tuple(lexicon.setting)
        self.subject = tuple(lexicon.subject)
        self.slots = tuple(lexicon.slots)
        self.modifiers = tuple(lexicon.modifiers)
        self.unsupported_replies = dict(lexicon.unsupported_replies)
        self.question_types = QuestionTypes(lexicon.question_phrases, lexicon.question_words, lexicon.asks_name)
        # A role is a concept ("founder") or a plain word ("he"); both forms are looked up.
        self.roles = {key: entity for word, entity in lexicon.roles.items() for key in (CONCEPT_PREFIX + word, word)}
        self._spellings = PhraseTable()
        spelling_words: set[str] = set()
        for target, variants in lexicon.spellings.items():
            for variant in variants:
                self._spellings.add(phrase_words(variant), phrase_words(target))
                spelling_words.update(phrase_words(variant) + phrase_words(target))
        for phrase in lexicon.filler:
            self._spellings.add(phrase_words(phrase), ())
            spelling_words.update(phrase_words(phrase))
        for phrase in lexicon.negations:
            self._spellings.add(phrase_words(phrase), (NEGATION_TOKEN,))
            spelling_words.update(phrase_words(phrase))

        self._phrases = PhraseTable()
        for entity_id, aliases in lexicon.entity_aliases.items():
            self._add_phrases(aliases, ENTITY_PREFIX + entity_id)
        self._add_phrases(lexicon.outside, OUTSIDE_TOKEN)
        self._add_phrases(lexicon.premises, PREMISE_TOKEN)
        for group, phrases in lexicon.unsupported.items():
            self._add_phrases(phrases, f"{UNSUPPORTED_TOKEN}:{group}")
        for concept, phrases in lexicon.concepts.items():
            self._add_phrases(phrases, CONCEPT_PREFIX + concept)
        self.stopwords = frozenset(self._stem_all(tokenize(" ".join(lexicon.stopwords))))

        # Spelling correction only reaches for words the bot knows, and leaves real words alone.
        domain: set[str] = set()
        for phrases in (
            *lexicon.entity_aliases.values(),
            lexicon.outside,
            lexicon.premises,
            *lexicon.unsupported.values(),
            *lexicon.concepts.values(),
        ):
            for phrase in phrases:
                domain.update(phrase_words(phrase))
        for text in extra_vocabulary:
            domain.update(self.spell(phrase_words(text)))
        self._domain = sorted(word for word in domain if len(word) >= 3 and not word.isdigit())
        self._domain_stems = sorted(set(self._stem_all(self._domain)))
        known = set(domain) | set(lexicon.stopwords)
        known.update(spelling_words)
        self._known = frozenset(known) | frozenset(self._stem_all(known))
        self._dictionary = lexicon.dictionary
        # Chinese words the lexicon knows (names and question words), for cutting runs of Han characters.
        self._chinese = frozenset(
            word for word in known | {t for ts in lexicon.entity_aliases.values() for t in ts} if _CJK_RUN.match(word)
        )
        self._chinese_longest = max((len(word) for word in self._chinese), default=1)
        self._corrections: dict[str, str] = {}

    def _add_phrases(self, phrases: Iterable[str], token: str) -> None:
        for phrase in phrases:
            self._phrases.add(tuple(self._stem_all(self.spell(phrase_words(phrase)))), (token,))

    def _stem_all(self, words: Iterable[str]) -> list[str]:
        cached = self._stems.get
        return [cached(word) or self._stem(word) for word in words]

    def stem(self, word: str) -> str:
        """The stem the lexicon uses for a word."""
        return self._stem(word)

    def _stem(self, word: str) -> str:
        stem = word if not word.isalpha() else str(self._stemmer.stemWord(word))
        if len(self._stems) < _CORRECTION_CACHE:
            self._stems[word] = stem
        return stem

    def _split_chinese(self, tokens: list[str]) -> list[str]:
        """Chinese has no spaces: cut each run of Han characters into the lexicon's Chinese words
        (longest first), keeping the characters between them together as one unknown word."""
        if not any(token[0] >= "\u3400" for token in tokens):
            return tokens
        out: list[str] = []
        for token in tokens:
            if not _CJK_RUN.match(token):
                out.append(token)
                continue
            unknown, index = "", 0
            while index < len(token):
                size = next(
                    (
                        n
                        for n in range(min(self._chinese_longest, len(token) - index), 0, -1)
                        if token[index : index + n] in self._chinese
                    ),
                    0,
                )
                if size:
                    out.extend([unknown] if unknown else [])
                    out.append(token[index : index + size])
                    unknown, index = "", index + size
                else:
                    unknown, index = unknown + token[index], index + 1
            out.extend([unknown] if unknown else [])
        return out

    def spell(self, words: Sequence[str]) -> list[str]:
        """Fold chat spellings (wen -> when, pls -> please) as whole words."""
        return self._spellings.replace(words)

    def correct(self, word: str) -> str:
        """The domain word a misspelt word stands for, or the word itself."""
        if (
            len(word) < 4
            or not word.isalpha()
            or word in self._dictionary
            or word in self._known
            or self._stem(word) in self._known
        ):
            return word
        corrected = self._corrections.get(word)
        if corrected is None:
            best = process.extractOne(word, self._domain, scorer=fuzz.ratio, score_cutoff=80)
            if best is None:  # "rivels": compare stems, so inflections of a misspelt word are found too
                best = process.extractOne(self._stem(word), self._domain_stems, scorer=fuzz.ratio, score_cutoff=80)
            corrected = best[0] if best else word
            if len(self._corrections) < _CORRECTION_CACHE:
                self._corrections[word] = corrected
        return corrected

    def analyze(self, text: str) -> Analysis:
        """Clean, spell, correct, stem and fold a message into canonical tokens."""
        cleaned = clean(text)
        words = self.spell(self._split_chinese(tokenize(cleaned)))
        corrected = [self.correct(word) for word in words]
        tokens = _drop_negated(self._phrases.replace(self._stem_all(corrected)))
        spelled = " ".join(words)
        qtype = self.question_types.of(spelled)
        content = tuple(t for t in tokens if t not in self.stopwords and t[0] not in "!$%")
        entities = frozenset(t[1:] for t in tokens if t.startswith(ENTITY_PREFIX))
        years = frozenset(int(w) for w in words if _YEAR.match(w))
        # An outside name or an unsupported word offered as an alternative ("dollars or yuan?") is
        # not what is asked: the answer says which alternative holds.
        alternatives = _alternatives(tokens)
        marked = [t for i, t in enumerate(tokens) if i not in alternatives]
        return Analysis(
            cleaned=cleaned,
            words=tuple(words),
            tokens=tuple(tokens),
            content=content,
            entities=entities,
            qtype=qtype,
            years=years,
            outside=OUTSIDE_TOKEN in marked or PREMISE_TOKEN in marked,
            premise=PREMISE_TOKEN in marked and OUTSIDE_TOKEN not in marked,
            unsupported=tuple(dict.fromkeys(t.split(":", 1)[1] for t in marked if t.startswith(UNSUPPORTED_TOKEN))),
            has_pronoun=any(w in PRONOUNS for w in words),
            checking=CHECKING.search(cleaned) is not None,
            alternatives=bool(alternatives),
        )

    def canonical(self, text: str) -> tuple[str, ...]:
        """Canonical content tokens of a template (same pipeline as questions)."""
        return self.analyze(text).content
