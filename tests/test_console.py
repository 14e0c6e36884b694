import io
from pathlib import Path

from bot.console import chat
from bot.engine import Engine
from bot.quiz import LETTERS, draw, question_text
from bot.reload import LiveEngine
from tests.conftest import replace_in


def run(engine: Engine, text: str) -> str:
    out = io.StringIO()
    assert chat(engine, io.StringIO(text), out) == 0
    return out.getvalue()


def test_chat_answers_questions_and_mirrors_the_slash_commands(engine: Engine) -> None:
    out = run(engine, "when did amazon leave china\n/timeline 2015\n/facts Joyo\n/source 3\n/help\n")
    assert "April 2019" in out
    assert "happened in 2015" in out
    assert "about Joyo" in out
    assert "Paragraph 3" in out
    assert "You could ask:" in out


def test_chat_ends_cleanly_on_quit_or_end_of_input(engine: Engine) -> None:
    assert run(engine, "/quit\nwhen did amazon leave china\n").rstrip().endswith("bye")
    assert run(engine, "").rstrip().endswith("bye")


def test_chat_remembers_the_subject_for_follow_ups(engine: Engine) -> None:
    out = run(engine, "who founded pinduoduo\nhow rich is he\n")
    assert "$17 billion" in out


def test_an_unknown_command_says_so_and_points_to_help(engine: Engine) -> None:
    out = run(engine, "/frobnicate now\n")
    assert "/frobnicate: unknown command, try /help" in out
    assert "You could ask" not in out  # not answered as a question


def test_facts_without_a_topic_lists_the_topics(engine: Engine) -> None:
    out = run(engine, "/facts\n")
    assert "Topics:" in out
    for _, name in engine.topics:
        assert name in out


def test_source_without_a_number_lists_the_paragraphs_with_their_opening_words(engine: Engine) -> None:
    out = run(engine, "/source\n")
    paragraphs = engine.knowledge.article.paragraphs
    assert f"title  {paragraphs[0]}" in out
    for number in range(1, len(paragraphs)):
        assert f"{number}  {' '.join(paragraphs[number].split())[:30]}" in out


def test_odd_numbers_in_commands_get_a_reply_not_a_traceback(engine: Engine) -> None:
    out = run(engine, "/source ²\n/source 999\n/timeline ٢٠١٥\n/timeline 1999\n")
    assert "/source takes a paragraph number" in out
    assert f"paragraphs 1 to {engine.paragraph_count}" in out
    assert "/timeline takes a year: one of 2004" in out
    assert "no events in 1999" in out


NEW_QUESTION = "zorblat quux frobnicate"  # nonsense the shipped data declines
LAST_TEMPLATE = "      - what was the exact year amazon entered china\n"


def test_reload_keeps_the_old_data_on_an_error_naming_the_file_and_then_swaps_in_a_new_template(data_copy: Path) -> None:
    live = LiveEngine(Engine.load(data_copy), data_copy)
    intents = data_copy / "intents.yaml"
    good = intents.read_text(encoding="utf-8")
    intents.write_text("version: 1\nintents: [\n", encoding="utf-8")
    out = run_live(live, f"/reload\n{NEW_QUESTION}\nwhen did amazon leave china\n")
    assert "Reload failed; still serving the previous data. data error: intents.yaml: line" in out
    assert "Sorry, the article doesn't say." in out
    assert "April 2019" in out

    intents.write_text(good, encoding="utf-8")
    replace_in(intents, LAST_TEMPLATE, LAST_TEMPLATE + f"      - {NEW_QUESTION}\n")
    out = run_live(live, f"/reload\n{NEW_QUESTION}\n")
    assert f"Reloaded {data_copy}: " in out
    assert "Amazon entered China in 2004" in out


def run_live(live: LiveEngine, text: str) -> str:
    out = io.StringIO()
    assert chat(live, io.StringIO(text), out) == 0
    return out.getvalue()


def test_quiz_asks_takes_a_typed_letter_and_reveals_the_answer_with_its_quote(engine: Engine) -> None:
    first, second = draw(engine.quiz, 2, seed=11)
    wrong = LETTERS[(second.right + 1) % 4]
    out = io.StringIO()
    typed = f"/quiz 2\nE\n{LETTERS[first.right].lower()}\n{wrong})\nwhen did amazon leave china\n"
    assert chat(engine, io.StringIO(typed), out, quiz_seed=11) == 0
    text = out.getvalue()
    assert "Quiz: 2 questions." in text
    assert question_text(first, 2) in text
    assert "Type A, B, C or D (or /stop to end the quiz)." in text
    assert f"Right!\nThe answer: {first.answer}\n" in text
    assert f"Not quite: you chose {wrong}.\nThe answer: {second.answer}\n" in text
    for citation in (*first.item.citations, *second.item.citations):
        where = "title" if citation.paragraph == 0 else f"paragraph {citation.paragraph}"
        assert f"  > “{citation.quote}” ({where})" in text
    assert "Quiz over: you got 1 of 2 right." in text
    assert "April 2019" in text  # the chat goes on after the quiz


def test_stop_ends_the_quiz_and_quit_or_the_end_of_input_ends_the_chat(engine: Engine) -> None:
    out = run(engine, "/quiz 3\n/stop\n/quiz\n")
    assert out.count("Quiz over. Nobody answered.") == 2
    assert "Quiz: 5 questions." in out
    assert out.rstrip().endswith("bye")
    quit_early = run(engine, "/quiz\n/quit\nwhen did amazon leave china\n")
    assert quit_early.rstrip().endswith("bye")
    assert "agonizing decision to exit the market" not in quit_early  # the answer's quote: the question was never read
