"""Fit the answer/decline model (bot/fitted.py) on the tune sets, leave-one-set-out.

For every question of a tune set that reaches the model (one part, not settled by an earlier rule),
an engine without that set's examples gives the chosen reading and its features; the label is
whether answering with it would pass the question's `expect` (never, for a must-decline). Small
gradient-boosted trees are fitted: they separate right readings from wrong ones markedly better than
a logistic fit of the same features (out of fold, AUC 0.95 against 0.94; at the same share of wrong
readings answered, about 8 points more right ones). The threshold is chosen on out-of-fold
predictions: where the right answers gained outweigh the wrong ones, a wrong answer costing --cost
right ones. Writes bot/fitted.py (the trees as plain tuples: nothing but Python is needed to use them).

The letter-and-word classifier (bot/classifier.py) is fitted here too: for the rows, one per left-out
set (so that its margins are out of fold, as they will be on a new question; kept beside the rows
file for crossval.py --refit), then the shipped one, intents/classifier.bin, on everything.

    .venv/bin/uv sync --group fit                # scikit-learn, for this script only
    .venv/bin/python eval/fit.py                 # collect, fit, print the figures, write bot/fitted.py and the classifier
    .venv/bin/python eval/fit.py --rows rows.json --dry-run   # keep the collected rows; fit and print only
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.classifier import CLASSIFIER_FILE, Classifier, ngrams, piece_grams, piece_norm, pieces  # noqa: E402
from bot.engine import Engine, default_data_dir  # noqa: E402
from bot.evaluation import passes  # noqa: E402
from bot.examples import load_examples  # noqa: E402
from bot.matcher import NEAR_MISS_CLASS  # noqa: E402
from bot.models import Kind  # noqa: E402

Row = tuple[str, dict[str, float], int]  # (set, features, label)
TREES = {"n_estimators": 60, "max_depth": 4, "learning_rate": 0.1, "subsample": 0.8, "random_state": 0}
SVM_C = 0.5  # the classifier's regularisation: out of fold, 0.5 reads 87.5% of labelled questions right, 1.0 and 0.25 fewer


def fit_classifier(engine: Engine, without: list[str]) -> Classifier:
    """The letter-and-word classifier (bot/classifier.py) fitted on the engine's templates and
    examples and on the near-misses, leaving out the example files named in without."""
    from scipy.sparse import diags
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts: list[str] = []
    labels: list[str] = []
    for intent in engine.intents:
        for question in (*intent.templates, *intent.examples):
            texts.append(engine.analyzer.analyze(question).cleaned)
            labels.append(intent.name)
    for example_set in load_examples(default_data_dir(), (i.name for i in engine.intents), exclude=without):
        for questions in example_set.near_misses.values():
            texts.extend(engine.analyzer.analyze(q).cleaned for q in questions)
            labels.extend(NEAR_MISS_CLASS for _ in questions)
    # Plain counts, not sublinear ones: the margins stay linear in the n-grams, which is what lets
    # bot/classifier.py sum each word's share once. The lengths are bot/classifier.py's (piece by
    # piece), so that what is fitted is what it computes.
    vectorizer = TfidfVectorizer(analyzer=ngrams, min_df=2, norm=None)
    counts = vectorizer.fit_transform(texts)
    index, idf = vectorizer.vocabulary_, vectorizer.idf_
    lengths = [math.sqrt(sum(piece_norm(piece_grams(p), index, idf) for p in pieces(t))) or 1.0 for t in texts]
    svm = LinearSVC(C=SVM_C, random_state=0).fit(diags([1 / n for n in lengths]) @ counts, labels)
    scaled = (svm.coef_.T * idf[:, None]).astype("float32")
    return Classifier(
        [str(c) for c in svm.classes_],
        [str(g) for g in vectorizer.get_feature_names_out()],
        [float(v) for v in idf],
        array("f", scaled.ravel().tobytes()),
        [float(v) for v in svm.intercept_],
    )


def fold_classifier(engine: Engine, held: str, keep: Path | None) -> Classifier:
    """The classifier without one set's examples, kept in (and read back from) keep/held.bin."""
    path = keep / f"{held}.bin" if keep else None
    if path is not None and path.exists():
        loaded = Classifier.load(path)
        if loaded is not None:
            return loaded
    classifier = fit_classifier(engine, [held])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        classifier.save(path)
    return classifier


def collect(paths: list[Path], keep: Path | None) -> list[Row]:
    """Features and labels of every question that reaches the model, each from an engine (and a
    classifier) without its set's examples."""
    rows: list[Row] = []
    for path in paths:
        engine = Engine.load(without_examples=[path.stem])
        decider = engine.decider
        decider.classifier = fold_classifier(engine, path.stem, keep)
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


