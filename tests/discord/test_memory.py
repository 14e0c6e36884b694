"""Conversation memory: the last reply per (channel, user), forgotten after a while."""

from __future__ import annotations

from bot.discord.memory import Memory
from bot.models import Kind, Reply
from tests.clock import Clock


def test_memory_keeps_the_last_reply_per_key_until_it_expires() -> None:
    clock = Clock()
    memory = Memory(ttl=60.0, clock=clock, max_keys=2)
    first = Reply(Kind.ANSWER, "a", 90, "one")
    second = Reply(Kind.ANSWER, "b", 90, "two")
    memory.remember((1, 1), first)
    memory.remember((1, 1), second)
    assert memory.last((1, 1)) is second
    assert memory.last((1, 2)) is None
    clock.now += 60
    assert memory.last((1, 1)) is None
    for key in range(3):
        memory.remember(key, first)
    assert len(memory) == 2
    assert memory.last(0) is None
