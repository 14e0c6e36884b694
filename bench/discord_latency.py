"""Benchmark, not a test: MESSAGE_CREATE on the gateway -> the reply's POST at the stand-in.

Runs the real bot (discord.py included) over loopback against the end-to-end
tests' stand-in for Discord, asks N questions one after another in a listed
channel, and prints the median and p99 of the time from sending each
MESSAGE_CREATE frame to the bot's reply POST arriving.

    .venv/bin/python bench/discord_latency.py                 # 200 questions
    .venv/bin/python bench/discord_latency.py -n 500 --questions FILE.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the stand-in lives in tests/, which is not installed

from bot.discord.app import serve  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.discord.discord_standin import ALICE, LISTED_CHANNEL, TOKEN, FakeDiscord  # noqa: E402

DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
WARM_UP = 10


def questions_from(path: Path | None, engine: Engine) -> list[str]:
    """Questions from a JSON-lines question set, or the engine's own examples."""
    if path is not None and path.is_file():
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line)["q"] for line in handle if line.strip()]
    return engine.suggest("", limit=25)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def measure(count: int, questions: list[str], engine: Engine) -> list[float]:
    fake = FakeDiscord()
    await fake.start()
    with tempfile.TemporaryDirectory() as state:
        settings = Settings(
            token=TOKEN,
            channels=frozenset({LISTED_CHANNEL}),
            state_dir=Path(state),
            cooldown_rate=0,  # the cooldown would hold one asker back after 5 questions
            log_level=logging.WARNING,
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
        )
        task = asyncio.create_task(serve(settings, engine, guild_ready_timeout=0.01))
        try:
            await fake.wait_ready(timeout=10)
            latencies: list[float] = []
            for index in range(WARM_UP + count):
                since = fake.mark()
                _, sent = await fake.send_message(questions[index % len(questions)], author=ALICE)
                reply = await fake.wait_for("message", since=since)
                if index >= WARM_UP:
                    latencies.append(reply.at - sent)
            return latencies
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await fake.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=200, help="questions to time (default 200)")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSON-lines question set")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    engine = Engine.load()
    questions = questions_from(args.questions, engine)
    started = time.perf_counter()
    latencies = asyncio.run(measure(max(args.count, 1), questions, engine))
    elapsed = time.perf_counter() - started
    ms = [value * 1000 for value in latencies]
    print(f"MESSAGE_CREATE -> reply POST, {len(ms)} questions over loopback ({elapsed:.1f} s in all)")
    print(f"  median {statistics.median(ms):.2f} ms")
    print(f"  p99    {percentile(ms, 0.99):.2f} ms")
    print(f"  min {min(ms):.2f} ms, mean {statistics.fmean(ms):.2f} ms, max {max(ms):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
