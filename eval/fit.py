"""Fit the answer/decline model (bot/fitted.py) on the tune sets, leave-one-set-out.

For every question of a tune set that reaches the model (one part, not settled by an earlier
rule), an engine without that set's examples gives the chosen reading and its features; the label
is whether answering with it would pass the question's `expect` (never, for a must-decline). A
logistic regression (plain gradient descent: a dozen features, a few thousand rows) is fitted on
all rows, and the threshold is chosen on the out-of-fold predictions: answer where the right answers gained
outweigh the wrong ones, a wrong answer costing --cost right ones. Writes bot/fitted.py.

    python eval/fit.py            # fit, print the figures, write bot/fitted.py
    python eval/fit.py --dry-run  # fit and print only
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.engine import Engine  # noqa: E402
from bot.evaluation import passes  # noqa: E402
from bot.models import Kind  # noqa: E402

Row = tuple[str, dict[str, float], int]  # (set, features, label)


def collect(paths: list[Path]) -> list[Row]:
    """Features and labels of every question that reaches the model, each from an engine without its set's examples."""
    rows: list[Row] = []
    for path in paths:
        engine = Engine.load(without_examples=[path.stem])
        decider = engine.decider
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            asks = decider.asks(engine.analyzer.analyze(item["q"]))
            if len(asks) != 1:
                continue
            decision = decider.decide_ask(asks[0])
            if decision.features is None or any(m.intent.handler == "gap" for m in decision.candidate):
                continue  # a gap reading declines either way: nothing to learn from it
            reply = engine.answer_matches(decision.candidate, asks[0])
            right = item["expect"] != "decline" and reply.kind is Kind.ANSWER and passes(reply.text, item["expect"])
            rows.append((path.stem, decision.features, int(right)))
    return rows


def fit(rows: list[Row], names: list[str], l2: float = 1.0) -> tuple[dict[str, float], float]:
    """Logistic regression by Newton's method (a dozen features: the Hessian is tiny), L2 on the weights."""
    size = len(names) + 1
    beta = [0.0] * size  # bias first
    for _ in range(25):
        grad = [0.0] * size
        hess = [[0.0] * size for _ in range(size)]
        for _, features, label in rows:
            x = [1.0, *(features[k] for k in names)]
            p = _sigmoid(sum(b * v for b, v in zip(beta, x, strict=True)))
            w = p * (1 - p)
            for i in range(size):
                grad[i] += (p - label) * x[i]
                for j in range(i, size):
                    hess[i][j] += w * x[i] * x[j]
        for i in range(size):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i:
                grad[i] += l2 * beta[i]
                hess[i][i] += l2
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return dict(zip(names, beta[1:], strict=True)), beta[0]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for row in range(n):
            if row != col and a[col][col]:
                factor = a[row][col] / a[col][col]
                a[row] = [x - factor * y for x, y in zip(a[row], a[col], strict=True)]
    return [a[i][n] / a[i][i] if a[i][i] else 0.0 for i in range(n)]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(min(z, 30.0), -30.0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", type=float, default=3.0, help="how many right answers one wrong answer costs")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--rows", help="cache the collected rows in this file (and read them from it next time)")
    args = parser.parse_args()
    paths = sorted((HERE / "tune").glob("*.jsonl"))
    cache = Path(args.rows) if args.rows else None
    if cache and cache.exists():
        rows = [tuple(r) for r in json.loads(cache.read_text())]  # type: ignore[misc]
    else:
        rows = collect(paths)
        if cache:
            cache.write_text(json.dumps(rows))
    names = sorted(rows[0][1])
    # Out-of-fold predictions: each set scored by a model fitted on the others.
    predicted: list[tuple[float, int]] = []
    for held in sorted({r[0] for r in rows}):
        weights, bias = fit([r for r in rows if r[0] != held], names)
        predicted += [(_sigmoid(bias + sum(weights[k] * f[k] for k in names)), y) for s, f, y in rows if s == held]
    answer_at = _threshold(predicted, args.cost)
    weights, bias = fit(rows, names)
    right = sum(1 for p, y in predicted if p >= answer_at and y)
    wrong = sum(1 for p, y in predicted if p >= answer_at and not y)
    print(f"{len(rows)} rows ({sum(y for *_, y in rows)} answerable by the chosen reading)")
    print(f"out of fold at {answer_at:.2f}: {right} right, {wrong} wrong answers, {sum(y for _, y in predicted) - right} right readings declined")
    for k in names:
        print(f"  {k:14s} {weights[k]:+.3f}")
    print(f"  {'bias':14s} {bias:+.3f}")
    if not args.dry_run:
        _write(weights, bias, answer_at)
    return 0


def _threshold(predicted: list[tuple[float, int]], cost: float) -> float:
    """The confidence to answer at that gains most: each right answer counts 1, each wrong one -cost."""
    best, best_gain = 1.0, 0.0
    for candidate in sorted({round(p, 3) for p, _ in predicted}):
        gain = sum(1 if y else -cost for p, y in predicted if p >= candidate)
        if gain > best_gain:
            best, best_gain = candidate, gain
    return best


def _write(weights: dict[str, float], bias: float, answer_at: float) -> None:
    body = ",\n".join(f"    {k!r}: {v:.4f}" for k, v in weights.items())
    text = (HERE.parent / "bot" / "fitted.py").read_text(encoding="utf-8")
    head = text[: text.index("WEIGHTS:")]
    tail = text[text.index("\n\n\ndef confidence") :]
    clarify_at = round(answer_at * 0.6, 3)
    middle = (
        f"WEIGHTS: dict[str, float] = {{\n{body},\n}}\nBIAS = {bias:.4f}\n"
        f"ANSWER_AT = {answer_at}  # confidence needed to answer\n"
        f"CLARIFY_AT = {clarify_at}  # between the two, with close readings, ask which was meant"
    )
    (HERE.parent / "bot" / "fitted.py").write_text(head + middle + tail, encoding="utf-8")


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
