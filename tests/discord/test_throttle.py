"""The cooldown: the rate, then one polite notice, then silence until the window passes."""

from __future__ import annotations

from bot.discord.throttle import Throttle, Verdict
from tests.clock import Clock


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
