"""Intent templates and small talk: loading, validation and the cross-file checks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.datafile import check_keys, field, load_yaml, string_list
from bot.errors import DataError, Problems
from bot.knowledge import Knowledge
from bot.models import Intent
from bot.normalize import QUESTION_TYPES, phrase_words
from bot.smalltalk import SmallTalk

INTENTS_FILE = "intents.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
SUGGESTION_LIMIT = 80
FILE_KEYS = frozenset({"version", "intents"})
INTENT_KEYS = frozenset({"name", "handler", "facts", "asks", "requires", "templates", "suggestion"})
SMALLTALK_FILE_KEYS = frozenset({"version", "smalltalk"})
SMALLTALK_KEYS = frozenset({"phrases", "reply"})


def template_key(text: str) -> str:
    """How two templates are compared for duplicates: folded words."""
    return " ".join(phrase_words(text))


def load_intents(
    data_dir: Path, knowledge: Knowledge, handlers: Iterable[str], entities: Iterable[str], problems: Problems | None = None
) -> tuple[Intent, ...]:
    """Load intents.yaml and check it against the handlers, the facts and the entities."""
    problems = Problems() if problems is None else problems
    path = data_dir / INTENTS_FILE
    data = load_yaml(path)
    check_keys(data, FILE_KEYS, path, "", problems)
    handler_names, entity_ids = frozenset(handlers), frozenset(entities)
    intents: list[Intent] = []
    seen_templates: dict[str, str] = {}

    def read(index: int, entry: object) -> None:
        where = f"intents[{index}]"
        if not isinstance(entry, dict):
            raise DataError(path, where, "expected a mapping")
        name = field(entry, "name", str, path, where)
        where = f"intent '{name}'"
        if any(intent.name == name for intent in intents):
            raise DataError(path, where, "duplicate intent name")
        check_keys(entry, INTENT_KEYS, path, where, problems)
        handler = field(entry, "handler", str, path, where)
        if handler not in handler_names:
            raise DataError(path, f"{where}.handler", f"unknown handler {handler!r} (known: {', '.join(sorted(handler_names))})")
        facts = string_list(entry, "facts", path, where)
        for fact_id in facts:
            if fact_id not in knowledge.facts and not problems.failed(fact_id):
                raise DataError(path, f"{where}.facts", f"unknown fact id {fact_id!r}")
        asks = frozenset(string_list(entry, "asks", path, where, default=[]))
        if asks - QUESTION_TYPES:
            raise DataError(path, f"{where}.asks", f"unknown question type {sorted(asks - QUESTION_TYPES)[0]!r}")
        requires = frozenset(string_list(entry, "requires", path, where, default=[]))
        if {e for e in requires - entity_ids if not problems.failed(e)}:
            raise DataError(path, f"{where}.requires", f"unknown entity {sorted(requires - entity_ids)[0]!r}")
        templates = string_list(entry, "templates", path, where, default=[])
        if not templates:
            raise DataError(path, f"{where}.templates", "an intent needs at least one template")
        for template in templates:
            key = template_key(template)
            other = seen_templates.setdefault(key, name)
            if other != name:
                raise DataError(path, f"{where}.templates", f"template {template!r} is also under intent '{other}'")
        about = frozenset().union(*(knowledge.facts[f].about for f in facts if f in knowledge.facts))
        suggestion = str(entry.get("suggestion") or templates[0])
        if len(suggestion) > SUGGESTION_LIMIT:
            raise DataError(path, f"{where}.suggestion", f"longer than {SUGGESTION_LIMIT} characters (a Discord button label)")
        intents.append(Intent(name, handler, tuple(facts), tuple(templates), asks, about, requires, suggestion))

    for index, entry in enumerate(field(data, "intents", list, path, "")):
        with problems.entry():
            read(index, entry)
    if problems:
        return tuple(intents)  # collecting for `check`: what follows would repeat the problems found
    if not intents:
        raise DataError(path, "intents", "no intents")
    reached = {fact_id for intent in intents for fact_id in intent.facts}
    for fact_id in knowledge.facts:
        if fact_id not in reached:
            raise DataError(path, "intents", f"fact {fact_id!r} is not reachable: no intent answers with it")
    return tuple(intents)


def load_smalltalk(data_dir: Path, problems: Problems | None = None) -> tuple[SmallTalk, ...]:
    """Load smalltalk.yaml."""
    problems = Problems() if problems is None else problems
    path = data_dir / SMALLTALK_FILE
    data = load_yaml(path)
    check_keys(data, SMALLTALK_FILE_KEYS, path, "", problems)
    table = field(data, "smalltalk", dict, path, "")
    kinds = []
    for name, entry in table.items():
        with problems.entry():
            where = f"smalltalk.{name}"
            if not isinstance(entry, dict):
                raise DataError(path, where, "expected {phrases, reply}")
            check_keys(entry, SMALLTALK_KEYS, path, where, problems)
            phrases = tuple(string_list(entry, "phrases", path, where))
            kinds.append(SmallTalk(str(name), phrases, field(entry, "reply", str, path, where)))
    return tuple(kinds)
