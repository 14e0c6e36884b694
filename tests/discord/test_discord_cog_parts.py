"""The cogs' pure parts, with plain function calls: cooldown, conversation memory, topic choices."""

from __future__ import annotations

from bot.discord.app import application_id_from_token
from bot.discord.cogs.commands import topic_choices
from bot.discord.memory import Memory
from bot.discord.throttle import Throttle, Verdict
from bot.models import Kind, Reply


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_allows_the_rate_then_one_notice_then_silence_until_the_window_passes() -> None:
    clock = Clock()
    throttle = Throttle(2, 30.0, clock=clock)
    assert [throttle.check("alice") for _ in range(5)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTICE,
        Verdict.SILENT,
        Verdict.SILENT,
    ]
    assert throttle.check("bob") is Verdict.ALLOW
    assert throttle.retry_after("alice") == 30.0
    clock.now += 30.0
    assert throttle.retry_after("alice") == 0.0
    assert throttle.check("alice") is Verdict.ALLOW
    assert throttle.check("alice") is Verdict.ALLOW
    assert throttle.check("alice") is Verdict.NOTICE  # a new window earns a new notice


def test_throttle_is_a_sliding_window() -> None:
    clock = Clock()
    throttle = Throttle(2, 10.0, clock=clock)
    throttle.check("k")
    clock.now += 6
    throttle.check("k")
    clock.now += 5  # the first question is now 11 s old
    assert throttle.check("k") is Verdict.ALLOW
    assert throttle.check("k") is Verdict.NOTICE


def test_a_rate_of_zero_never_holds_anyone_back() -> None:
    throttle = Throttle(0, 30.0)
    assert {throttle.check("k") for _ in range(100)} == {Verdict.ALLOW}


def test_throttle_forgets_idle_keys_when_full() -> None:
    clock = Clock()
    throttle = Throttle(1, 5.0, clock=clock, max_keys=3)
    for key in "abc":
        throttle.check(key)
    clock.now += 10
    throttle.check("d")
    assert len(throttle._buckets) == 1


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


TOPICS = (("amazon", "Amazon"), ("pinduoduo", "Pinduoduo"), ("colin_huang", "Colin Huang"), ("jd", "JD"))


def test_topic_choices_put_names_that_start_with_the_text_before_those_that_contain_it() -> None:
    assert [c.name for c in topic_choices(TOPICS, "")] == ["Amazon", "Pinduoduo", "Colin Huang", "JD"]
    assert [c.value for c in topic_choices(TOPICS, "huang")] == ["colin_huang"]
    assert [c.name for c in topic_choices(TOPICS, "a")] == ["Amazon", "Colin Huang"]
    assert topic_choices(TOPICS, "zzz") == []
    many = tuple((f"e{i}", f"Entity {i}") for i in range(40))
    assert len(topic_choices(many, "")) == 25


def test_the_application_id_is_read_from_the_token() -> None:
    assert application_id_from_token("MTIzNDU2Nzg5MDEyMzQ1Njc4.x.y") == 123456789012345678
    assert application_id_from_token("not base64!.x.y") is None
    assert application_id_from_token(None) is None
