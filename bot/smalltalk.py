"""Small talk: greetings, thanks, help and goodbyes, told apart from questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.normalize import Analysis, Analyzer, phrase_words

# Words that make a message a question even without a question word of the article's.
_ASKING = re.compile(r"\b(what|whats|which|is|are|does|did|can|will|was)\b")
_OPENERS = ("greeting", "thanks", "bye")


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """One kind of small talk: its phrases and the reply."""

    name: str
    phrases: tuple[str, ...]
    reply: str


class SmallTalkDetector:
    """Finds the kind of small talk a message is, if it is small talk at all."""

    def __init__(self, kinds: Sequence[SmallTalk], analyzer: Analyzer) -> None:
        self.kinds = {kind.name: kind for kind in kinds}
        self._analyzer = analyzer
        # Phrases are spelled as messages are ("who made u" reads "who founded you"), so they still match.
        self._phrases = {tuple(analyzer.spell(phrase_words(phrase))): kind.name for kind in kinds for phrase in kind.phrases}
        self._longest = max((len(phrase) for phrase in self._phrases), default=1)

    def kind_of(self, analysis: Analysis) -> str | None:
        """The kind when the message is only small talk and filler ("hi!", "thanks a lot"), or a
        greeting followed by chatter that names nothing from the article and asks nothing."""
        words = analysis.words
        found: str | None = None
        index = 0
        while index < len(words):
            size = next(
                (n for n in range(min(self._longest, len(words) - index), 0, -1) if words[index : index + n] in self._phrases), 0
            )
            if size:
                kind = self._phrases[words[index : index + size]]
                found = found if found == "help" else kind
                index += size
            elif self._analyzer.stem(words[index]) in self._analyzer.stopwords:
                index += 1
            else:
                break
        if index == len(words):
            return found
        names_nothing = not any(token[0] in "#@" for token in analysis.content)
        asks_nothing = analysis.qtype is None and not _ASKING.search(analysis.cleaned) and "?" not in analysis.cleaned
        return found if found in _OPENERS and names_nothing and asks_nothing else None
