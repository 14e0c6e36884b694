"""Posting to Discord without harm: look before posting, retry what is retryable, drop what is dead.

- Where the bot may not post it stays silent, apology included (that would fail the same way), and
  logs it once per channel: Discord bans an IP after 10,000 failed requests in 10 minutes. A channel
  that answered 403 anyway (the permission cache was behind) is left alone for a while.
- 503 is retried here; discord.py retries 500, 502 and 504 itself, and 429 after its retry_after.
- An interaction that expired (404, code 10062) or was already answered (40060), a channel or
  message that is gone: dropped with one log line, never posted to again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

log = logging.getLogger(__name__)

T = TypeVar("T")

# Discord's JSON error codes for things that are gone: posting again cannot help.
DEAD = {
    10003: "the channel is gone",
    10008: "the message is gone",
    10015: "the interaction's webhook is gone (older than 15 minutes)",
    10062: "the interaction expired before the reply (Discord allows 3 seconds)",
    40060: "the interaction was already answered",
}
RETRY_DELAYS = (1.0, 2.0, 4.0)  # seconds before each new try after a 503
MUTE_SECONDS = 600.0  # how long a channel that answered 403 is left alone


def dead_reason(error: BaseException) -> str | None:
    """Why posting again cannot help, when error says the target is gone; else None."""
    if isinstance(error, discord.HTTPException):
        return DEAD.get(error.code)
    return None


def may_post(channel: object, me: discord.Member | None) -> bool:
    """Whether the bot may post in a channel, by the permissions discord.py has cached.

    DMs, and channels of a guild that is not in the cache (me is None), are Discord's to decide.
    """
    if me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return True
    rights = channel.permissions_for(me)
    send = rights.send_messages_in_threads if isinstance(channel, discord.Thread) else rights.send_messages
    return rights.view_channel and send


class Delivery:
    """Sends for the bot: retries a 503, drops the dead, stays silent where posting is refused."""

    def __init__(
        self,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        *,
        mute_seconds: float = MUTE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_delays = retry_delays
        self.mute_seconds = mute_seconds
        self._clock = clock
        self._logged: set[int] = set()
        self._muted: dict[int, float] = {}

    def silent_in(self, channel_id: int) -> bool:
        """Whether a 403 from this channel is recent enough to stay silent there."""
        until = self._muted.get(channel_id)
        if until is None:
            return False
        if self._clock() < until:
            return True
        del self._muted[channel_id]
        return False

    def refuse(self, channel_id: int, why: str) -> None:
        """Stay silent in a channel; the first time, say why in the log."""
        if channel_id in self._logged:
            return
        self._logged.add(channel_id)
        log.warning("Not answering in channel %s: %s (logged once per channel)", channel_id, why)

    async def send(self, post: Callable[[], Awaitable[T]], *, channel_id: int | None, what: str, retry: bool = True) -> T | None:
        """Run post(), retrying a 503 (unless retry is off); None when the target is gone or posting was refused."""
        for delay in (*(self.retry_delays if retry else ()), None):
            try:
                return await post()
            except discord.Forbidden as error:
                if channel_id is not None:
                    self._muted[channel_id] = self._clock() + self.mute_seconds
                    self.refuse(channel_id, f"Discord refused {what} (403: {error.text or 'Missing Permissions'})")
                else:
                    log.warning("Discord refused %s (403: %s)", what, error.text)
                return None
            except discord.HTTPException as error:
                reason = dead_reason(error)
                if reason is not None:
                    log.info("Dropped %s: %s", what, reason)
                    return None
                if error.status != 503 or delay is None:
                    raise
                log.warning("Discord answered 503 to %s; trying again in %.2f s", what, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last try returns or raises")
