"""Any input gets a valid Reply, never an exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Context, Engine
from bot.models import Kind, Reply

_pieces = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "<@123>",
            "<@!9>",
            "<#1>",
            "<@&2>",
            "<:pdd:42>",
            "@everyone",
            "@here",
            "**",
            "```",
            "`",
            "> ",
            "||",
            "https://x.y/z",
            "🤔",
            "💀",
            "\u200b",
            "\n",
        ]
    ),
    st.sampled_from(["pdd", "amazon", "when", "revenue", "2015", "q4", "how much", "joyo", "?", "tmall", "who", "colin"]),
)
_messages = st.lists(_pieces, max_size=40).map(" ".join).map(lambda s: s[:4000])


def _valid(reply: Reply, engine: Engine) -> None:
    assert isinstance(reply.kind, Kind)
    assert 0 <= reply.confidence <= 100
    assert reply.text
    if reply.kind is Kind.ANSWER:
        assert reply.citations
        assert all(engine.knowledge.article.contains(c.paragraph, c.quote) for c in reply.citations)
    else:
        assert not reply.citations


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_messages)
def test_any_message_gets_a_valid_reply(engine: Engine, text: str) -> None:
    _valid(engine.answer(text), engine)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=3000, max_size=4000))
def test_long_unicode_messages_get_a_valid_reply(engine: Engine, text: str) -> None:
    _valid(engine.answer(text), engine)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_messages, second=_messages)
def test_follow_ups_with_any_context_get_a_valid_reply(engine: Engine, first: str, second: str) -> None:
    reply = engine.answer(first)
    _valid(engine.answer(second, Context.after(reply)), engine)
