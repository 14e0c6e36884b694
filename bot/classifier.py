"""A linear classifier over the letters and words of a question: which intent it reads as, or a
known near-miss. A second view beside the matcher's: the matcher weighs folded words against
templates, this one has learnt from every labelled example which pieces of spelling tell the
intents apart ("revnue", "rev", "revenue" share "rev"), typos and unseen words included.

Fitted by `eval/fit.py` (scikit-learn: a one-vs-rest linear SVM over TF-IDF weighted n-grams) and
kept beside the intents as `classifier.bin`. Here it needs nothing but Python: the margins are
linear in the n-grams, so each word's share of them is summed once and remembered, and a question
costs one column sum. Its margins are features of the answer/decline model
(`Decider.features`), never a decision of their own.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path

from bot.errors import DataError

CLASSIFIER_FILE = "classifier.bin"  # in the data directory: fitted on its intents and examples
FORMAT_VERSION = 1
NGRAMS = (2, 5)  # letter n-grams within space-padded words, as scikit-learn's char_wb analyzer cuts them
WORD_MARK = "\x00"  # words and word pairs are features too; the mark keeps them apart from letter n-grams
_REMEMBERED = 50_000  # a bound on the memo of words and word pairs: past it, it starts again


def piece_grams(piece: str) -> list[str]:
    """The features of one piece of a text: a word's letter n-grams and the word, or a pair of words."""
    if " " in piece:
        return [WORD_MARK + piece]
    padded = f" {piece} "
    low, high = NGRAMS
    return [*(padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)), WORD_MARK + piece]


def pieces(text: str) -> list[str]:
    """The pieces of a cleaned text: each word, then each pair of words."""
    words = text.split()
    return [*words, *(f"{a} {b}" for a, b in pairwise(words))]


def ngrams(text: str) -> list[str]:
    """Every feature of a cleaned text (what the fit counts)."""
    return [g for piece in pieces(text) for g in piece_grams(piece)]


def piece_norm(grams: Sequence[str], index: Mapping[str, int], idf: Sequence[float]) -> float:
    """The squared length of one piece's TF-IDF vector.

    A text's length is taken as the root of its pieces' summed squared lengths: an n-gram two words
    share counts once in each, not twice in one. Fit and use share this, so the margins are exactly
    what was fitted, and a word's share of them can be remembered."""
    counts = Counter(i for i in map(index.get, grams) if i is not None)
    return sum((c * idf[i]) ** 2 for i, c in counts.items())


class Classifier:
    """Each class's margin for a text: x . W + b, x the L2-normed TF-IDF vector of its n-grams.

    Kept as `scaled`: each n-gram's row of W times its idf, so that a text's margins before the
    norm are the sum of its n-grams' rows, and a word's rows can be summed once."""

    def __init__(
        self, classes: Sequence[str], vocabulary: Sequence[str], idf: Sequence[float], scaled: array[float], bias: Sequence[float]
    ) -> None:
        width = len(classes)
        if len(idf) != len(vocabulary) or len(scaled) != len(vocabulary) * width or len(bias) != width:
            raise ValueError("classifier arrays do not fit its vocabulary and classes")
        self.classes = tuple(classes)
        self.index = {gram: i for i, gram in enumerate(vocabulary)}
        self.idf = idf if isinstance(idf, array) else array("f", idf)
        self.scaled = scaled
        self.bias = tuple(bias)
        self._pieces: dict[str, tuple[tuple[float, ...], float]] = {}
        self._last: tuple[str, dict[str, float]] | None = None  # the features ask for one text several times

    # -- the file ------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Classifier | None:
        """The classifier saved at path, None when there is none; DataError when it is damaged."""
        if not path.is_file():
            return None
        data = path.read_bytes()
        try:
            # Header, n-grams, floats, the first two ended by a blank line (no n-gram is empty); the
            # floats are read in place.
            first = data.index(b"\n\n")
            second = data.index(b"\n\n", first + 2)
            head, grams, numbers = data[:first], data[first + 2 : second], memoryview(data)[second + 2 :]
            header = json.loads(head)
            if header.get("version") != FORMAT_VERSION:
                raise DataError(
                    path, "version", f"unknown classifier format {header.get('version')!r} (expected {FORMAT_VERSION})"
                )
            vocabulary = grams.decode("utf-8").split("\n")
            split = len(vocabulary) * array("f").itemsize
            idf, scaled = array("f"), array("f")
            idf.frombytes(numbers[:split])
            scaled.frombytes(numbers[split:])
            return cls(header["classes"], vocabulary, idf, scaled, header["bias"])
        except (ValueError, KeyError, TypeError) as error:
            raise DataError(path, "", f"not a classifier file eval/fit.py wrote ({error})") from error

    def save(self, path: Path) -> None:
        """Write the classifier: a JSON header, the n-grams one per line, then idf and rows as float32."""
        header = json.dumps({"version": FORMAT_VERSION, "classes": list(self.classes), "bias": list(self.bias)})
        vocabulary = "\n".join(sorted(self.index, key=self.index.__getitem__))
        path.write_bytes(
            header.encode() + b"\n\n" + vocabulary.encode("utf-8") + b"\n\n" + self.idf.tobytes() + self.scaled.tobytes()
        )

    # -- reading -------------------------------------------------------------------------

    def margins(self, text: str) -> dict[str, float]:
        """Each class's margin for a cleaned text (above 0: the classifier reads it as that class)."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        shares = [self._share(piece) for piece in pieces(text)]
        rows = [row for row, length in shares if length]
        length = math.sqrt(sum(length for _, length in shares)) or 1.0
        # Column sums in C: faster than adding the rows one by one in Python.
        total = [sum(column) for column in zip(*rows, strict=True)] if rows else [0.0] * len(self.classes)
        result = {name: value / length + bias for name, value, bias in zip(self.classes, total, self.bias, strict=True)}
        self._last = (text, result)
        return result

    def _share(self, piece: str) -> tuple[tuple[float, ...], float]:
        """A piece's rows summed and its squared length, remembered by the piece's text."""
        known = self._pieces.get(piece)
        if known is None:
            if len(self._pieces) >= _REMEMBERED:
                self._pieces.clear()
            width, scaled = len(self.classes), self.scaled
            grams = piece_grams(piece)
            rows = [scaled[i * width : (i + 1) * width] for i in map(self.index.get, grams) if i is not None]
            total = tuple(sum(column) for column in zip(*rows, strict=True)) if rows else ()
            known = self._pieces[piece] = (total, piece_norm(grams, self.index, self.idf))
        return known
