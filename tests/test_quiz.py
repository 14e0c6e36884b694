"""The quiz's pure core: questions generated from small inline knowledge, quiz.yaml's validation, drawing, play."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.knowledge import Article, Knowledge
from bot.models import Citation, Event, Fact
from bot.quiz import (
    BLANK,
    COUNT,
    MONEY,
    PERCENT,
    YEAR,
    Game,
    Name,
    Press,
    QuizBank,
    QuizItem,
    Value,
    draw,
    figures,
    generate,
    kind_of,
    letter_of,
    mentions,
    question_text,
    reveal_text,
    scoreboard_text,
)
from tests.conftest import replace_in

P1 = "Acme entered Ruritania in 2004 by buying Zed, a bookshop. Acme left Ruritania in April of 2019."
P2 = "Acme's revenue grew 50% to roughly $2.5 billion, beating Bolt and Cogs. Acme sold roughly 1,000 items."
P3 = "Dyna was founded by Eve Ray, surpassed in May as the biggest."
ARTICLE = Article(("Acme in Ruritania", P1, P2, P3))
COMPANIES = [Name(e, "company", e.title()) for e in ("acme", "zed", "bolt", "cogs", "dyna", "fizz", "grow")]
PEOPLE = [Name("eve", "person", "Eve Ray")]


def fact(fact_id: str, text: str, *quotes: tuple[int, str], about: tuple[str, ...] = (), kind: str = "fact") -> Fact:
    citations = tuple(Citation(paragraph, quote) for paragraph, quote in quotes)
    for citation in citations:
        assert ARTICLE.contains(citation.paragraph, citation.quote), citation
    return Fact(fact_id, text, citations, frozenset(about), kind=kind)


FACTS = [
    fact("entry", "Acme entered Ruritania in 2004 by buying Zed.", (1, "Acme entered Ruritania in 2004 by buying Zed")),
    fact("exit", "Acme left Ruritania in April 2019.", (1, "Acme left Ruritania in April of 2019")),
    fact(
        "revenue",
        "Acme's revenue grew 50% to roughly $2.5 billion (a record), beating Bolt and Cogs.",
        (2, "Acme's revenue grew 50% to roughly $2.5 billion, beating Bolt and Cogs"),
        about=("acme", "bolt", "cogs"),
    ),
    fact("items", "Acme sold roughly 1,000 items.", (2, "Acme sold roughly 1,000 items")),
    fact("founder", "Dyna was founded by Eve Ray.", (3, "Dyna was founded by Eve Ray")),
    fact("rank", "In May Dyna became the biggest.", (3, "surpassed in May as the biggest")),
    fact("gap_may", "The article doesn't say whom Dyna surpassed in May.", (3, "surpassed in May as the biggest"), kind="gap"),
    fact("span", "Acme was in Ruritania for 15 years.", (1, "in 2004"), (1, "April of 2019"), kind="span"),
]


def knowledge(*facts: Fact, now: str = "2019-11") -> Knowledge:
    chosen = facts or tuple(FACTS)
    return Knowledge(ARTICLE, {f.id: f for f in chosen}, Event(now, "late 2019"))


def bank(*facts: Fact) -> QuizBank:
    return QuizBank(generate(knowledge(*facts), [*COMPANIES, *PEOPLE]))


def items_by_key(quiz: QuizBank) -> dict[str, QuizItem]:
    return {item.key: item for item in quiz.items}


# -- what a text holds ---------------------------------------------------------------------


def test_figures_are_found_with_their_kinds_and_a_year_inside_an_amount_or_a_date_is_not_a_year() -> None:
    found = figures("On November 25, 2019 it made $1.1 billion, up 144% on 2,500 stores in Q3 2018 (not 20150).")
    assert found == [
        Value("date", "November 25"),
        Value("year", "2019"),
        Value("money", "$1.1 billion"),
        Value("percent", "144%"),
        Value("count", "2,500"),
        Value("year", "2018"),
        Value("count", "20150"),
    ]


def test_kind_of_recognises_a_whole_figure_only() -> None:
    assert [kind_of(t) for t in ("2015", "123%", "$17 billion", "1,000", "November 25", "fourth largest", "in 2015")] == [
        YEAR,
        PERCENT,
        MONEY,
        COUNT,
        "date",
        None,
        None,
    ]


def test_mentions_matches_whole_figures_and_words_only() -> None:
    assert mentions("opened in 2015.", "2015")
    assert not mentions("opened in 20150", "2015")
    assert not mentions("grew 1.5%", "5%")
    assert mentions("Alibaba-owned marketplace", "Alibaba")
    assert not mentions("JDX", "JD")
    assert mentions("The COMPANY’S store", "the company's store", folded=True)


# -- generated questions -------------------------------------------------------------------


def test_generated_distractors_are_of_the_answers_kind() -> None:
    quiz = bank()
    companies = {n.text for n in COMPANIES}
    kinds = set()
    for item in quiz.items:
        kinds.add(item.kind)
        options = [*item.distractors, *item.near]
        assert len(options) >= 3, item
        if item.kind == "company":
            assert set(options) <= companies
        else:
            assert {kind_of(option) for option in options} == {item.kind}, item
    assert kinds == {"year", "percent", "money", "count", "company"}  # one person only: no person question


def test_a_distractor_is_never_a_value_the_fact_states_or_an_entity_it_is_about() -> None:
    items = items_by_key(bank())
    bolt = items["revenue:Bolt"]
    assert "Cogs" not in [*bolt.distractors, *bolt.near]  # "beating Bolt and Cogs": Cogs is true as well
    assert "Acme" not in [*bolt.distractors, *bolt.near]
    assert set(bolt.distractors) == {"Zed", "Dyna", "Fizz", "Grow"}
    percent = items["revenue:50%"]
    assert "50%" not in [*percent.distractors, *percent.near]


def test_the_question_blanks_every_occurrence_and_drops_asides() -> None:
    items = items_by_key(bank())
    assert items["revenue:Acme"].question == f"{BLANK}'s revenue grew 50% to roughly $2.5 billion, beating Bolt and Cogs."
    assert items["exit:2019"].question == f"Acme left Ruritania in April {BLANK}."


def test_every_answer_stands_verbatim_in_the_citations_the_reveal_quotes() -> None:
    for item in bank().items:
        assert item.citations
        assert all(mentions(c.quote, item.answer) for c in item.citations)


def test_a_value_no_citation_quotes_is_never_asked() -> None:
    uncited = fact("uncited", "Acme entered Ruritania in 2004 by buying Zed.", (1, "by buying Zed"))
    keys = {item.key for item in bank(uncited, *FACTS[1:4]).items}
    assert "uncited:Zed" in keys
    assert "uncited:2004" not in keys  # the quote does not say 2004: the reveal could not show it


def test_a_sentence_a_gap_quotes_and_spans_and_gaps_themselves_are_never_blanked() -> None:
    facts = {item.fact for item in bank().items}
    assert "rank" not in facts  # gap_may quotes its sentence: "surpassed [whom?] in May"
    assert {"span", "gap_may"}.isdisjoint(facts)
    assert {"entry", "exit", "revenue", "items", "founder"} <= facts


def test_near_figures_are_derived_from_the_answer_and_years_stay_before_the_articles_now() -> None:
    items = items_by_key(bank())
    assert set(items["exit:2019"].near) == {"2018", "2017", "2016", "2014"}  # 2004 comes from the knowledge
    assert set(items["exit:2019"].distractors) == {"2004"}
    assert items["items:1,000"].near == ("100", "500", "2,000", "5,000", "10,000")
    assert items["revenue:$2.5 billion"].near[:2] == ("$1.2 billion", "$5 billion")


def test_a_kind_with_fewer_than_four_names_gives_no_question() -> None:
    keys = {item.key for item in bank().items}
    assert "founder:Eve Ray" not in keys
    assert "founder:Dyna" in keys


# -- drawing a quiz ------------------------------------------------------------------------


def test_drawing_is_deterministic_for_a_seed_and_varies_with_it() -> None:
    quiz = bank()
    first = draw(quiz, 4, seed=7)
    assert draw(quiz, 4, seed=7) == first
    assert any(draw(quiz, 4, seed=seed) != first for seed in range(8, 20))


def test_a_quiz_has_four_distinct_options_the_right_one_being_the_answer_and_never_repeats_a_fact_or_answer() -> None:
    quiz = bank()
    for seed in range(50):
        questions = draw(quiz, 10, seed)
        assert [q.number for q in questions] == list(range(1, len(questions) + 1))
        assert len({q.item.fact for q in questions}) == len(questions)
        assert len({q.item.answer for q in questions}) == len(questions)
        for question in questions:
            assert len(set(question.options)) == 4
            assert question.options[question.right] == question.item.answer
            for option in question.options:
                if option != question.item.answer and question.item.kind != "company":
                    assert kind_of(option) == question.item.kind


def test_a_quiz_asks_fewer_questions_when_the_knowledge_runs_out() -> None:
    assert len(draw(bank(*FACTS[:2]), 10, seed=1)) == 2


def test_the_shipped_quiz_generates_and_validates(engine: Engine) -> None:
    quiz = engine.quiz
    assert quiz.written >= 5
    assert len(quiz.items) - quiz.written >= 20
    for item in quiz.items:
        assert all(mentions(c.quote, item.answer, folded=item.written) for c in item.citations), item.key
        assert len({*item.distractors, *item.near, item.answer}) == 1 + len(item.distractors) + len(item.near)
    assert len(draw(quiz, 10, seed=0)) == 10


# -- quiz.yaml -------------------------------------------------------------------------------

GOOD_ITEM = """  - fact: founder
    question: "Who founded Pinduoduo?"
    answer: "Colin Huang"
    distractors: ["Jack Ma", "Richard Liu", "Robin Li"]