def main() -> int:
    try:
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.metrics import roc_auc_score
    except ImportError:
        sys.exit("eval/fit.py needs scikit-learn: .venv/bin/uv sync --group fit")

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", type=float, default=3.0, help="how many right answers one wrong answer costs")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, leave bot/fitted.py alone")
    parser.add_argument("--rows", help="keep the collected rows in this file (and read them from it next time)")
    args = parser.parse_args()
    cache = Path(args.rows) if args.rows else None
    if cache and cache.exists():
        rows: list[Row] = [(s, f, y) for s, f, y in json.loads(cache.read_text(encoding="utf-8"))]
    else:
        rows = collect(sorted((HERE / "tune").glob("*.jsonl")), classifiers_kept(cache))
        if cache:
            cache.write_text(json.dumps(rows), encoding="utf-8")
    names = sorted(rows[0][1])
    x = [[features[k] for k in names] for _, features, _ in rows]
    y = [label for *_, label in rows]
    predicted = [0.0] * len(rows)
    for held in sorted({s for s, *_ in rows}):
        inside = [i for i, (s, *_) in enumerate(rows) if s != held]
        outside = [i for i, (s, *_) in enumerate(rows) if s == held]
        model = GradientBoostingClassifier(**TREES).fit([x[i] for i in inside], [y[i] for i in inside])
        for i, p in zip(outside, model.predict_proba([x[i] for i in outside])[:, 1], strict=True):
            predicted[i] = float(p)
    answer_at = _threshold(list(zip(predicted, y, strict=True)), args.cost)
    right = sum(1 for p, label in zip(predicted, y, strict=True) if p >= answer_at and label)
    wrong = sum(1 for p, label in zip(predicted, y, strict=True) if p >= answer_at and not label)
    print(f"{len(rows)} rows ({sum(y)} answerable by the chosen reading); out of fold AUC {roc_auc_score(y, predicted):.3f}")
    print(f"out of fold at {answer_at:.2f}: {right} right, {wrong} wrong answers, {sum(y) - right} right readings declined")
    model = GradientBoostingClassifier(**TREES).fit(x, y)
    for name, importance in sorted(zip(names, model.feature_importances_, strict=True), key=lambda item: -item[1]):
        print(f"  {name:16s} {importance:.3f}")
    if not args.dry_run:
        _write(tables(model, names, answer_at))
        fit_classifier(Engine.load(), []).save(default_data_dir() / CLASSIFIER_FILE)
    return 0


def classifiers_kept(rows: Path | None) -> Path | None:
    """Where the per-set classifiers behind a rows file are kept (crossval.py --refit reads them)."""
    return rows.with_name(rows.name + ".classifiers") if rows else None


def _threshold(predicted: list[tuple[float, int]], cost: float) -> float:
    """The confidence to answer at that gains most: each right answer counts 1, each wrong one -cost."""
    best, best_gain = 1.0, 0.0
    for candidate in sorted({round(p, 3) for p, _ in predicted}):
        gain = sum(1 if label else -cost for p, label in predicted if p >= candidate)
        if gain > best_gain:
            best, best_gain = candidate, gain
    return best


def tables(model: object, names: list[str], answer_at: float) -> dict[str, object]:
    """The fitted model as bot/fitted.py's constants: the features in order, the prior log odds, each tree's nodes."""
    import math

    prior = float(model.init_.class_prior_[1])  # type: ignore[attr-defined]
    rate = float(model.learning_rate)  # type: ignore[attr-defined]
    trees = []
    for (estimator,) in model.estimators_:  # type: ignore[attr-defined]
        tree = estimator.tree_
        nodes = []
        for node in range(tree.node_count):
            leaf = tree.children_left[node] == -1
            nodes.append(
                (
                    -1 if leaf else int(tree.feature[node]),
                    0.0 if leaf else round(float(tree.threshold[node]), 6),
                    int(tree.children_left[node]),
                    int(tree.children_right[node]),
                    round(rate * float(tree.value[node][0][0]), 6) if leaf else 0.0,
                )
            )
        trees.append(tuple(nodes))
    return {
        "FEATURES": tuple(names),
        "PRIOR": round(math.log(prior / (1 - prior)), 6),
        "ANSWER_AT": answer_at,
        "CLARIFY_AT": round(answer_at * 0.6, 3),
        "TREES": tuple(trees),
    }


def fit_tables(rows: list[Row], answer_at: float) -> dict[str, object]:
    """Fit the trees on some rows and return them as bot/fitted.py's constants."""
    from sklearn.ensemble import GradientBoostingClassifier

    names = sorted(rows[0][1])
    model = GradientBoostingClassifier(**TREES).fit([[f[k] for k in names] for _, f, _ in rows], [y for *_, y in rows])
    return tables(model, names, answer_at)


def _write(constants: dict[str, object]) -> None:
    text = (HERE.parent / "bot" / "fitted.py").read_text(encoding="utf-8")
    head, tail = text[: text.index("FEATURES:")], text[text.index("\n\n\ndef confidence") :]
    body = "\n".join(f"    {tree!r}," for tree in constants["TREES"])  # type: ignore[attr-defined]
    middle = (
        f"FEATURES: tuple[str, ...] = {constants['FEATURES']!r}\n"
        f"PRIOR = {constants['PRIOR']}  # log odds that a reading is right, before the trees\n"
        f"ANSWER_AT = {constants['ANSWER_AT']}  # confidence needed to answer\n"
        f"CLARIFY_AT = {constants['CLARIFY_AT']}  # between the two, with close readings, ask which was meant\n"
        f"# Each node: (feature index, or -1 for a leaf; threshold; left child; right child; leaf value).\n"
        f"TREES: tuple[tuple[tuple[int, float, int, int, float], ...], ...] = (\n{body}\n)"
    )
    (HERE.parent / "bot" / "fitted.py").write_text(head + middle + tail, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
