"""The lexicon: entity aliases, chat spellings, concepts, stop words and decline triggers."""

from __future__ import annotations

import re
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
        "premises",
        "roles",
        "question_types",
    }
)
ENTITY_KEYS = frozenset({"name", "aliases"})
UNSUPPORTED_KEYS = frozenset({"reply", "phrases"})

ENTITY_PREFIX = "@"
CONCEPT_PREFIX = "#"
OUTSIDE_TOKEN = "!outside"
PREMISE_TOKEN = "!premise"  # an outside company or person: in a claim to check, a premise to set right
UNSUPPORTED_TOKEN = "!unsupported"
OPEN_QUESTION = "open"  # the question type of "what" and "which" alone: nothing in particular


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Raw lexicon data; bot.normalize compiles it into look-up tables."""

    entity_names: dict[str, str]
    entity_aliases: dict[str, list[str]]
    outside: list[str]
    premises: list[str]
    unsupported: dict[str, list[str]]  # group -> phrases
    unsupported_replies: dict[str, str]  # group -> the decline that says what the article does not give
    spellings: dict[str, list[str]]
    filler: list[str]
    negations: list[str]
    concepts: dict[str, list[str]]
    stopwords: list[str]
    dictionary: frozenset[str]
    dictionary_file: str
    slots: list[str]
    setting: list[str]
    modifiers: list[str]
    subject: list[str]
    roles: dict[str, str]
    question_phrases: tuple[tuple[str, str], ...]  # (question type, pattern): anywhere in the question
    question_words: tuple[tuple[str, str], ...]  # failing those, the first question word
    asks_name: str  # a pattern: an open question asking for a name is a who-question

    @property
    def question_types(self) -> frozenset[str]:
        """The question types intents may answer (`asks:` in intents.yaml)."""
        return frozenset(name for name, _ in (*self.question_phrases, *self.question_words)) - {OPEN_QUESTION}


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
    outside_groups = _lists(data, "outside_entities", path)
    premise_groups = string_list(data, "premises", path, "", default=[])
    for index, group in enumerate(premise_groups):
        if group not in outside_groups:
            problems.add(DataError(path, f"premises[{index}]", f"{group!r} is not a group of outside_entities"))
    outside = [word for group, words in outside_groups.items() if group not in premise_groups for word in words]
    premises = [word for group in premise_groups if group in outside_groups for word in outside_groups[group]]
    unsupported: dict[str, tuple[list[str], str]] = {}
    for group, entry in field(data, "unsupported", dict, path, "").items():
        where = f"unsupported.{group}"
        if not isinstance(entry, dict):
            problems.add(DataError(path, where, "expected {reply, phrases}"))
            continue
        check_keys(entry, UNSUPPORTED_KEYS, path, where, problems)
        unsupported[str(group)] = (string_list(entry, "phrases", path, where), field(entry, "reply", str, path, where))
    types = field(data, "question_types", dict, path, "")
    check_keys(types, frozenset({"phrases", "words", "names"}), path, "question_types", problems)
    question_phrases = _patterns(types, "phrases", path, problems)
    question_words = _patterns(types, "words", path, problems)
    asks_name = field(types, "names", str, path, "question_types")
    roles = field(data, "roles", dict, path, "", default={})
    for word, entity in roles.items():
        if entity not in names:
            problems.add(DataError(path, f"roles.{word}", f"unknown entity {entity!r}"))
    lexicon = Lexicon(
        entity_names=names,
        entity_aliases=aliases,
        outside=outside,
        premises=premises,
        unsupported={group: phrases for group, (phrases, _) in unsupported.items()},
        unsupported_replies={group: reply for group, (_, reply) in unsupported.items()},
        spellings=_lists(data, "spellings", path),
        filler=string_list(data, "filler", path, "", default=[]),
        negations=string_list(data, "negations", path, "", default=[]),
        concepts=_lists(data, "concepts", path),
        stopwords=string_list(data, "stopwords", path, ""),
        dictionary=_dictionary(data_dir, field(data, "dictionary", str, path, "")),
        dictionary_file=str(data.get("dictionary", "")),
        slots=string_list(data, "slots", path, "", default=[]),
        setting=string_list(data, "setting", path, "", default=[]),
        modifiers=string_list(data, "modifiers", path, "", default=[]),
        subject=string_list(data, "subject", path, "", default=[]),
        roles={str(concept): str(entity) for concept, entity in roles.items()},
        question_phrases=question_phrases,
        question_words=question_words,
        asks_name=asks_name,
    )
    check_lexicon(lexicon, path, problems)
    return lexicon


def check_lexicon(lexicon: Lexicon, path: Path, problems: Problems | None = None) -> None:
    """Cross-checks inside the lexicon: slots and modifiers must name concepts, setting and subject entities."""
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


def _patterns(table: dict[str, Any], key: str, path: Path, problems: Problems) -> tuple[tuple[str, str], ...]:
    """[type, regular expression] pairs, each pattern compiled once to check it."""
    found: list[tuple[str, str]] = []
    for index, pair in enumerate(field(table, key, list, path, "question_types")):
        where = f"question_types.{key}[{index}]"
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) and x for x in pair)):
            problems.add(DataError(path, where, "expected [question type, pattern]"))
            continue
        try:
            re.compile(pair[1])
        except re.error as exc:
            problems.add(DataError(path, where, f"not a regular expression: {exc}"))
            continue
        found.append((pair[0], pair[1]))
    return tuple(found)
