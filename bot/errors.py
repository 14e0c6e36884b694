"""One exception hierarchy for the bot."""

from __future__ import annotations

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
