"""Shared fixtures: the real engine, and writable copies of the shipped data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine, default_data_dir


@pytest.fixture(autouse=True, scope="session")
def _folding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Examples folded by the tests are cached in a directory of their own, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine on the shipped data, loaded once."""
    return Engine.load()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data directory."""
    target = tmp_path / "intents"
    shutil.copytree(default_data_dir(), target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a data file in place; the text to replace must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
