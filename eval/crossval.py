"""Leave-one-set-out cross-validation over the tune sets: each set is scored by an engine that
has every example file but its own (`intents/examples/<set>.yaml`), which is as close to first
sight as tune data can get. The figure to improve while working on the engine; fresh sets decide.

    python eval/crossval.py                 # every tune set, totals
    python eval/crossval.py -v tune-q       # one set, with every miss
    python eval/crossval.py --no-examples   # the same with no example files at all
    python eval/crossval.py --refit ROWS    # and the answer/decline model and the classifier refitted without each set too
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bot.engine import Engine  # noqa: E402
from bot.evaluation import Report, evaluate, format_report  # noqa: E402


def read(path: Path) -> list[tuple[str, object]]:
    """(question, expect) pairs of a question set."""
    return [(row["q"], row["expect"]) for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="tune set names (default: all of eval/tune)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument("--no-examples", action="store_true", help="leave every example file out")
    parser.add_argument(
        "--refit",
        metavar="ROWS",
        help="refit the answer/decline model without each set's rows too (rows from eval/fit.py --rows; needs the fit group)",
    )
    args = parser.parse_args()
    paths = sorted((HERE / "tune").glob("*.jsonl"))
    if args.sets:
        paths = [p for p in paths if p.stem in args.sets]
    all_examples = [p.stem for p in (HERE.parent / "intents" / "examples").glob("*.yaml")]
    total = Report()
    rows = json.loads(Path(args.refit).read_text(encoding="utf-8")) if args.refit else None
    for path in paths:
        engine = Engine.load(without_examples=all_examples if args.no_examples else [path.stem])
        if rows is not None:
            from fit import classifiers_kept, fit_tables, fold_classifier

            from bot import fitted

            for name, value in fit_tables([r for r in rows if r[0] != path.stem], fitted.ANSWER_AT).items():
                setattr(fitted, name, value)
            engine.decider.classifier = fold_classifier(engine, path.stem, classifiers_kept(Path(args.refit)))
        report = evaluate(engine, read(path))
        for name in ("answered_right", "in_scope", "declined_right", "must_decline", "wrong"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        print(f"{path.stem:10s} {_line(report)}")
        if args.verbose:
            print(format_report(report).split("\nmisses:", 1)[-1])
    print(f"{'total':10s} {_line(total)}")
    return 0


def _line(report: Report) -> str:
    n = report.in_scope + report.must_decline
    return (
        f"in-scope {report.answered_right / max(report.in_scope, 1):6.1%}  "
        f"declined {report.declined_right / max(report.must_decline, 1):6.1%}  "
        f"wrong {report.wrong / max(n, 1):5.1%}  ({n} questions)"
    )


if __name__ == "__main__":
    sys.exit(main())
