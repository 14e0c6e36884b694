"""Labelled examples: how members really asked, each under the intent whose answer fits it, and
near-misses (questions that share words with the article but that it does not answer), grouped by
what they ask. The matcher reads examples as it reads templates; near-miss groups compete with the
intents, so that being closer to a known near-miss than to any intent is a reason to decline.

Each file under `intents/examples/` is one source (a paraphrase corpus, a labelled question set).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.datafile import field, load_yaml, string_list
from bot.errors import DataError

EXAMPLES_DIR = "examples"


@dataclass(frozen=True, slots=True)
class ExampleSet:
    """The examples of one file: questions by intent name, and near-misses by group."""

    source: str
    by_intent: dict[str, tuple[str, ...]]
    near_misses: dict[str, tuple[str, ...]]


def load_examples(data_dir: Path, intent_names: Iterable[str], exclude: Iterable[str] = ()) -> tuple[ExampleSet, ...]:
    """Every example file in data_dir/examples (sorted by name), but those whose stem is in exclude."""
    folder = data_dir / EXAMPLES_DIR
    if not folder.is_dir():
        return ()
    known, skipped = frozenset(intent_names), frozenset(exclude)
    return tuple(_load_file(path, known) for path in sorted(folder.glob("*.yaml")) if path.stem not in skipped)


def _load_file(path: Path, known: frozenset[str]) -> ExampleSet:
    data = load_yaml(path)
    unexpected = sorted(set(data) - {"version", "source", "intents", "near_misses"})
    if unexpected:
        raise DataError(path, unexpected[0], "unknown key (expected source, intents, near_misses)")
    by_intent = _groups(data, "intents", path)
    for name in by_intent:
        if name not in known:
            raise DataError(path, f"intents.{name}", f"unknown intent {name!r}")
    return ExampleSet(path.stem, by_intent, _groups(data, "near_misses", path))


def _groups(data: dict[str, object], key: str, path: Path) -> dict[str, tuple[str, ...]]:
    table = field(data, key, dict, path, "", default={})
    return {str(name): tuple(string_list(table, name, path, key)) for name in table}
