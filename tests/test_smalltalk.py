import pytest

from bot.engine import Engine


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("hey there!!", "greeting"),
        ("thanks a lot", "thanks"),
        ("what can you do", "help"),
        ("are you a bot?", "identity"),
        ("Good morning everyone, hope you all had a good weekend.", "greeting"),
        ("hi, when did amazon leave china", None),
        ("ok and the gmv number", None),
        ("thanks! and who founded pdd?", None),
    ],
)
def test_small_talk_is_told_apart_from_questions(engine: Engine, message: str, kind: str | None) -> None:
    assert engine.smalltalk.kind_of(engine.analyzer.analyze(message)) == kind
