"""Live reload: a valid reload swaps the engine whole; an invalid one keeps the old engine and says why."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.engine import Engine
from bot.models import Kind
from bot.reload import LiveEngine, summary
from tests.conftest import replace_in

NEW_QUESTION = "zorblat quux frobnicate"
LAST_TEMPLATE = "      - what was the exact year amazon entered china\n"


async def test_a_reload_with_a_new_template_answers_the_new_question_and_tells_the_listeners(data_copy: Path) -> None:
    live = LiveEngine(Engine.load(data_copy), data_copy)
    old = live.engine
    assert old.answer(NEW_QUESTION).kind is Kind.DECLINE
    swaps: list[tuple[Engine, Engine]] = []
    live.subscribe(lambda before, after: swaps.append((before, after)))
    replace_in(data_copy / "intents.yaml", LAST_TEMPLATE, LAST_TEMPLATE + f"      - {NEW_QUESTION}\n")

    outcome = await live.reload_async()
    assert outcome.ok
    assert outcome.message == f"Reloaded {data_copy}: {summary(live.engine)}"
    assert live.engine is not old
    assert live.engine.answer(NEW_QUESTION).intent == "amazon_entry"
    assert swaps == [(old, live.engine)]
    assert old.answer(NEW_QUESTION).kind is Kind.DECLINE  # the old engine is untouched: in-flight questions finish on it


async def test_invalid_data_keeps_the_old_engine_and_names_file_key_and_problem_as_check_does(data_copy: Path) -> None:
    live = LiveEngine(Engine.load(data_copy), data_copy)
    old = live.engine
    replace_in(data_copy / "intents.yaml", "handler: fact", "handler: no_such_handler")
    outcome = await live.reload_async()
    assert not outcome.ok
    assert outcome.message.startswith("Reload failed; still serving the previous data. data error: intents.yaml: ")
    assert "no_such_handler" in outcome.message
    assert live.engine is old


def test_answering_while_reloading_never_fails_and_ends_on_the_new_engine(data_copy: Path) -> None:
    live = LiveEngine(Engine.load(data_copy), data_copy)
    replace_in(data_copy / "intents.yaml", LAST_TEMPLATE, LAST_TEMPLATE + f"      - {NEW_QUESTION}\n")
    kinds: set[Kind] = set()
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            kinds.add(live.engine.answer(NEW_QUESTION).kind)  # one read of live.engine per question

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        for _ in range(3):
            assert live.reload().ok
    finally:
        stop.set()
        asker.join()
    assert kinds <= {Kind.DECLINE, Kind.ANSWER}
    assert live.engine.answer(NEW_QUESTION).kind is Kind.ANSWER


async def test_a_broken_quiz_yaml_keeps_the_old_quiz_and_a_fixed_one_brings_its_questions(data_copy: Path) -> None:
    live = LiveEngine(Engine.load(data_copy), data_copy)
    old = live.engine
    quiz = data_copy / "quiz.yaml"
    replace_in(quiz, 'answer: "Colin Huang"', 'answer: "Jack Ma"')
    outcome = await live.reload_async()
    assert not outcome.ok
    assert "data error: quiz.yaml: questions[0].answer: 'Jack Ma' is not in fact 'founder'" in outcome.message
    assert live.engine is old
    replace_in(quiz, 'answer: "Jack Ma"', 'answer: "Colin Huang"')
    replace_in(quiz, '"Who founded Pinduoduo?"', '"Who is the founder of Pinduoduo?"')
    assert (await live.reload_async()).ok
    assert "Who is the founder of Pinduoduo?" in {item.question for item in live.engine.quiz.items}
