"""One small, typed settings object, read from the environment.

Every value is checked when it is read, and a malformed one raises UsageError
with a one-line message that names the variable. The token is never repeated
in a message or a repr.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.errors import UsageError

APP_NAME = "qa-bot"
MAX_SNOWFLAKE = 2**64 - 1
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
AUTO: Literal["auto"] = "auto"
MAX_SHARDS = 100_000
MAX_COOLDOWN_RATE = 1_000_000
_WHOLE = re.compile(r"[0-9]{1,20}", re.ASCII)
_DECIMAL = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Settings:
    """What the Discord front end needs to know, all of it from the environment.

    | variable               | meaning                                                    |
    |------------------------|------------------------------------------------------------|
    | DISCORD_TOKEN          | the bot token (Developer Portal > Bot > Reset Token)       |
    | DISCORD_APPLICATION_ID | application id for `invite` (default: read from the token) |
    | BOT_CHANNELS           | comma-separated channel ids where every message is a question |
    | DISCORD_GUILD_ID       | sync commands to this guild only (instant, for development) |
    | SHARD_COUNT            | total shards, or auto; switches to AutoShardedBot          |
    | SHARD_IDS              | comma-separated shard ids this process runs                |
    | LOG_LEVEL              | DEBUG, INFO, WARNING, ERROR or CRITICAL                    |
    | BOT_STATE_DIR          | where the command-tree hash is kept                        |
    | BOT_COOLDOWN_RATE      | answers per user per channel per window (0 turns it off)   |
    | BOT_COOLDOWN_SECONDS   | the cooldown window in seconds                             |
    | BOT_MESSAGE_CONTENT    | ask for the message content intent (default on)            |
    | BOT_DATA_DIR           | the data to load and reload (default: the shipped intents/) |
    | BOT_HISTORY            | record questions and votes (default on)                    |
    | BOT_HISTORY_DAYS       | days questions and votes are kept (default 90)             |
    | BOT_HISTORY_SALT       | salt for members' hashes (default: a file in BOT_STATE_DIR) |
    | DATABASE_URL           | postgresql://... for the history; default SQLite in BOT_STATE_DIR |
    | BOT_QUIZ_SECONDS       | seconds to answer a quiz question (default 20, 5 to 60)    |
    | BOT_QUIZ_SCORES        | keep quiz scores for /quiz leaderboard (default on)        |
    | NO_COLOR               | set (to anything): plain logs even on a terminal            |
    | DISCORD_API_BASE       | test-only: REST base, e.g. http://127.0.0.1:PORT/api/v10   |
    | DISCORD_GATEWAY_URL    | test-only: gateway, e.g. ws://127.0.0.1:PORT/gateway       |
    """

    token: str | None = field(default=None, repr=False)
    application_id: int | None = None
    channels: frozenset[int] = frozenset()
    guild_id: int | None = None
    shard_count: int | Literal["auto"] | None = None
    shard_ids: tuple[int, ...] | None = None
    log_level: int = logging.INFO
    state_dir: Path = field(default_factory=lambda: default_state_dir(os.environ))
    cooldown_rate: int = 5
    cooldown_seconds: float = 30.0
    message_content: bool = True
    data_dir: Path | None = None
    history: bool = True
    history_days: int = 90
    history_salt: str | None = field(default=None, repr=False)
    database_url: str | None = field(default=None, repr=False)
    quiz_seconds: float = 20.0
    quiz_scores: bool = True
    api_base: str | None = None
    gateway_url: str | None = None
    colour: bool = True

    @property
    def sharded(self) -> bool:
        """Whether to run discord.py's AutoShardedBot."""
        return self.shard_count is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read and check every setting; raise UsageError naming the first bad one."""

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        shard_count = _shard_count(get("SHARD_COUNT"))
        shard_ids = _shard_ids(get("SHARD_IDS"), shard_count)
        state = get("BOT_STATE_DIR")
        return cls(
            token=_token(get("DISCORD_TOKEN")),
            application_id=_snowflake("DISCORD_APPLICATION_ID", get("DISCORD_APPLICATION_ID")),
            channels=_channels(get("BOT_CHANNELS")),
            guild_id=_snowflake("DISCORD_GUILD_ID", get("DISCORD_GUILD_ID")),
            shard_count=shard_count,
            shard_ids=shard_ids,
            log_level=_log_level(get("LOG_LEVEL")),
            state_dir=Path(state).expanduser() if state else default_state_dir(environ),
            cooldown_rate=_cooldown_rate(get("BOT_COOLDOWN_RATE")),
            cooldown_seconds=_cooldown_seconds(get("BOT_COOLDOWN_SECONDS")),
            message_content=_flag("BOT_MESSAGE_CONTENT", get("BOT_MESSAGE_CONTENT"), default=True),
            data_dir=_data_dir(get("BOT_DATA_DIR")),
            history=_flag("BOT_HISTORY", get("BOT_HISTORY"), default=True),
            history_days=_history_days(get("BOT_HISTORY_DAYS")),
            history_salt=_salt(get("BOT_HISTORY_SALT")),
            database_url=_database_url(get("DATABASE_URL")),
            quiz_seconds=_quiz_seconds(get("BOT_QUIZ_SECONDS")),
            quiz_scores=_flag("BOT_QUIZ_SCORES", get("BOT_QUIZ_SCORES"), default=True),
            api_base=_url("DISCORD_API_BASE", get("DISCORD_API_BASE"), ("http://", "https://")),
            gateway_url=_url("DISCORD_GATEWAY_URL", get("DISCORD_GATEWAY_URL"), ("ws://", "wss://")),
            colour=not environ.get("NO_COLOR"),
        )


def default_state_dir(environ: Mapping[str, str]) -> Path:
    """$XDG_STATE_HOME/qa-bot, or ~/.local/state/qa-bot."""
    base = environ.get("XDG_STATE_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".local" / "state"
    return root / APP_NAME


def application_id_from_token(token: str | None) -> int | None:
    """A bot token's first part is its application (user) id, base64-encoded."""
    if not token:
        return None
    head = token.split(".", 1)[0]
    try:
        text = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return whole_number(text)


