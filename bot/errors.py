"""One exception hierarchy for the bot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class BotError(Exception):
    """Base class for every error the bot raises on purpose."""


class DataError(BotError):
    """Shipped data is broken: names the file, the entry and the problem."""

    def __init__(self, file: Path | str, key: str, message: str) -> None:
        self.file = Path(file)
        self.key = key
        self.message = message
        where = f"{self.file.name}: {key}" if key else self.file.name
        super().__init__(f"{where}: {message}")


class UsageError(BotError):
    """The command line was called wrongly; the CLI prints it and exits 2."""


@dataclass
class Entry:
    """One entry being checked; its name, once known, is remembered if the entry fails."""

    name: str | None = None


class Problems:
    """Where the loaders send data problems.

    Strict (the default, for loading the engine): the first problem is raised, as before.
    Collecting (for `python -m bot check`): every problem is kept, and a loader goes on with the
    next entry, so one run reports them all. An entry that failed is remembered by name, so a
    reference to it from another file is not reported a second time.
    """

    def __init__(self, *, collect: bool = False) -> None:
        self.collect = collect
        self.found: list[DataError] = []
        self._failed: set[str] = set()

    def add(self, error: DataError) -> None:
        """Report a problem that does not stop the entry (an unknown key, an impossible date)."""
        if not self.collect:
            raise error
        self.found.append(error)

    @contextmanager
    def entry(self) -> Iterator[Entry]:
        """Check one entry: when collecting, a DataError inside ends the block and is kept."""
        entry = Entry()
        try:
            yield entry
        except DataError as error:
            if not self.collect:
                raise
            self.found.append(error)
            if entry.name is not None:
                self._failed.add(entry.name)

    def failed(self, name: str) -> bool:
        """Whether an entry of that name failed (and was reported) already."""
        return name in self._failed

    def __len__(self) -> int:
        return len(self.found)
