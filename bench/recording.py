"""Benchmark, not a test: what recording the question history costs, on Discord over loopback.

Runs the real bot against the end-to-end tests' stand-in for Discord three ways: recording
off, recording to SQLite, recording to PostgreSQL. For each it prints the reply latency
(MESSAGE_CREATE frame sent -> the reply's POST arriving, one question at a time) and the
answers per second when a burst of questions arrives at once, and how many questions the
store holds afterwards (proof that it recorded). The rounds alternate the three ways so a
busy machine slows them alike. The goal: recording adds less than 10% to reply latency.

    make bench-history                                   # starts a throwaway PostgreSQL for the run
    .venv/bin/python bench/recording.py -n 300 --rounds 3 --postgres postgresql://...
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the stand-in lives in tests/, which is not installed

from bot.discord.app import serve  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.discord.discord_standin import ALICE, LISTED_CHANNEL, TOKEN, FakeDiscord  # noqa: E402

WARM_UP = 20


@dataclass
class Figures:
    """What one way of running measured, over all rounds."""

    latencies: list[float] = field(default_factory=list)
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
            for index in range(WARM_UP + count):  # one at a time: the latency a member sees
                since = fake.mark()
                _, sent = await fake.send_message(questions[index % len(questions)], author=ALICE)
                reply = await fake.wait_for("message", since=since)
                if index >= WARM_UP:
                    figures.latencies.append(reply.at - sent)
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
    parser.add_argument("-n", "--count", type=int, default=300, help="questions per way and round (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternating the ways (default 3)")
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
    base = statistics.median(results["off"].latencies)
    print(f"Recording the question history: {count} questions x {args.rounds} rounds per way, over loopback")
    print(f"{'recording':<12}{'median':>10}{'p99':>10}{'answers/s':>12}{'stored':>9}{'median vs off':>16}")
    for mode, figures in results.items():
        ms = [value * 1000 for value in figures.latencies]
        change = "" if mode == "off" else f"{100 * (statistics.median(figures.latencies) - base) / base:+.1f}%"
        stored = "-" if mode == "off" else str(figures.stored)
        print(
            f"{mode:<12}{statistics.median(ms):>8.2f}ms{percentile(ms, 0.99):>8.2f}ms"
            f"{statistics.median(figures.rates):>12.0f}{stored:>9}{change:>16}"
        )
    if not args.postgres:
        print("PostgreSQL left out: set TEST_DATABASE_URL or pass --postgres, or run `make bench-history`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
