"""Live reload: the engine in use, loaded again from disk and swapped in whole, or kept when the data is bad.

A question reads `live.engine` once and answers with that engine from start to end, so a
question in flight gets the old engine or the new one, never a mix. Invalid data keeps the
old engine serving; the outcome names the file, key and problem as `python -m bot check` does.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Engine, default_data_dir
from bot.errors import DataError

log = logging.getLogger(__name__)

Listener = Callable[[Engine, Engine], None]


def summary(engine: Engine) -> str:
    """What an engine holds, as `check` reports it: facts, intents, templates, quiz questions."""
    templates = sum(len(intent.templates) for intent in engine.intents)
    quiz = engine.quiz
    return (
        f"{len(engine.knowledge.facts)} facts, {len(engine.intents)} intents, {templates} templates, "
        f"{len(quiz.items)} quiz questions ({quiz.written} written by hand)"
    )


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a reload did, in a line for a log or a reply."""

    ok: bool
    message: str


class LiveEngine:
    """The engine in use, swapped whole by reload()."""

    def __init__(self, engine: Engine, data_dir: Path | None = None) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self._loading = threading.Lock()  # one reload at a time, from the console or the bot
        self._listeners: list[Listener] = []

    @property
    def where(self) -> Path:
        """The data directory that reloads read."""
        return self.data_dir or default_data_dir()

    def subscribe(self, listener: Listener) -> None:
        """Call listener(old, new) after every successful swap."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling listener."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def reload(self) -> ReloadOutcome:
        """Load the data again and swap it in, here and now (the console)."""
        with self._loading:
            return self._swap(self._load())

    async def reload_async(self) -> ReloadOutcome:
        """Load the data on a worker thread, so the bot goes on answering, then swap it in on the loop."""
        loaded = await asyncio.to_thread(self._load_alone)
        return self._swap(loaded)

    def _load_alone(self) -> Engine | ReloadOutcome:
        with self._loading:
            return self._load()

    def _load(self) -> Engine | ReloadOutcome:
        try:
            return Engine.load(self.data_dir)
        except DataError as exc:
            message = f"Reload failed; still serving the previous data. data error: {exc}"
            log.error("%s", message)
            return ReloadOutcome(False, message)
        except Exception:
            log.exception("Reload of %s failed; still serving the previous data", self.where)
            return ReloadOutcome(
                False, "Reload failed with an unexpected error (it is in the log); still serving the previous data."
            )

    def _swap(self, loaded: Engine | ReloadOutcome) -> ReloadOutcome:
        if isinstance(loaded, ReloadOutcome):
            return loaded
        old, self.engine = self.engine, loaded
        for listener in list(self._listeners):
            try:
                listener(old, loaded)
            except Exception:
                log.exception("A reload listener failed")
        message = f"Reloaded {self.where}: {summary(loaded)}"
        log.info("%s", message)
        return ReloadOutcome(True, message)
