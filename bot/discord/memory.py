"""Conversation memory: the last reply per (channel, user), so follow-ups have context.

Only the last Reply is kept; the engine's Context.after(reply) is derived from it.
Entries expire after a while and the oldest are dropped when the store is full.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from bot.models import Reply


class Memory:
    """Last replies by key, forgotten after `ttl` seconds, at most `max_keys` of them."""

    def __init__(
        self,
        ttl: float = 600.0,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._max_keys = max_keys
        self._clock = clock
        self._replies: OrderedDict[Hashable, tuple[float, Reply]] = OrderedDict()

    def last(self, key: Hashable) -> Reply | None:
        """The last reply given to key, unless it is older than the ttl."""
        entry = self._replies.get(key)
        if entry is None:
            return None
        when, reply = entry
        if self._clock() - when >= self.ttl:
            del self._replies[key]
            return None
        return reply

    def remember(self, key: Hashable, reply: Reply) -> None:
        """Keep reply as key's last one."""
        self._replies[key] = (self._clock(), reply)
        self._replies.move_to_end(key)
        while len(self._replies) > self._max_keys:
            self._replies.popitem(last=False)

    def __len__(self) -> int:
        return len(self._replies)
