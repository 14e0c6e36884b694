"""Per-user, per-channel cooldown for answers: one polite notice, then silence.

Pure and clock-injectable, so it is tested with plain function calls.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    """What to do with one more question from the same person in the same place."""

    ALLOW = "allow"
    NOTICE = "notice"  # over the limit for the first time in this window: say so once
    SILENT = "silent"  # over the limit again: say nothing


@dataclass(slots=True)
class _Bucket:
    hits: deque[float] = field(default_factory=deque)
    noticed: bool = False


class Throttle:
    """At most `rate` answers per key in any `per` seconds; a rate of 0 turns it off."""

    def __init__(
        self,
        rate: int,
        per: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[Hashable, _Bucket] = {}

    def check(self, key: Hashable) -> Verdict:
        """Count one more question for key, and say whether to answer it."""
        if self.rate <= 0:
            return Verdict.ALLOW
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket()
        while bucket.hits and now - bucket.hits[0] >= self.per:
            bucket.hits.popleft()
        if len(bucket.hits) < self.rate:
            bucket.hits.append(now)
            bucket.noticed = False
            return Verdict.ALLOW
        if bucket.noticed:
            return Verdict.SILENT
        bucket.noticed = True
        return Verdict.NOTICE

    def retry_after(self, key: Hashable) -> float:
        """Seconds until key may ask again (0 when it may now)."""
        bucket = self._buckets.get(key)
        if self.rate <= 0 or bucket is None or len(bucket.hits) < self.rate:
            return 0.0
        return max(0.0, self.per - (self._clock() - bucket.hits[0]))

    def _prune(self, now: float) -> None:
        stale = [k for k, b in self._buckets.items() if not b.hits or now - b.hits[-1] >= self.per]
        for key in stale:
            del self._buckets[key]
        while len(self._buckets) >= self._max_keys:  # everyone is busy: forget the oldest
            del self._buckets[next(iter(self._buckets))]
