"""The labelled examples as the matcher reads them, folded once and kept on disk between starts.

Folding some ten thousand examples through the analyzer takes about a second; a bot restarts, a
reload happens and every `ask` starts afresh, so the folded forms are kept in a cache file. Its name
holds a hash of everything folding depends on (the lexicon, its word list and the code that folds),
so a change to any of them starts a new file. The cache is an optimisation only: when it cannot be
read or written, examples are folded as if it were not there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import __version__
from bot.normalize import Analyzer, clean
from bot.reading import checks_a_claim, parts

log = logging.getLogger(__name__)

_CODE = ("normalize.py", "reading.py", "lexicon.py", "folding.py")


@dataclass(frozen=True, slots=True)
class Folded:
    """An example as the matcher needs it: its canonical tokens, whether it is one plain question
    (not several, not a claim to check), and what the decline rules would say of it."""

    content: tuple[str, ...]
    plain: bool
    outside: bool
    unsupported: bool
    years: frozenset[int]


def content_hash(salt: str, files: Iterable[Path], code: Iterable[str], root: Path | None = None) -> str:
    """A short hash of the version, a salt, the files (named relative to root when given, absent ones
    as empty) and this package's modules named in code: what a cache file is valid for."""
    digest = hashlib.sha256(f"{__version__}\0{salt}".encode())
    for path in files:
        name = str(path.relative_to(root)) if root is not None else ""
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    for module in code:
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:24]


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """$XDG_CACHE_HOME/qa-bot, or ~/.cache/qa-bot."""
    base = environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "qa-bot"


class Folder:
    """Folds example texts with one analyzer, remembering them in a cache file."""

    def __init__(self, analyzer: Analyzer, data_files: Iterable[Path], directory: Path | None = None) -> None:
        self.analyzer = analyzer
        self.path = (directory or cache_dir()) / f"folded-{content_hash('', data_files, _CODE)}.json"
        self._known: dict[str, Folded] = self._read()
        self._new = 0

    def fold(self, text: str) -> Folded:
        """The folded form of one example."""
        known = self._known.get(text)
        if known is None:
            analysis = self.analyzer.analyze(text)
            cleaned = clean(text)
            plain = len([p for p in parts(cleaned) if p.asks]) <= 1 and not checks_a_claim(cleaned)
            known = Folded(analysis.content, plain, analysis.outside, bool(analysis.unsupported), analysis.years)
            self._known[text] = known
            self._new += 1
        return known

    def save(self) -> None:
        """Write the cache file if anything was folded anew (best effort)."""
        if not self._new:
            return
        rows = {t: [list(f.content), f.plain, f.outside, f.unsupported, sorted(f.years)] for t, f in self._known.items()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            log.debug("cannot keep folded examples in %s: %s", self.path, exc)

    def _read(self) -> dict[str, Folded]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return {t: Folded(tuple(c), bool(p), bool(o), bool(u), frozenset(y)) for t, (c, p, o, u, y) in rows.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}  # absent, unreadable or from an older layout: fold afresh
