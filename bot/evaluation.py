"""Scoring question sets (the `eval` report a knowledge editor works from) and timing the engine (`bench`)."""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.engine import Engine
from bot.models import Kind, Reply

_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """How expected facts are compared with answers: NFKC, straight quotes, lower case."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).lower()


def passes(answer: str, expect: object) -> bool:
    """Whether an answer holds every group of expected facts (one alternative per group)."""
    text = fold(answer)
    groups = expect if isinstance(expect, list) else []
    return all(any(fold(str(alt)) in text for alt in group) for group in groups)


@dataclass
class Report:
    """Figures and misses of one evaluation run."""

    answered_right: int = 0
    in_scope: int = 0
    declined_right: int = 0
    must_decline: int = 0
    wrong: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    answerable: Counter[str] = field(default_factory=Counter)  # in-scope questions an intent's answer would pass
    recalled: Counter[str] = field(default_factory=Counter)  # ... of which the bot answered right
    outcomes: dict[str, str] = field(default_factory=dict)  # question -> right, wrong, declined or clarified


def evaluate(engine: Engine, rows: Sequence[tuple[str, object]]) -> Report:
    """Answer every question on its own (as `ask -` does) and score it like shared/eval/score.py."""
    report = Report()
    # What each intent says on its own, to know which intents could answer a question (for recall).
    replies = {intent.name: engine.answer_intent(intent.name) for intent in engine.intents}
    standalone = {name: reply.text for name, reply in replies.items() if reply.kind is Kind.ANSWER}
    for question, expect in rows:
        reply = engine.answer(question)
        answered = reply.kind is Kind.ANSWER
        label = reply.intent or reply.kind.value
        if answered:
            report.predicted[label] += 1
        if expect == "decline":
            report.must_decline += 1
            report.outcomes[question] = "wrong" if answered else "right"
            if answered:
                report.wrong += 1
                report.misses.append(("ANSWERED", question, f"{label}: {_short(reply)}\n            [{reply.reason}]"))
            else:
                report.declined_right += 1
        else:
            report.in_scope += 1
            right = answered and passes(reply.text, expect)
            report.outcomes[question] = "right" if right else "wrong" if answered else reply.kind.value
            for name, text in standalone.items():
                if passes(text, expect):
                    report.answerable[name] += 1
                    report.recalled[name] += right
            if right:
                report.answered_right += 1
                report.correct[label] += 1
            elif answered:
                report.wrong += 1
                report.misses.append(
                    ("WRONG", question, f"{label}, wanted {expect}: {_short(reply)}\n            [{reply.reason}]")
                )
            else:
                report.misses.append(
                    (
                        "DECLINED" if reply.kind is Kind.DECLINE else "CLARIFIED",
                        question,
                        f"wanted {expect}; offered {list(reply.suggestions)}\n            [{reply.reason}]",
                    )
                )
    return report


def compare(report: Report, baseline: dict[str, str]) -> str:
    """What changed against a saved run (`eval --save`): the questions whose outcome moved, the new
    wrong answers first, so that an editor sees what an edit broke as well as what it mended."""
    moved = [(q, baseline[q], now) for q, now in report.outcomes.items() if q in baseline and baseline[q] != now]
    order = {"wrong": 0, "declined": 1, "clarified": 1, "decline": 1, "clarify": 1, "right": 2}
    moved.sort(key=lambda item: order.get(item[2], 1))
    lines = [f"against the baseline: {len(moved)} questions changed, {len(report.outcomes.keys() - baseline.keys())} are new"]
    lines += [f"  {was:9s} -> {now:9s} {question!r}" for question, was, now in moved]
    return "\n".join(lines)


@dataclass
class Labels:
    """A question set turned into examples: each answerable question under the intent whose own
    answer passes it, each must-decline question as a near-miss, and what fitted no single intent."""

    by_intent: dict[str, list[str]] = field(default_factory=dict)
    near_misses: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)


def label(engine: Engine, rows: Sequence[tuple[str, object]]) -> Labels:
    """Label a question set for intents/examples/: among the intents whose answer passes a question,
    the one the matcher ranks highest for it (else the one with the fewest facts)."""
    labels = Labels()
    candidates = [i for i in engine.intents if i.handler not in ("source", "gap")]
    standalone = {i.name: engine.answer_intent(i.name) for i in candidates}
    texts = {name: reply.text for name, reply in standalone.items() if reply.kind is Kind.ANSWER}
    size = {i.name: len(i.facts) for i in candidates}
    for question, expect in rows:
        if expect == "decline":
            labels.near_misses.append(question)
            continue
        passing = [name for name, text in texts.items() if _holds(text, expect)]
        if not passing:
            labels.unlabelled.append(question)
            continue
        ranked = [m.intent.name for m in engine.matcher.rank(engine.analyzer.analyze(question))]
        rank = {name: position for position, name in enumerate(ranked)}
        best = min(passing, key=lambda name: (rank.get(name, len(rank)), size[name]))
        labels.by_intent.setdefault(best, []).append(question)
    return labels


def _holds(answer: str, expect: object) -> bool:
    """Whether an answer holds every group of expected facts as whole words: stricter than passes()
    for labelling, where "15" must not be found in "2015"."""
    text = fold(answer)
    groups = expect if isinstance(expect, list) else []
    return all(any(re.search(rf"(?<!\w){re.escape(fold(str(alt)))}(?!\w)", text) for alt in group) for group in groups)


def _short(reply: Reply) -> str:
    return reply.text.replace("\n", " ")[:100]


def format_report(report: Report) -> str:
    """The report as text: headline figures, per-intent precision and recall, then every miss."""
    total = report.in_scope + report.must_decline
    lines = [
        f"in-scope answered correctly: {report.answered_right}/{report.in_scope} ({_ratio(report.answered_right, report.in_scope)})",
        f"declined when they should:   {report.declined_right}/{report.must_decline} ({_ratio(report.declined_right, report.must_decline)})",
        f"wrong answers:               {report.wrong}/{total} ({_ratio(report.wrong, total)})",
        "",
        "per intent: precision (of its answers, how many were right) and recall (of the questions",
        "its answer would have passed, how many the bot answered right):",
        f"  {'intent':34s} {'answers':>8s} {'right':>6s} {'precision':>10s} {'could':>6s} {'recall':>7s}",
    ]
    for intent in sorted(set(report.predicted) | set(report.answerable)):
        given, right = report.predicted[intent], report.correct[intent]
        could, recalled = report.answerable[intent], report.recalled[intent]
        lines.append(f"  {intent:34s} {given:8d} {right:6d} {_ratio(right, given):>10s} {could:6d} {_ratio(recalled, could):>7s}")
    if report.misses:
        lines += ["", "misses:"]
        lines += [f"  {kind:9s} {question!r}\n            {detail}" for kind, question, detail in report.misses]
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def builtin_questions(engine: Engine) -> list[str]:
    """Every template and suggestion, plus a few declines: a default workload for bench."""
    questions = [t for intent in engine.intents for t in intent.templates]
    questions += [i.suggestion for i in engine.intents]
    questions += ["hi", "what is the capital of france", "who founded jd", "🤔🔥", "x" * 4000]
    return questions


def bench(engine: Engine, questions: Sequence[str], rounds: int = 20) -> str:
    """Time engine.answer per question, throughput on one core, start-up of `ask`, and peak memory."""
    for question in questions:  # warm the spelling-correction cache as a running bot would be
        engine.answer(question)
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter_ns()
            engine.answer(question)
            timings.append((time.perf_counter_ns() - t0) / 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    cold = _cold_timings(questions)
    tracemalloc.start()
    Engine.load()
    _, peak_load = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    startup, startup_rss = _startup()
    reference = _reference_ms()
    return "\n".join(
        [
            f"questions: {len(questions)} x {rounds} rounds",
            f"engine.answer p50: {statistics.median(timings):.1f} us   p99: {_percentile(timings, 99):.1f} us   max: {timings[-1]:.1f} us",
            f"first sight of each question (cold caches) p50: {statistics.median(cold):.1f} us   p99: {_percentile(cold, 99):.1f} us",
            f"answers per second, one core: {len(timings) / elapsed:,.0f}",
            f"`ask` start-up (python -m bot ask, wall, best of 3): {startup * 1000:.0f} ms",
            f"this machine: a million Python additions take {reference:.0f} ms (scale the figures above by it)",
            f"memory: engine data {peak_load / 1e6:.1f} MB (tracemalloc peak while loading), `ask` process peak RSS {startup_rss / 1e3:.0f} MB",
        ]
    )


def _cold_timings(questions: Sequence[str]) -> list[float]:
    fresh = Engine.load()
    out = []
    for question in questions:
        t0 = time.perf_counter_ns()
        fresh.answer(question)
        out.append((time.perf_counter_ns() - t0) / 1000)
    return sorted(out)


def _percentile(sorted_values: Sequence[float], percent: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def _reference_ms() -> float:
    """Best of 3 timings of a fixed loop: how fast this machine runs Python right now."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def _startup(runs: int = 3) -> tuple[float, int]:
    """Best wall time of `python -m bot ask hi` as an installed bot starts (bytecode and the built
    matcher cached by an earlier start), and that child's peak RSS in kB."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "bot", "ask", "hi"], capture_output=True, check=True, env=env)  # fills the caches
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "hi"], capture_output=True, check=True, env=env)
        best = min(best, time.perf_counter() - t0)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def labels_yaml(labels: Labels, source: str) -> str:
    """Labels as an intents/examples/ file."""
    import yaml

    body: dict[str, object] = {"version": 1, "source": source, "intents": labels.by_intent}
    if labels.near_misses:
        body["near_misses"] = {"declined": labels.near_misses}
    header = f"# Labelled by `python -m bot label {source}`: each question under the intent whose answer passes it.\n"
    if labels.unlabelled:
        header += f"# {len(labels.unlabelled)} questions fitted no single intent (several questions, or none) and are left out.\n"
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=10_000)