"""


def write_items(data_copy: Path, items: str) -> None:
    text = (data_copy / "quiz.yaml").read_text(encoding="utf-8")
    head = text[: text.index("\nquestions:") + 1]
    (data_copy / "quiz.yaml").write_text(head + "questions:\n" + items, encoding="utf-8")


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (GOOD_ITEM.replace("fact: founder", "fact: foundr"), r"questions\[0\]\.fact: unknown fact 'foundr'"),
        (
            GOOD_ITEM.replace("fact: founder", "fact: gap_founding_date"),
            r"questions\[0\]\.fact: fact 'gap_founding_date' is what",
        ),
        (GOOD_ITEM.replace('"Colin Huang"', '"Colin Hwang"'), r"questions\[0\]\.answer: 'Colin Hwang' is not in fact 'founder'"),
        (GOOD_ITEM.replace('"Richard Liu"', '"colin huang"'), r"questions\[0\]\.distractors\[1\]: 'colin huang' is the answer"),
        (GOOD_ITEM.replace('"Robin Li"', '"Jack Ma"'), r"questions\[0\]\.distractors\[2\]: 'Jack Ma' is given twice"),
        (
            GOOD_ITEM.replace('"Robin Li"', '"Pinduoduo"'),
            r"questions\[0\]\.distractors\[2\]: 'Pinduoduo' is stated in fact 'founder'",
        ),
        (GOOD_ITEM.replace(', "Robin Li"', ""), r"questions\[0\]\.distractors: expected 3 distractors, found 2"),
        (GOOD_ITEM.replace('    answer: "Colin Huang"\n', ""), r"questions\[0\]: missing key 'answer'"),
        (GOOD_ITEM.replace('"Jack Ma"', '"' + "x" * 81 + '"'), r"questions\[0\]\.distractors\[0\]: at most 80 characters"),
        (
            GOOD_ITEM.replace("founder", "entry").replace('"Colin Huang"', "2004").replace('"Jack Ma"', '"the 1990s"'),
            r"questions\[0\]\.distractors\[0\]: 'the 1990s' is not a year like the answer '2004'",
        ),
        (GOOD_ITEM + GOOD_ITEM.replace("Jack Ma", "Pony Ma"), r"questions\[1\]\.question: the same question as questions\[0\]"),
    ],
)
def test_a_bad_hand_written_question_is_refused_naming_file_and_key(data_copy: Path, item: str, error: str) -> None:
    write_items(data_copy, item)
    with pytest.raises(DataError, match=r"quiz\.yaml: " + error):
        Engine.load(data_copy)


def test_a_good_hand_written_question_loads_with_a_number_as_its_answer(data_copy: Path) -> None:
    write_items(
        data_copy,
        GOOD_ITEM
        + '  - {fact: entry, question: "When did Amazon enter China?", answer: 2004, distractors: [2003, 2008, 2012]}\n',
    )
    written = [item for item in Engine.load(data_copy).quiz.items if item.written]
    assert [(w.answer, w.distractors, w.kind) for w in written] == [
        ("Colin Huang", ("Jack Ma", "Richard Liu", "Robin Li"), "written"),
        ("2004", ("2003", "2008", "2012"), YEAR),
    ]
    assert [c.paragraph for c in written[1].citations] == [1]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("person: [colin_huang]", "person: [colin_hwang]", r"names\.person\[0\]: unknown entity 'colin_hwang'"),
        ("person: [colin_huang]", "person: [colin_huang, jd]", r"names\.person\[1\]: 'jd' is listed under 'company' already"),
        ("person: [colin_huang]", "year: [colin_huang]", r"names\.year: 'year' is a kind of figure"),
        ("version: 1", "version: 2", r"version: expected version: 1"),
    ],
)
def test_a_bad_names_table_or_version_is_refused(data_copy: Path, old: str, new: str, error: str) -> None:
    replace_in(data_copy / "quiz.yaml", old, new)
    with pytest.raises(DataError, match=r"quiz\.yaml: " + error):
        Engine.load(data_copy)


def test_without_quiz_yaml_the_quiz_asks_figures_and_dates_only(data_copy: Path) -> None:
    (data_copy / "quiz.yaml").unlink()
    quiz = Engine.load(data_copy).quiz
    assert quiz.items
    assert {item.kind for item in quiz.items} <= {"year", "date", "percent", "money", "count"}


# -- playing -------------------------------------------------------------------------------


def game(count: int = 3) -> Game:
    return Game(draw(bank(), count, seed=3))


def test_each_member_answers_once_per_question_and_only_the_open_one() -> None:
    play = game()
    first = play.ask_next()
    assert first is not None
    assert play.press(1, "Ann", 1, first.right) is Press.COUNTED
    assert play.press(1, "Ann", 1, (first.right + 1) % 4) is Press.AGAIN
    assert play.answer_of(1) == first.right
    assert play.press(2, "Ben", 2, 0) is Press.CLOSED  # not asked yet
    assert play.press(2, "Ben", 1, 4) is Press.CLOSED  # no such option
    outcome = play.close()
    assert outcome.right == ("Ann",)
    assert play.press(2, "Ben", 1, 0) is Press.CLOSED  # closed


def test_a_question_is_answered_by_everyone_once_all_who_played_before_have_answered() -> None:
    play = game()
    first = play.ask_next()
    assert first is not None
    play.press(1, "Ann", 1, 0)
    assert not play.everyone_answered  # the first question: nobody is known to be playing yet
    play.press(2, "Ben", 1, 1)
    assert not play.close().everyone
    second = play.ask_next()
    assert second is not None
    play.press(2, "Ben", 2, second.right)
    assert not play.everyone_answered
    play.press(3, "Cat", 2, second.right)  # a newcomer is welcome, but not waited for
    assert not play.everyone_answered
    play.press(1, "Ann", 2, second.right)
    assert play.everyone_answered
    assert play.close().everyone


def test_scores_count_right_answers_and_ties_share_a_place() -> None:
    play = game()
    while (question := play.ask_next()) is not None:
        play.press(1, "Ann", question.number, question.right)
        play.press(2, "Ben", question.number, question.right if question.number < 3 else (question.right + 1) % 4)
        if question.number == 1:
            play.press(3, "Cat", 1, question.right)
        play.close()
    assert play.finished
    board = [(s.place, s.name, s.right, s.answered) for s in play.standings()]
    assert board == [(1, "Ann", 3, 3), (2, "Ben", 2, 3), (3, "Cat", 1, 1)]
    play.players[2].answered = play.players[1].answered = 3
    play.players[2].right = 3
    assert [s.place for s in play.standings()] == [1, 1, 3]
    assert "1. Ann: 3 right of 3 answered" in scoreboard_text(play.standings(), 3)


def test_the_revealed_answer_carries_the_facts_quote_and_paragraph() -> None:
    play = Game(tuple(q for q in draw(bank(), 10, seed=5) if q.item.fact == "exit"))
    question = play.ask_next()
    assert question is not None
    text = question_text(question, 1)
    assert f"in April {BLANK}." in text and "fill in the blank" in text
    play.press(1, "Ann", question.number, question.right)
    reveal = reveal_text(play.close(), knowledge())
    assert f"The answer: {question.answer}" in reveal
    assert "“Acme left Ruritania in April of 2019” (paragraph 1)" in reveal
    assert "Right: Ann" in reveal


@pytest.mark.parametrize(("typed", "option"), [("a", 0), ("B", 1), (" c) ", 2), ("D.", 3), ("e", None), ("ab", None), ("", None)])
def test_a_typed_letter_names_an_option(typed: str, option: int | None) -> None:
    assert letter_of(typed) == option
