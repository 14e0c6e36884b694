"""`python -m bot check`: every problem in the data files in one run, each naming its file and key.

The loaders run with a collecting Problems sink, so each goes on past a bad entry. A file whose
problems keep the files after it from being read (a YAML syntax error in knowledge.yaml leaves
no fact ids to check intents.yaml against) is reported, and the files after it are checked as
far as they can be. When nothing is found, the engine is loaded whole, as `run` would load it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot import engine as engines
from bot import picture
from bot.decide import GAP_HANDLER, SOURCE_HANDLER
from bot.engine import Engine
from bot.errors import DataError, Problems
from bot.handlers import HANDLERS
from bot.intents import INTENTS_FILE, load_intents, load_replies, load_smalltalk
from bot.knowledge import KNOWLEDGE_FILE, load_knowledge
from bot.lexicon import LEXICON_FILE, load_lexicon
from bot.quiz import load_quiz

T = TypeVar("T")


def check(data_dir: Path | None = None) -> tuple[list[DataError], Engine | None]:
    """Every problem in the data files, and the loaded engine when there are none."""
    data_dir = data_dir or engines.default_data_dir()  # looked up at call time: tests point it elsewhere
    problems = Problems(collect=True)
    lexicon = _load(problems, lambda: load_lexicon(data_dir, problems))
    entities = frozenset(lexicon.entity_names) if lexicon is not None else _entity_ids(data_dir)
    knowledge = _load(problems, lambda: load_knowledge(data_dir, entities, problems))
    if knowledge is not None:
        handlers = [*HANDLERS, SOURCE_HANDLER, GAP_HANDLER]
        types = None if lexicon is None else lexicon.question_types
        _load(problems, lambda: load_intents(data_dir, knowledge, handlers, entities, problems, types))
        names = lexicon.entity_names if lexicon is not None else {entity: entity for entity in entities}
        _load(problems, lambda: load_quiz(data_dir, knowledge, names, problems))
    _load(problems, lambda: load_smalltalk(data_dir, problems))
    _load(problems, lambda: load_replies(data_dir, problems))
    if problems.found:
        return problems.found, None
    try:
        engine = Engine.load(data_dir)
        picture.check(engine.knowledge)  # the timeline picture can be laid out, whole and for each year
    except DataError as error:  # checks that only the whole engine makes
        return [error], None
    return [], engine


def _load(problems: Problems, load: Callable[[], T]) -> T | None:
    """Run one loader; a problem that stops the whole file is collected like the others."""
    try:
        return load()
    except DataError as error:
        problems.found.append(error)
        return None


def _entity_ids(data_dir: Path) -> frozenset[str]:
    """Entity ids for checking the other files when lexicon.yaml did not load.

    Its `entities:` when its YAML can be read; otherwise every id the other files use, since
    none can be checked, so that only their other problems are reported.
    """
    lexicon = _raw(data_dir / LEXICON_FILE)
    if isinstance(lexicon.get("entities"), dict):
        return frozenset(map(str, lexicon["entities"]))
    used: set[str] = set()
    for name, list_key, key in ((KNOWLEDGE_FILE, "facts", "about"), (INTENTS_FILE, "intents", "requires")):
        entries = _raw(data_dir / name).get(list_key)
        for entry in entries if isinstance(entries, list) else []:
            values = entry.get(key) if isinstance(entry, dict) else None
            used.update(map(str, values if isinstance(values, list) else []))
    return frozenset(used)


def _raw(path: Path) -> dict[str, Any]:
    """A data file's YAML as it is, or {} when it cannot be read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
