"""Reading versioned YAML data files, with errors that name the file and the key."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rapidfuzz import fuzz, process

from bot.errors import DataError, Problems

SUPPORTED_VERSION = 1
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader  # CSafeLoader has the same SafeConstructor methods
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """The safe loader (libyaml's, ten times faster, when it is there) that refuses a key given twice:
    plain YAML keeps the last one silently, and an editor's earlier entry would vanish."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_LOADER = _Loader


def load_yaml(path: Path) -> dict[str, Any]:
    """Parse a data file and check its `version:`; syntax errors name the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(path, "", f"cannot read: {exc.strerror}") from exc
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (in C when libyaml is there)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(path, where, f"YAML syntax error: {problem}") from exc
    if not isinstance(data, dict):
        raise DataError(path, "", "expected a mapping at the top level")
    version = data.get("version")
    if version != SUPPORTED_VERSION:
        raise DataError(path, "version", f"expected version: {SUPPORTED_VERSION}, found {version!r}")
    return data


def field(entry: Mapping[str, Any], key: str, kind: type, path: Path, where: str, default: Any = ...) -> Any:
    """entry[key], checked to be of the given type; a missing or mistyped key raises DataError."""
    if key not in entry:
        if default is not ...:
            return default
        raise DataError(path, where, f"missing key '{key}'")
    value = entry[key]
    if value is None and kind is list:
        return []  # `templates:` with nothing under it is an empty list, not a type error
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DataError(path, f"{where}.{key}", f"expected {kind.__name__}, found {type(value).__name__}")
    if isinstance(value, str) and not value.strip():
        raise DataError(path, f"{where}.{key}", "must not be empty")
    return value


def string_list(entry: Mapping[str, Any], key: str, path: Path, where: str, default: Any = ...) -> list[str]:
    """entry[key] as a list of non-empty strings."""
    values = field(entry, key, list, path, where, default)
    for index, value in enumerate(values):
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise DataError(path, f"{where}.{key}[{index}]", "expected a non-empty string")
    return [str(value) for value in values]


def check_keys(entry: Mapping[str, Any], known: Collection[str], path: Path, where: str, problems: Problems) -> None:
    """Report every key of entry that is not one of `known` (a misspelt `requries:` would be ignored)."""
    for key in entry:
        if key in known:
            continue
        close = process.extractOne(str(key), known, scorer=fuzz.ratio, score_cutoff=70)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(sorted(known))}"
        problems.add(DataError(path, f"{where}.{key}" if where else str(key), f"unknown key ({hint})"))
