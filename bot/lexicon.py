"""The lexicon: entity aliases, chat spellings, concepts, stop words and decline triggers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.datafile import check_keys, field, load_yaml, string_list
from bot.errors import DataError, Problems

LEXICON_FILE = "lexicon.yaml"
FILE_KEYS = frozenset(
    {
        "version",
        "entities",
        "outside_entities",
        "unsupported",
        "spellings",
        "filler",
        "negations",
        "concepts",
        "stopwords",
        "dictionary",
        "slots",
        "setting",
        "modifiers",
        "subject",
    }
)
ENTITY_KEYS = frozenset({"name", "aliases"})

ENTITY_PREFIX = "@"
CONCEPT_PREFIX = "#"
OUTSIDE_TOKEN = "!outside"
UNSUPPORTED_TOKEN = "!unsupported"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Raw lexicon data; bot.normalize compiles it into look-up tables."""

    entity_names: dict[str, str]
    entity_aliases: dict[str, list[str]]
    outside: list[str]
    unsupported: list[str]
    spellings: dict[str, list[str]]
    filler: list[str]
    negations: list[str]
    concepts: dict[str, list[str]]
    stopwords: list[str]
    dictionary: frozenset[str]
    slots: list[str]
    setting: list[str]
    modifiers: list[str]
    subject: list[str]


def load_lexicon(data_dir: Path, problems: Problems | None = None) -> Lexicon:
    """Load and validate lexicon.yaml."""
    problems = Problems() if problems is None else problems
    path = data_dir / LEXICON_FILE
    data = load_yaml(path)
    check_keys(data, FILE_KEYS, path, "", problems)
    entities: dict[str, Any] = field(data, "entities", dict, path, "")
    names: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    for entity_id, entry in entities.items():
        with problems.entry() as checking:
            checking.name = str(entity_id)
            where = f"entities.{entity_id}"
            if not isinstance(entry, dict):
                raise DataError(path, where, "expected {name, aliases}")
            check_keys(entry, ENTITY_KEYS, path, where, problems)
            names[entity_id] = field(entry, "name", str, path, where)
            aliases[entity_id] = string_list(entry, "aliases", path, where)
    outside_groups = field(data, "outside_entities", list, path, "")
    outside = [str(word) for group in outside_groups for word in (group if isinstance(group, list) else [group])]
    lexicon = Lexicon(
        entity_names=names,
        entity_aliases=aliases,
        outside=outside,
        unsupported=string_list(data, "unsupported", path, ""),
        spellings=_lists(data, "spellings", path),
        filler=string_list(data, "filler", path, "", default=[]),
        negations=string_list(data, "negations", path, "", default=[]),
        concepts=_lists(data, "concepts", path),
        stopwords=string_list(data, "stopwords", path, ""),
        dictionary=_dictionary(data_dir, field(data, "dictionary", str, path, "")),
        slots=string_list(data, "slots", path, "", default=[]),
        setting=string_list(data, "setting", path, "", default=[]),
        modifiers=string_list(data, "modifiers", path, "", default=[]),
        subject=string_list(data, "subject", path, "", default=[]),
    )
    check_lexicon(lexicon, path, problems)
    return lexicon


def check_lexicon(lexicon: Lexicon, path: Path, problems: Problems | None = None) -> None:
    """Cross-checks inside the lexicon: slots must name concepts."""
    problems = Problems() if problems is None else problems
    for key, names in (("slots", lexicon.slots), ("modifiers", lexicon.modifiers)):
        for name in names:
            if name not in lexicon.concepts:
                problems.add(DataError(path, key, f"{name!r} is not a concept"))
    for key, entities in (("setting", lexicon.setting), ("subject", lexicon.subject)):
        for entity in entities:
            if entity not in lexicon.entity_names and not problems.failed(entity):
                problems.add(DataError(path, key, f"unknown entity {entity!r}"))


def _dictionary(data_dir: Path, name: str) -> frozenset[str]:
    path = data_dir / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(data_dir / LEXICON_FILE, "dictionary", f"cannot read {name}: {exc.strerror}") from exc
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _lists(data: dict[str, Any], key: str, path: Path) -> dict[str, list[str]]:
    table = field(data, key, dict, path, "")
    return {str(name): string_list(table, name, path, key) for name in table}
