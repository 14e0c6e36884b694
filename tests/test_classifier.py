"""The letter-and-word classifier on a hand-made model: the pieces it cuts, the margins it computes
(against the formula, worked by hand), and its file."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest

from bot.classifier import WORD_MARK, Classifier, ngrams, piece_grams, pieces
from bot.errors import DataError

#   classes:            yes    no
ROWS = {
    " ca": (1.0, -1.0),
    "cat": (2.0, 0.0),
    WORD_MARK + "dog": (-1.0, 3.0),
    WORD_MARK + "cat dog": (0.5, 0.5),
}
IDF = {" ca": 2.0, "cat": 1.0, WORD_MARK + "dog": 1.5, WORD_MARK + "cat dog": 3.0}


def small() -> Classifier:
    """Scaled rows are each n-gram's weights times its idf, as eval/fit.py keeps them."""
    vocabulary = list(ROWS)
    scaled = array("f", [w * IDF[g] for g in vocabulary for w in ROWS[g]])
    return Classifier(["yes", "no"], vocabulary, [IDF[g] for g in vocabulary], scaled, [0.25, -0.25])


def test_a_word_is_cut_into_its_letter_ngrams_within_spaces_and_itself() -> None:
    assert piece_grams("ab") == [" a", "ab", "b ", " ab", "ab ", " ab ", WORD_MARK + "ab"]
    assert piece_grams("ab cd") == [WORD_MARK + "ab cd"]
    assert pieces("ab cd ef") == ["ab", "cd", "ef", "ab cd", "cd ef"]
    assert ngrams("ab cd")[-1] == WORD_MARK + "ab cd"


def test_margins_are_the_normed_tfidf_vector_times_the_rows_plus_the_bias() -> None:
    # "cat dog": the word cat has " ca" and "cat" (once each), the word dog only itself, the pair itself.
    x = {" ca": 2.0, "cat": 1.0, WORD_MARK + "dog": 1.5, WORD_MARK + "cat dog": 3.0}  # counts (1) times idf
    length = math.sqrt(sum(v * v for v in x.values()))
    expected = [sum(x[g] * ROWS[g][k] for g in x) / length + bias for k, bias in enumerate((0.25, -0.25))]
    margins = small().margins("cat dog")
    assert margins == pytest.approx(dict(zip(["yes", "no"], expected, strict=True)), rel=1e-6)


def test_an_ngram_two_words_share_counts_once_in_each_word() -> None:
    # " ca" in two words: the length adds each word's square, (2)^2 + (2)^2, not (2 + 2)^2.
    classifier = small()
    one, two = classifier.margins("cat"), classifier.margins("cat cat")
    assert two["yes"] - 0.25 == pytest.approx((one["yes"] - 0.25) * math.sqrt(2), rel=1e-6)


def test_what_is_remembered_changes_nothing() -> None:
    classifier = small()
    first = classifier.margins("cat dog")
    classifier.margins("dog")
    assert classifier.margins("cat dog") == first == small().margins("cat dog")


def test_a_text_it_knows_nothing_of_gets_the_bias() -> None:
    assert small().margins("zzz qqq") == {"yes": 0.25, "no": -0.25}


def test_the_file_keeps_the_margins(tmp_path: Path) -> None:
    small().save(tmp_path / "c.bin")
    loaded = Classifier.load(tmp_path / "c.bin")
    assert loaded is not None
    assert loaded.margins("cat dog") == pytest.approx(small().margins("cat dog"), rel=1e-6)


def test_no_file_is_no_classifier_and_a_damaged_one_is_named(tmp_path: Path) -> None:
    assert Classifier.load(tmp_path / "missing.bin") is None
    (tmp_path / "c.bin").write_bytes(b"not a classifier")
    with pytest.raises(DataError, match=r"c\.bin"):
        Classifier.load(tmp_path / "c.bin")


def test_arrays_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        Classifier(["yes"], ["a", "b"], [1.0, 1.0], array("f", [1.0]), [0.0])
