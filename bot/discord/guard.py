"""No single gateway event may end the bot: every event parser of discord.py runs behind a guard.

discord.py parses a DISPATCH event inside its gateway loop, so one MESSAGE_CREATE without `author`
or with `d: null` raises out of the loop and stops the client. The guard skips such an event with
one log line. Interactions are checked before parsing as well: one without a user parses fine but
fails later, in a task nobody awaits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Parser = Callable[[Any], None]


def _snowflake(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value).isascii() and str(value).isdecimal()


def _user_id(data: dict[str, Any]) -> object:
    member = data.get("member")
    user = member.get("user") if isinstance(member, dict) else data.get("user")
    return user.get("id") if isinstance(user, dict) else None


def message_problem(data: Any) -> str | None:
    """What makes a MESSAGE_CREATE unusable, or None."""
    if not isinstance(data, dict):
        return f"d is {type(data).__name__}, not an object"
    for key in ("id", "channel_id"):
        if not _snowflake(data.get(key)):
            return f"no valid {key!r}"
    author = data.get("author")
    if not isinstance(author, dict) or not _snowflake(author.get("id")):
        return "no valid 'author'"
    if not isinstance(data.get("content", ""), str):
        return "'content' is not text"
    return None


def interaction_problem(data: Any) -> str | None:
    """What makes an INTERACTION_CREATE unusable, or None."""
    if not isinstance(data, dict):
        return f"d is {type(data).__name__}, not an object"
    for key in ("id", "application_id"):
        if not _snowflake(data.get(key)):
            return f"no valid {key!r}"
    if not isinstance(data.get("token"), str) or not isinstance(data.get("type"), int):
        return "no 'token' or 'type'"
    if not _snowflake(_user_id(data)):
        return "neither 'member.user' nor 'user'"
    inner = data.get("data")
    kind = data["type"]
    if kind in (2, 4):
        if not (isinstance(inner, dict) and isinstance(inner.get("name"), str)):
            return "a command without 'data.name'"
        options = inner.get("options", [])
        if not isinstance(options, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in options):
            return "'data.options' is not a list of named options"
    if kind in (3, 5) and not (isinstance(inner, dict) and isinstance(inner.get("custom_id"), str)):
        return "a component without 'data.custom_id'"
    return None


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "MESSAGE_CREATE": message_problem,
    "INTERACTION_CREATE": interaction_problem,
}


class EventGuard:
    """Wraps discord.py's parsers; counts what it skipped, and logs each kind of fault once at WARNING."""

    def __init__(self) -> None:
        self.skipped = 0
        self._seen: set[tuple[str, str]] = set()

    def install(self, parsers: MutableMapping[str, Parser]) -> None:
        """Replace every parser in discord.py's table (ConnectionState.parsers) by a guarded one."""
        for event, parse in list(parsers.items()):
            parsers[event] = self._guarded(event, parse, CHECKS.get(event))

    def _guarded(self, event: str, parse: Parser, check: Callable[[Any], str | None] | None) -> Parser:
        def guarded(data: Any) -> None:
            problem = check(data) if check is not None else None
            if problem is not None:
                self._skip(event, problem, problem)
                return
            try:
                parse(data)
            except Exception as error:
                self._skip(event, type(error).__name__, f"{type(error).__name__}: {error}")

        return guarded

    def _skip(self, event: str, kind: str, detail: str) -> None:
        self.skipped += 1
        first = (event, kind) not in self._seen
        self._seen.add((event, kind))
        level = logging.WARNING if first else logging.DEBUG
        log.log(level, "Skipped a malformed %s event from the gateway (%s)", event, detail)
