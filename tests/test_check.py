"""`check`: every problem of every data file in one run, each naming its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.check import check
from bot.errors import DataError, Problems
from tests.conftest import replace_in


def problems_in(data_dir: Path) -> list[str]:
    found, engine = check(data_dir)
    assert (engine is None) == bool(found)
    return [str(problem) for problem in found]


def test_the_shipped_data_has_no_problems_and_loads_whole(data_copy: Path) -> None:
    found, engine = check(data_copy)
    assert found == []
    assert engine is not None and engine.intents


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("intents.yaml", "    requires:", "    requries:", ".requries: unknown key (did you mean 'requires'?)"),
        ("intents.yaml", "version: 1", "version: 1\nintens: []", "intents.yaml: intens: unknown key (did you mean 'intents'?)"),
        ("knowledge.yaml", "    kind: span", "    knd: span", ".knd: unknown key (did you mean 'kind'?)"),
        (
            "knowledge.yaml",
            "{paragraph: 1, quote:",
            "{paragraph: 1, qoute:",
            "citations[1].qoute: unknown key (did you mean 'quote'?)",
        ),
        ("knowledge.yaml", 'label: "2004"', 'label: "2004", when: now', ".event.when: unknown key"),
        ("lexicon.yaml", "{name: Amazon,", "{nmae: x, name: Amazon,", "lexicon.yaml: entities.amazon.nmae: unknown key"),
        ("smalltalk.yaml", "    phrases:", "    phrase:", ".phrase: unknown key (did you mean 'phrases'?)"),
    ],
)
def test_an_unknown_key_is_refused_naming_file_and_key(data_copy: Path, file: str, old: str, new: str, expected: str) -> None:
    replace_in(data_copy / file, old, new)
    found = problems_in(data_copy)
    assert any(expected in problem and problem.startswith(file) for problem in found), found


@pytest.mark.parametrize("date", ["2004-13-45", "2019-02-30", "2019-00", "2019-04-31", "0000"])
def test_an_impossible_date_is_refused(data_copy: Path, date: str) -> None:
    replace_in(data_copy / "knowledge.yaml", 'date: "2015"', f'date: "{date}"')
    found = problems_in(data_copy)
    assert len(found) == 1
    assert found[0].startswith("knowledge.yaml: fact ")
    assert f".event.date: not a date: '{date}'" in found[0]


def test_every_problem_of_every_file_is_reported_in_one_run(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "    requires:", "    requries:")
    replace_in(data_copy / "knowledge.yaml", 'date: "2015"', 'date: "2004-13-45"')
    replace_in(data_copy / "knowledge.yaml", "  - id: entry\n", "  - id: entry\n    colour: blue\n")
    replace_in(data_copy / "smalltalk.yaml", "    reply:", "    replly:")
    found = problems_in(data_copy)
    files = sorted({problem.split(":")[0] for problem in found})
    assert files == ["intents.yaml", "knowledge.yaml", "smalltalk.yaml"]
    assert len(found) == 5  # the two smalltalk ones: 'replly' is unknown, 'reply' is missing


def test_a_broken_fact_is_reported_once_not_again_where_an_intent_uses_it(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", 'date: "2015"', 'date: "2015-02-30"')
    found = problems_in(data_copy)
    assert len(found) == 1, found  # no "unknown fact id" in intents.yaml, no "not reachable"


def test_a_lexicon_that_does_not_parse_still_lets_the_other_files_be_checked(data_copy: Path) -> None:
    (data_copy / "lexicon.yaml").write_text("version: 1\nentities: [\n", encoding="utf-8")
    replace_in(data_copy / "intents.yaml", "    requires:", "    requries:")
    found = problems_in(data_copy)
    assert len(found) == 2, found
    assert found[0].startswith("lexicon.yaml: line ")
    assert "intents.yaml: intent " in found[1] and ".requries: unknown key" in found[1]


def test_a_strict_sink_raises_the_first_problem_and_a_collecting_one_keeps_them_all() -> None:
    first, second = DataError("a.yaml", "x", "bad"), DataError("a.yaml", "y", "worse")
    with pytest.raises(DataError) as raised:
        Problems().add(first)
    assert raised.value is first
    collecting = Problems(collect=True)
    collecting.add(first)
    with collecting.entry() as entry:
        entry.name = "y"
        raise second
    assert collecting.found == [first, second]
    assert collecting.failed("y") and not collecting.failed("x")


def test_every_broken_quiz_question_is_named_in_one_run_and_a_broken_fact_is_not_named_twice(data_copy: Path) -> None:
    quiz = data_copy / "quiz.yaml"
    replace_in(quiz, '    distractors: ["Jack Ma"', '    distractor: ["Jack Ma"')
    replace_in(quiz, 'answer: "the end of December"', 'answer: "the end of June"')
    replace_in(quiz, "  person: [colin_huang]", "  person: [colin_huang]\n  people: [colin_huang]")
    replace_in(
        data_copy / "knowledge.yaml",
        "'s founder is Colin Huang.\"\n    about: [pinduoduo, colin_huang]",
        "'s founder is Colin Huang.\"\n    about: [pinduoduo, colin_hwang]",
    )
    found = problems_in(data_copy)
    assert any(p.startswith("knowledge.yaml: fact 'founder'.about: unknown entity 'colin_hwang'") for p in found), found
    quiz_problems = [p for p in found if p.startswith("quiz.yaml")]
    assert quiz_problems == [
        "quiz.yaml: names.people[0]: 'colin_huang' is listed under 'person' already",
        "quiz.yaml: questions[2].answer: 'the end of June' is not in fact 'popup': neither its text nor its quotes say it",
    ], found  # questions[0] tests the broken fact 'founder': reported once, in knowledge.yaml


def test_an_unknown_key_in_quiz_yaml_is_refused(data_copy: Path) -> None:
    replace_in(data_copy / "quiz.yaml", '    question: "Who founded Pinduoduo?"', '    qestion: "Who founded Pinduoduo?"')
    found = problems_in(data_copy)
    assert "quiz.yaml: questions[0].qestion: unknown key (did you mean 'question'?)" in found
