"""Switch each part rule of bot/decide.py off in turn and measure what it changes, over every tune
set with its own examples left out (as eval/crossval.py does). A rule that changes nothing has no
place in the decision.

    python eval/ablate.py            # every rule
    python eval/ablate.py quoted     # one rule
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from crossval import read  # noqa: E402

from bot.decide import PART_RULES  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import evaluate  # noqa: E402


def measure(paths: list[Path], without: str | None) -> tuple[int, int, int]:
    """(answered right, declined right, wrong) over the sets, with one rule switched off."""
    right = declined = wrong = 0
    for path in paths:
        engine = Engine.load(without_examples=[path.stem])
        engine.decider.rules = tuple(r for r in PART_RULES if r != without)
        report = evaluate(engine, read(path))
        right, declined, wrong = right + report.answered_right, declined + report.declined_right, wrong + report.wrong
    return right, declined, wrong


def main() -> int:
    paths = sorted((HERE / "tune").glob("*.jsonl"))
    rules = sys.argv[1:] or list(PART_RULES)
    base = measure(paths, None)
    print(f"{'all rules':12s} answered right {base[0]}, declined right {base[1]}, wrong {base[2]}")
    for rule in rules:
        right, declined, wrong = measure(paths, rule)
        print(f"without {rule:12s} right {right - base[0]:+d}, declined {declined - base[1]:+d}, wrong {wrong - base[2]:+d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
