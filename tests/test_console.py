import io

from bot.console import chat
from bot.engine import Engine


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