def whole_number(text: str) -> int | None:
    """text as a whole number when it is 1 to 20 ASCII digits, else None.

    The one parser for every number the bot reads from outside: str.isdigit() accepts '²' (which
    int() then refuses with a traceback) and int() itself takes '٣', '1_000' and ' 7'.
    """
    return int(text) if _WHOLE.fullmatch(text) else None


def decimal_number(text: str) -> float | None:
    """text as a number when it is ASCII digits with at most one decimal point, else None."""
    return float(text) if _DECIMAL.fullmatch(text) else None


def _token(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower().startswith("bot "):
        raise UsageError("DISCORD_TOKEN must be the bare token, without the 'Bot ' prefix")
    if any(char.isspace() for char in value) or not value.isprintable():
        raise UsageError("DISCORD_TOKEN contains spaces or control characters; copy it again")
    return value


def _snowflake(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    number = whole_number(value)
    if number is None or not 0 < number <= MAX_SNOWFLAKE:
        raise UsageError(f"{name} must be a Discord id (digits only), got {value!r}")
    return number


def _channels(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for item in value.split(","):
        item = item.strip()
        if item:
            ids.add(int(_snowflake("BOT_CHANNELS", item) or 0))
    return frozenset(ids)


def _shard_count(value: str | None) -> int | Literal["auto"] | None:
    if value is None:
        return None
    if value.lower() == AUTO:
        return AUTO
    number = whole_number(value)
    if number is None or not 1 <= number <= MAX_SHARDS:
        raise UsageError(f"SHARD_COUNT must be a whole number of at least 1, or auto, got {value!r}")
    return number


def _shard_ids(value: str | None, shard_count: int | Literal["auto"] | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    if shard_count is None:
        raise UsageError("SHARD_IDS needs SHARD_COUNT, the total number of shards")
    if isinstance(shard_count, str):
        raise UsageError("SHARD_IDS needs a number in SHARD_COUNT, not auto: with auto one process runs every shard")
    ids: list[int] = []
    for item in value.split(","):
        item = item.strip()
        number = whole_number(item)
        if number is None or number >= shard_count:
            raise UsageError(f"SHARD_IDS must list ids from 0 to {shard_count - 1}, separated by commas; got {item!r}")
        if number in ids:
            raise UsageError(f"SHARD_IDS lists shard {item} twice")
        ids.append(number)
    return tuple(ids)


def _log_level(value: str | None) -> int:
    if value is None:
        return logging.INFO
    name = value.upper()
    if name not in LOG_LEVELS:
        raise UsageError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return int(getattr(logging, name))


def _cooldown_rate(value: str | None) -> int:
    if value is None:
        return 5
    number = whole_number(value)
    if number is None or number > MAX_COOLDOWN_RATE:
        raise UsageError(
            f"BOT_COOLDOWN_RATE must be a whole number from 0 to {MAX_COOLDOWN_RATE} (0 turns it off), got {value!r}"
        )
    return number


def _cooldown_seconds(value: str | None) -> float:
    if value is None:
        return 30.0
    seconds = decimal_number(value)
    if seconds is None or not 0 < seconds <= 86400:
        raise UsageError(f"BOT_COOLDOWN_SECONDS must be between 0 and 86400, got {value!r}")
    return seconds


def _flag(name: str, value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UsageError(f"{name} must be on or off, got {value!r}")


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if not value.startswith(schemes) or not value.split("://", 1)[1].strip("/"):
        raise UsageError(f"{name} must start with {' or '.join(schemes)}, got {value!r}")
    return value.rstrip("/")


def data_dir_from_env(environ: Mapping[str, str]) -> Path | None:
    """BOT_DATA_DIR alone, for the commands that need no other setting (check, ask, chat, eval)."""
    return _data_dir(environ.get("BOT_DATA_DIR", "").strip() or None)


def _data_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    if not (path / "intents.yaml").is_file():
        raise UsageError(f"BOT_DATA_DIR must be a directory with intents.yaml in it, got {value!r}")
    return path


def _history_days(value: str | None) -> int:
    if value is None:
        return 90
    days = whole_number(value)
    if days is None or not 1 <= days <= 36500:
        raise UsageError(f"BOT_HISTORY_DAYS must be a whole number of days from 1 to 36500, got {value!r}")
    return days


def _salt(value: str | None) -> str | None:
    if value is not None and len(value) < 16:
        raise UsageError("BOT_HISTORY_SALT must be at least 16 characters long")
    return value


def _database_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith(("postgresql://", "postgres://")):
        # Never echo the value: it may hold a password.
        raise UsageError("DATABASE_URL must start with postgresql:// (leave it unset for SQLite in BOT_STATE_DIR)")
    return value


# A quiz's questions are sent as follow-ups to /quiz, which Discord accepts for 15 minutes: ten
# questions of at most a minute each, with their reveals, fit well inside that.
QUIZ_SECONDS = (5, 60)


def _quiz_seconds(value: str | None) -> float:
    if value is None:
        return 20.0
    low, high = QUIZ_SECONDS
    seconds = whole_number(value)
    if seconds is None or not low <= seconds <= high:
        raise UsageError(f"BOT_QUIZ_SECONDS must be a whole number of seconds from {low} to {high}, got {value!r}")
    return float(seconds)
