from bot.engine import Engine
from bot.models import Intent, Kind


def intent(engine: Engine, name: str) -> Intent:
    return next(i for i in engine.intents if i.name == name)


def test_each_guard_names_why_an_intent_is_ruled_out(engine: Engine) -> None:
    misfit = engine.decider.misfit
    alibaba_revenue = engine.analyzer.analyze("what is alibaba's revenue")
    assert misfit(intent(engine, "q3_revenue"), alibaba_revenue, frozenset({"alibaba"}), frozenset({"alibaba"})) == "entity"
    rich = engine.analyzer.analyze("how rich is he")
    assert misfit(intent(engine, "founder_wealth"), rich, frozenset(), frozenset()) == "requires"
    in_dollars = engine.analyzer.analyze("pdd gmv in dollars")
    assert misfit(intent(engine, "q3_gmv"), in_dollars, frozenset({"pinduoduo"}), frozenset({"pinduoduo"})) == "slot"
    paid = engine.analyzer.analyze("how much did amazon pay for joyo")
    assert (
        misfit(intent(engine, "amazon_entry"), paid, frozenset({"amazon", "joyo"}), frozenset({"amazon", "joyo"}))
        == "question type"
    )


def test_a_strong_reading_the_guards_rule_out_vetoes_weaker_ones(engine: Engine) -> None:
    reading = engine.analyzer.analyze("who founded joyo")
    decision = engine.decider.decide(reading, reading.entities, reading.entities)
    assert decision.kind is Kind.DECLINE


def test_two_questions_in_one_message_get_two_readings(engine: Engine) -> None:
    reading = engine.analyzer.analyze("colin huang net worth vs pdd revenue")
    decision = engine.decider.decide(reading, reading.entities, reading.entities)
    assert decision.kind is Kind.ANSWER
    assert [m.intent.name for m in decision.matches] == ["founder_wealth", "q3_revenue"]


def test_a_second_reading_must_be_about_the_names_asked_about(engine: Engine) -> None:
    reading = engine.analyzer.analyze("when did amazon close its tmall store")
    decision = engine.decider.decide(reading, reading.entities, reading.entities)
    assert all(m.intent.name != "popup_store" for m in decision.matches)


def test_near_ties_with_different_answers_ask_which_was_meant(engine: Engine) -> None:
    reading = engine.analyzer.analyze("amazon pinduoduo store")
    decision = engine.decider.decide(reading, reading.entities, reading.entities)
    assert decision.kind is Kind.CLARIFY
    assert len(decision.matches) >= 2
