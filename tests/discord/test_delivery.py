"""Delivery's rules, with plain calls: retry a 503, drop the dead, stay silent after a 403."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.discord.delivery import Delivery, dead_reason
from tests.clock import Clock


def response(status: int) -> Any:
    return SimpleNamespace(status=status, reason="scripted")


class Post:
    """A send that fails with the given errors, then returns 'sent'."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


def unavailable() -> discord.DiscordServerError:
    return discord.DiscordServerError(response(503), {"message": "Service Unavailable", "code": 0})


async def test_a_503_is_retried_and_other_errors_are_not() -> None:
    delivery = Delivery((0.0, 0.0))
    post = Post(unavailable(), unavailable())
    assert await delivery.send(post, channel_id=1, what="an answer") == "sent"
    assert post.calls == 3
    with pytest.raises(discord.DiscordServerError):
        await delivery.send(Post(unavailable(), unavailable(), unavailable()), channel_id=1, what="an answer")
    bad = Post(discord.HTTPException(response(400), {"message": "Invalid Form Body", "code": 50035}))
    with pytest.raises(discord.HTTPException):
        await delivery.send(bad, channel_id=1, what="an answer")
    assert bad.calls == 1


async def test_an_expired_interaction_is_dropped_with_one_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    expired = discord.NotFound(response(404), {"message": "Unknown interaction", "code": 10062})
    assert dead_reason(expired) == "the interaction expired before the reply (Discord allows 3 seconds)"
    post = Post(expired)
    assert await Delivery().send(post, channel_id=None, what="the reply to /ask") is None
    assert post.calls == 1
    assert [r.getMessage() for r in caplog.records] == [
        "Dropped the reply to /ask: the interaction expired before the reply (Discord allows 3 seconds)"
    ]


async def test_after_a_403_the_channel_is_left_alone_for_a_while_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    delivery = Delivery(mute_seconds=600, clock=clock)
    forbidden = discord.Forbidden(response(403), {"message": "Missing Permissions", "code": 50013})
    assert await delivery.send(Post(forbidden), channel_id=7, what="an answer") is None
    assert delivery.silent_in(7) and not delivery.silent_in(8)
    clock.now += 601
    assert not delivery.silent_in(7)
    delivery.refuse(7, "again")
    assert len([r for r in caplog.records if "Not answering in channel 7" in r.getMessage()]) == 1
