"""Benchmark, not a test: what recording the question history costs, on Discord over loopback.

Runs the real bot against the end-to-end tests' stand-in for Discord three ways: recording
off, recording to SQLite, recording to PostgreSQL. For each it prints the reply latency
(MESSAGE_CREATE frame sent -> the reply's POST arriving, one question at a time) and the
answers per second when a burst of questions arrives at once, and how many questions the
store holds afterwards (proof that it recorded). The rounds alternate the three ways so a
busy machine slows them alike. The goal: recording adds less than 10% to reply latency.

    make bench-history                                   # starts a throwaway PostgreSQL for the run
    .venv/bin/python bench/recording.py -n 200 --rounds 8 --postgres postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the stand-in lives in tests/, which is not installed

from bot.discord import ui  # noqa: E402
from bot.discord.app import serve  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.recorder import Asked, Recorder  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402
from tests.discord.discord_standin import ALICE, LISTED_CHANNEL, TOKEN, FakeDiscord  # noqa: E402

WARM_UP = 20


@dataclass
class Figures:
    """What one way of running measured, over all rounds."""

    latencies: list[float] = field(default_factory=list)
    round_medians: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    stored: int = 0


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def run_once(
    mode: str, database_url: str | None, engine: Engine, questions: list[str], count: int, figures: Figures
) -> None:
    fake = FakeDiscord()
    await fake.start()
    with tempfile.TemporaryDirectory() as state:
        settings = Settings(
            token=TOKEN,
            channels=frozenset({LISTED_CHANNEL}),
            state_dir=Path(state),
            cooldown_rate=0,
            log_level=logging.WARNING,
            history=mode != "off",
            database_url=database_url if mode == "postgres" else None,
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
        )
        task = asyncio.create_task(serve(settings, engine, guild_ready_timeout=0.01))
        try:
            await fake.wait_ready(timeout=10)
            latencies: list[float] = []
            for index in range(WARM_UP + count):  # one at a time: the latency a member sees
                since = fake.mark()
                _, sent = await fake.send_message(questions[index % len(questions)], author=ALICE)
                reply = await fake.wait_for("message", since=since)
                if index >= WARM_UP:
                    latencies.append(reply.at - sent)
            figures.latencies += latencies
            figures.round_medians.append(statistics.median(latencies))
            since = fake.mark()  # a burst: every question at once, then wait for every reply
            started = time.perf_counter()
            for index in range(count):
                await fake.send_message(questions[index % len(questions)], author=ALICE)
            await fake.wait_until(lambda: len(fake.made("message", since=since)) >= count, timeout=120)
            figures.rates.append(count / (time.perf_counter() - started))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task  # the recorder writes what is queued on the way out
            await fake.close()
        if mode != "off":
            store = open_store(settings.database_url, settings.state_dir)
            figures.stored += (await store.stats(0)).questions
            await store.close()


async def added_work(engine: Engine, questions: list[str]) -> tuple[float, float, float]:
    """Microseconds per answer, on the loop: engine.answer; recorder.question(); 👍/👎 in the reply's view.

    CPU work timed in-process, so a busy machine disturbs it far less than the loopback round trip.
    """
    replies = [engine.answer(q) for q in questions]
    rounds = 1000

    def per_answer(work: Callable[[int], object]) -> float:
        started = time.perf_counter()
        for index in range(rounds):
            work(index)
        return (time.perf_counter() - started) / rounds * 1e6

    with tempfile.TemporaryDirectory() as state:
        recorder = Recorder(SQLiteStore(Path(state) / "history.sqlite3"), b"0" * 64, queue_size=rounds * 20)
        recorder.start()
        timings: dict[str, list[float]] = {"answer": [], "record": [], "plain": [], "voting": []}
        for _ in range(7):  # interleaved, and the fastest of each kept: the least disturbed by the rest of the machine
            timings["answer"].append(per_answer(lambda i: engine.answer(questions[i % len(questions)])))
            timings["record"].append(
                per_answer(
                    lambda i: recorder.question(
                        Asked(i + 1, 1, 2, 3, "channel"), questions[i % len(questions)], replies[i % len(replies)]
                    )
                )
            )
            timings["plain"].append(per_answer(lambda i: ui.view_for(replies[i % len(replies)])))
            timings["voting"].append(per_answer(lambda i: ui.view_for(replies[i % len(replies)], i + 1)))
        await recorder.close()
    answering, recording, plain, voting = (min(timings[k]) for k in ("answer", "record", "plain", "voting"))
    return answering, recording, voting - plain


@contextlib.contextmanager
def fresh_postgres(url: str | None) -> Iterator[str | None]:
    """A schema of its own on the server, dropped afterwards (nothing, without a URL)."""
    if url is None:
        yield None
        return
    from tests.store.postgres_server import fresh_schema

    os.environ.setdefault("TEST_DATABASE_URL", url)
    with fresh_schema() as schema_url:
        yield schema_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=200, help="questions per way and round (default 200)")
    parser.add_argument("--rounds", type=int, default=8, help="rounds, alternating the ways (default 8)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"),
        help="a PostgreSQL server (default: TEST_DATABASE_URL or DATABASE_URL); without one it is left out",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    engine = Engine.load()
    questions = [*engine.suggest("", limit=25), "what is the capital of france?", "when did amazon enter japan?"]
    modes = ["off", "sqlite"] + (["postgres"] if args.postgres else [])
    results = {mode: Figures() for mode in modes}
    count = max(args.count, 1)
    with fresh_postgres(args.postgres) as url:
        for _ in range(max(args.rounds, 1)):
            for mode in modes:
                asyncio.run(run_once(mode, url, engine, questions, count, results[mode]))
    off = results["off"]
    print(f"Recording the question history: {count} questions x {args.rounds} rounds per way, over loopback")
    print("Latency: MESSAGE_CREATE -> reply POST, one question at a time. Burst: all questions at once.")
    print("Change: the median over rounds of (this way's median / recording off's median in the same round) - 1,")
    print("so a machine that gets busier between rounds slows both sides of each comparison alike.")
    print(f"{'recording':<12}{'median':>10}{'p99':>10}{'burst/s':>10}{'stored':>9}{'change':>10}{'rounds from..to':>20}")
    for mode, figures in results.items():
        ms = [value * 1000 for value in figures.latencies]
        changes = [100 * (m / o - 1) for m, o in zip(figures.round_medians, off.round_medians, strict=True)]
        change = "" if mode == "off" else f"{statistics.median(changes):+.1f}%"
        spread = "" if mode == "off" else f"{min(changes):+.1f}%..{max(changes):+.1f}%"
        stored = "-" if mode == "off" else str(figures.stored)
        print(
            f"{mode:<12}{statistics.median(ms):>8.2f}ms{percentile(ms, 0.99):>8.2f}ms"
            f"{statistics.median(figures.rates):>10.0f}{stored:>9}{change:>10}{spread:>20}"
        )
    answering, recording, voting = asyncio.run(added_work(engine, questions))
    print(
        f"Added work per answer, on the event loop: recorder.question() {recording:.1f} µs, the 👍/👎 buttons "
        f"{voting:.1f} µs (engine.answer itself: {answering:.0f} µs)"
    )
    if not args.postgres:
        print("PostgreSQL left out: set TEST_DATABASE_URL or pass --postgres, or run `make bench-history`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
