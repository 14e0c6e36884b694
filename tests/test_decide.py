"""Each rule of bot/decide.py on the tiny inline article of tests/tiny.py: the class of question it
exists for, and what happens to that class without it."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from bot import fitted
from bot.classifier import WORD_MARK, Classifier
from bot.decide import PART_RULES, Decision
from bot.engine import Engine
from bot.models import Kind
from tests import tiny


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return tiny.engine(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def confident(monkeypatch: pytest.MonkeyPatch) -> None:
    """The confidence model says yes to whatever reading reaches it: the rules alone decide."""
    monkeypatch.setattr(fitted, "TREES", ())
    monkeypatch.setattr(fitted, "PRIOR", 10.0)
    return


@pytest.fixture
def doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    """The confidence model says no to everything that reaches it."""
    monkeypatch.setattr(fitted, "TREES", ())
    monkeypatch.setattr(fitted, "PRIOR", -10.0)
    return


def decide(engine: Engine, question: str, without: str | None = None) -> Decision:
    engine.decider.rules = tuple(r for r in PART_RULES if r != without)
    try:
        return engine.decider.decide(engine.analyzer.analyze(question))
    finally:
        engine.decider.rules = PART_RULES


def names(decision: Decision) -> list[str]:
    return [m.intent.name for m in decision.matches]


@pytest.mark.usefixtures("confident")
def test_a_place_outside_the_article_is_declined_where_the_reading_would_answer(small: Engine) -> None:
    assert decide(small, "when did acme enter narnia").rule == "outside"
    assert decide(small, "when did acme enter narnia", without="outside").kind is Kind.ANSWER


@pytest.mark.usefixtures("confident")
def test_a_wrong_company_in_a_yes_no_about_an_event_is_a_premise_the_answer_sets_right(small: Engine) -> None:
    decision = decide(small, "did acme buy globex to get into ruritania?")
    assert decision.kind is Kind.ANSWER and names(decision) == ["entry"]
    assert "Zed" in small.answer("did acme buy globex to get into ruritania?").text
    assert decide(small, "when did acme buy globex").rule == "outside"  # asked, not claimed
    assert decide(small, "did acme also buy globex?").rule == "outside"  # another deal, not this one


@pytest.mark.usefixtures("confident")
def test_a_figure_of_the_article_claimed_of_a_wrong_company_is_set_right_by_the_fact_holding_it(small: Engine) -> None:
    # Class 3 with class 1: no name of the article's is said, but the figure quoted is the article's.
    decision = decide(small, "globex grew revenue 144%, right?")
    assert decision.kind is Kind.ANSWER and names(decision) == ["revenue"]
    assert decide(small, "how much did globex grow revenue").rule == "outside"  # asked, not claimed


@pytest.mark.usefixtures("confident")
def test_a_year_the_article_has_nothing_for_is_declined_unless_a_claim_about_an_event_puts_it(small: Engine) -> None:
    assert decide(small, "what was bolt's revenue in 2010").rule == "other_year"
    assert decide(small, "what was bolt's revenue in 2010", without="other_time").kind is Kind.ANSWER
    claim = decide(small, "did acme enter ruritania in 2010?")
    assert claim.kind is Kind.ANSWER and names(claim) == ["entry"]


@pytest.mark.usefixtures("confident")
def test_what_the_article_never_gives_is_declined(small: Engine) -> None:
    assert decide(small, "who is acme's ceo").rule == "unsupported"
    assert decide(small, "what is bolt's profit").kind is Kind.DECLINE
    assert decide(small, "what is bolt's profit", without="unsupported").kind is Kind.ANSWER


@pytest.mark.usefixtures("confident")
def test_an_unsupported_word_offered_as_an_alternative_is_not_what_is_asked(small: Engine) -> None:
    decision = decide(small, "was bolt's 144% revenue or profit?")
    assert decision.kind is Kind.ANSWER and names(decision) == ["revenue"]


@pytest.mark.usefixtures("doubtful")
def test_a_figure_quoted_back_leads_to_the_fact_that_holds_it(small: Engine) -> None:
    decision = decide(small, "what's the $9 billion about?")
    assert decision.rule == "quoted" and names(decision) == ["wealth"]
    assert decide(small, "what's the $9 billion about?", without="quoted").kind is Kind.DECLINE


@pytest.mark.usefixtures("doubtful")
def test_a_phrase_quoted_back_leads_to_the_fact_that_holds_it(small: Engine) -> None:
    decision = decide(small, "'local giant' - who?")
    assert decision.rule == "quoted" and names(decision) == ["rival"]


@pytest.mark.usefixtures("doubtful")
def test_a_quoted_figure_with_a_different_attribute_answers_both(small: Engine) -> None:
    reply = small.answer("bolt's founder is worth 144%?")
    assert reply.kind is Kind.ANSWER
    assert "$9 billion" in reply.text and "144%" in reply.text


def test_a_name_alone_gets_what_the_article_says_of_it(small: Engine) -> None:
    decision = decide(small, "zed?")
    assert decision.rule == "profile" and decision.profile == "zed"
    assert decide(small, "zed?", without="profile").rule != "profile"


def test_words_the_article_never_uses_and_no_name_of_it_are_declined(small: Engine) -> None:
    assert decide(small, "what is the capital of france").kind is Kind.DECLINE


def test_no_fitting_reading_is_a_decline(small: Engine) -> None:
    assert decide(small, "how many gadgets did qux sell").rule == "no_fit"


@pytest.mark.usefixtures("doubtful")
def test_a_question_in_the_very_words_of_a_template_is_answered_whatever_the_model_says(small: Engine) -> None:
    decision = decide(small, "When does the kiosk open?")
    assert decision.rule == "exact" and names(decision) == ["kiosk"]
    assert decide(small, "When does the kiosk open?", without="exact").kind is Kind.DECLINE


def test_the_model_decides_what_no_rule_does(small: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fitted, "TREES", ())
    question = "acme kiosk gadgets soon?"
    monkeypatch.setattr(fitted, "PRIOR", 10.0)
    assert decide(small, question).rule == "answer"
    monkeypatch.setattr(fitted, "PRIOR", -10.0)
    assert decide(small, question).rule == "low_confidence"


@pytest.mark.usefixtures("confident")
def test_several_questions_in_one_message_are_answered_in_order(small: Engine) -> None:
    reply = small.answer("when did acme enter ruritania and when does the kiosk open?")
    assert reply.kind is Kind.ANSWER
    assert reply.text.index("2004") < reply.text.index("May 5")


@pytest.mark.usefixtures("confident")
def test_a_pronoun_in_a_later_part_refers_to_one_of_the_names_before_it(small: Engine) -> None:
    reply = small.answer("who did acme buy, and when does it open the kiosk?")
    assert "Zed" in reply.text and "May 5" in reply.text


@pytest.mark.usefixtures("confident")
def test_a_role_word_refers_to_the_one_person_it_fits(small: Engine) -> None:
    assert names(decide(small, "how rich is the founder?")) == ["wealth"]
    assert decide(small, "how rich is acme?").kind is Kind.DECLINE  # the founder's worth is not Acme's


@pytest.mark.usefixtures("confident")
def test_a_who_question_is_answered_by_a_fact_naming_someone_it_does_not(small: Engine) -> None:
    assert names(decide(small, "qux was fought by who")) == ["rival"]


def test_every_rule_is_in_the_order_the_module_documents() -> None:
    assert PART_RULES == ("outside", "unsupported", "quoted", "profile", "other_time", "exact")


def test_tiny_data_is_valid(tmp_path: Path) -> None:
    engine = tiny.engine(tmp_path)
    assert {i.name for i in engine.intents} == {"entry", "rival", "kiosk", "revenue", "wealth"}


def test_close_readings_the_model_is_unsure_of_are_asked_about(small: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fitted, "TREES", ())
    monkeypatch.setattr(fitted, "PRIOR", 0.0)  # confidence 0.5: between CLARIFY_AT and ANSWER_AT
    monkeypatch.setattr(fitted, "CLARIFY_AT", 0.4)
    monkeypatch.setattr(fitted, "ANSWER_AT", 0.6)
    decision = decide(small, "acme fought and bought")
    assert decision.kind is Kind.CLARIFY
    assert len(decision.matches) >= 2


def test_the_classifier_reading_is_weighed_beside_the_matcher_one(small: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A model that answers a reading exactly when the classifier reads the question as it.
    monkeypatch.setattr(fitted, "FEATURES", ("margin",))
    monkeypatch.setattr(fitted, "PRIOR", 0.0)
    monkeypatch.setattr(fitted, "TREES", (((0, 0.0, 1, 2, 0.0), (-1, 0.0, -1, -1, -5.0), (-1, 0.0, -1, -1, 5.0)),))
    question = "bolt worth grow"
    matcher_first = decide(small, question).candidate[0].intent.name
    other = next(n for n in ("revenue", "wealth") if n != matcher_first)
    vocabulary = [WORD_MARK + "worth", WORD_MARK + "grow"]
    scaled = array("f", [1.0 if name == other else -1.0 for _ in vocabulary for name in (matcher_first, other)])
    monkeypatch.setattr(
        small.decider, "classifier", Classifier([matcher_first, other], vocabulary, [1.0, 1.0], scaled, [0.0, 0.0])
    )
    decision = decide(small, question)
    assert decision.kind is Kind.ANSWER and names(decision) == [other]
    monkeypatch.setattr(small.decider, "_classifier_reading", lambda *_: None)
    assert decide(small, question).kind is not Kind.ANSWER
