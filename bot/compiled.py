"""The matcher as built from the data, kept on disk between starts.

Building it means reading some thirty example files and folding ten thousand examples through the
analyzer: most of a second. A bot restarts, a reload happens and every `ask` starts afresh, so the
built matcher is kept in the cache directory under a hash of every data file, the code that builds
it and the examples left out. Any change to them starts a new file. The cache only saves time: a
file that cannot be read or written is rebuilt or skipped, never trusted half-way.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

from bot.classifier import CLASSIFIER_FILE
from bot.folding import cache_dir, content_hash
from bot.matcher import Matcher
from bot.normalize import Analyzer

log = logging.getLogger(__name__)

# The modules whose code decides what a built matcher holds.
_CODE = (
    "matcher.py",
    "normalize.py",
    "lexicon.py",
    "reading.py",
    "folding.py",
    "examples.py",
    "intents.py",
    "models.py",
    "engine.py",
)


def key(data_dir: Path, without_examples: Iterable[str] = ()) -> str:
    """A hash of every file under data_dir, the matcher's code, the version and the examples left out."""
    # The classifier is not the matcher's: a refit of it leaves the built matcher as it was.
    files = sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name != CLASSIFIER_FILE)
    return content_hash(str(sorted(without_examples)), files, _CODE, root=data_dir)


def load(name: str, analyzer: Analyzer, directory: Path | None = None) -> Matcher | None:
    """The matcher kept under this key, given the analyzer it matches with; None when there is none."""
    path = (directory or cache_dir()) / f"matcher-{name}.pickle"
    try:
        with path.open("rb") as handle:
            matcher = pickle.load(handle)  # our own file, in the user's cache directory
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
        log.debug("rebuilding the matcher: %s unreadable (%s)", path, exc)
        return None
    if not isinstance(matcher, Matcher):
        return None
    matcher.analyzer = analyzer
    return matcher


def save(name: str, matcher: Matcher, directory: Path | None = None) -> None:
    """Keep a built matcher under this key (best effort: an unwritable cache is skipped)."""
    path = (directory or cache_dir()) / f"matcher-{name}.pickle"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
    except OSError as exc:
        log.debug("cannot keep the matcher in %s: %s", path, exc)
