"""render: plain text, and Discord's limits on embeds, buttons and messages, for any reply."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.models import Citation, Kind, Reply
from bot.quiz import Outcome, Question, QuizItem, Standing

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=7000)
short = st.text(max_size=300)
citations = st.builds(Citation, paragraph=st.integers(0, 60), quote=st.text(min_size=1, max_size=2500))
replies = st.builds(
    Reply,
    kind=st.sampled_from(Kind),
    intent=st.none() | st.text(max_size=30),
    confidence=st.integers(0, 100),
    text=texts,
    citations=st.lists(citations, max_size=40).map(tuple),
    suggestions=st.lists(short, max_size=15).map(tuple),
)


def answer(text: str = "Amazon entered China in 2004.", *cited: Citation) -> Reply:
    return Reply(Kind.ANSWER, "entry", 93, text, cited or (Citation(1, "entering the country in 2004"),))


def test_to_text_quotes_citations_with_paragraph_numbers_and_lists_suggestions() -> None:
    reply = Reply(Kind.CLARIFY, None, 50, "Which one?", (Citation(0, "Title words"), Citation(2, "a quote")), ("A?", "B?"))
    assert render.to_text(reply) == (
        "Which one?\n  > “Title words” (title)\n  > “a quote” (paragraph 2)\nDid you mean:\n  - A?\n  - B?"
    )


def test_truncate_cuts_with_an_ellipsis_only_when_needed() -> None:
    assert render.truncate("short", 10) == "short"
    assert render.truncate("a longer sentence", 8) == "a longe…"
    assert len(render.truncate("x" * 5000, 4096)) == 4096


def test_an_answer_embed_has_the_text_a_verbatim_quote_per_paragraph_and_the_confidence() -> None:
    reply = answer("Amazon entered China in 2004.", Citation(1, "first quote"), Citation(1, "second quote"), Citation(3, "third"))
    (embed,) = render.to_embeds(reply, title="When did Amazon enter China?")
    assert embed["title"] == "When did Amazon enter China?"
    assert embed["description"] == "Amazon entered China in 2004."
    assert embed["fields"] == [
        {"name": "Paragraph 1", "value": "> first quote\n\n> second quote", "inline": False},
        {"name": "Paragraph 3", "value": "> third", "inline": False},
    ]
    assert embed["footer"] == {"text": "Confidence 93%"}
    assert embed["color"] == render.COLOURS[Kind.ANSWER]


def test_small_talk_has_no_confidence_footer_and_the_title_is_named_title() -> None:
    (embed,) = render.to_embeds(Reply(Kind.CHAT, None, 100, "Hi!", (Citation(0, "Headline"),)))
    assert "footer" not in embed
    assert embed["fields"][0]["name"] == "Title"


def test_a_text_longer_than_one_description_goes_on_in_a_second_embed() -> None:
    text = "\n\n".join(f"Paragraph number {i} " + "word " * 80 for i in range(12))
    embeds = render.to_embeds(answer(text))
    assert len(embeds) == 2
    assert "fields" in embeds[-1]
    assert embeds[-1]["footer"]["text"].startswith("Confidence")
    assert sum(render.embed_length(e) for e in embeds) <= render.EMBED_TOTAL_LIMIT


def test_citations_that_do_not_fit_are_counted_not_dropped_silently() -> None:
    many = tuple(Citation(p, f"quote {p} " + "x" * 900) for p in range(1, 40))
    (embed,) = render.to_embeds(answer("Short.", *many))
    assert embed["fields"][-1]["name"] == "More sources"
    shown = len(embed["fields"]) - 1
    assert f"{len(many) - shown} more citations" in embed["fields"][-1]["value"]


@settings(max_examples=300, deadline=None)
@given(replies, st.none() | st.text(max_size=400))
def test_embeds_fit_every_discord_limit_for_any_reply(reply: Reply, title: str | None) -> None:
    embeds = render.to_embeds(reply, title=title)
    assert 1 <= len(embeds) <= render.EMBEDS_PER_MESSAGE
    assert sum(render.embed_length(e) for e in embeds) <= render.EMBED_TOTAL_LIMIT
    for embed in embeds:
        assert len(embed.get("title", "")) <= render.EMBED_TITLE_LIMIT
        assert len(embed.get("description", "")) <= render.EMBED_DESCRIPTION_LIMIT
        assert len(embed.get("fields", [])) <= render.EMBED_FIELD_COUNT_LIMIT
        for field in embed.get("fields", []):
            assert 0 < len(field["name"]) <= render.EMBED_FIELD_NAME_LIMIT
            assert 0 < len(field["value"]) <= render.EMBED_FIELD_VALUE_LIMIT
        assert len(embed.get("footer", {}).get("text", "")) <= render.EMBED_FOOTER_LIMIT


@settings(max_examples=300, deadline=None)
@given(replies)
def test_buttons_fit_discords_limits_and_their_ids_are_unique(reply: Reply) -> None:
    buttons = render.buttons(reply)
    rows: dict[int, int] = {}
    for button in buttons:
        assert 1 <= len(button.label) <= render.BUTTON_LABEL_LIMIT
        assert "\n" not in button.label
        assert len(button.custom_id) <= render.CUSTOM_ID_LIMIT
        rows[button.row] = rows.get(button.row, 0) + 1
    assert all(count <= render.BUTTONS_PER_ROW for count in rows.values())
    assert all(0 <= row < render.ROWS_PER_MESSAGE for row in rows)
    assert len({b.custom_id for b in buttons}) == len(buttons)
    assert len(buttons) <= render.ROWS_PER_MESSAGE * render.BUTTONS_PER_ROW


def test_every_answer_gets_a_show_source_button_and_suggestions_come_first() -> None:
    assert [(b.action, b.label, b.custom_id) for b in render.buttons(answer())] == [("source", "Show source", "qa:source:1")]
    clarify = Reply(Kind.CLARIFY, None, 50, "Which?", (), ("When did Amazon leave China?", "Why did Amazon leave China?"))
    buttons = render.buttons(clarify)
    assert [b.value for b in buttons] == list(clarify.suggestions)
    assert {b.row for b in buttons} == {0}
    timeline = answer("Events", Citation(1, "a"), Citation(2, "b"), Citation(1, "c"))
    assert [b.label for b in render.buttons(timeline)] == ["Source: paragraph 1", "Source: paragraph 2"]


def test_a_long_suggestion_keeps_its_words_in_the_custom_id() -> None:
    question = "What did Amazon's representative say in the official statement about the cross-border store " * 2
    (button,) = render.buttons(Reply(Kind.DECLINE, None, 0, "No.", (), (question,)))
    assert len(button.label) == render.BUTTON_LABEL_LIMIT
    assert button.label.endswith("…")
    assert button.custom_id == (render.ASK_PREFIX + question.strip())[: render.CUSTOM_ID_LIMIT]


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(1, 2500))
def test_split_text_keeps_every_word_in_pieces_within_the_limit(text: str, limit: int) -> None:
    pieces = render.split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert re.sub(r"\s+", "", "".join(pieces)) == re.sub(r"\s+", "", text)


def test_split_text_prefers_paragraph_then_line_then_word_breaks() -> None:
    assert render.split_text("aaa bbb\n\nccc", 9) == ["aaa bbb", "ccc"]
    assert render.split_text("aaa\nbbb ccc", 9) == ["aaa", "bbb ccc"]
    assert render.split_text("aaa bbb ccc", 9) == ["aaa bbb", "ccc"]
    assert render.split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_plain_text_messages_stay_within_2000_characters() -> None:
    reply = answer("word " * 1000, *(Citation(p, "quote " * 100) for p in range(5)))
    messages = render.to_messages(reply)
    assert len(messages) > 1
    assert all(len(m) <= render.CONTENT_LIMIT for m in messages)


def test_about_names_the_article_and_where_the_facts_come_from() -> None:
    (embed,) = render.about_embeds(article_title="Headline", paragraph_count=4, topics=["Amazon", "JD"], years=[2004, 2019])
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Article"] == "“Headline”"
    assert "4 paragraphs" in fields["Where the facts come from"]
    assert fields["Years covered"] == "2004–2019"


def test_cooldown_notice_rounds_up_to_whole_seconds() -> None:
    assert render.cooldown_text(0.2).endswith("about 1 s.")
    assert render.cooldown_text(12.01).endswith("about 13 s.")


def test_with_image_shows_an_attachment_at_the_bottom_of_the_last_embed_only() -> None:
    long = answer("x " * 3000)
    embeds = render.to_embeds(long)
    assert len(embeds) == 2
    shown = render.with_image(embeds, "timeline.png")
    assert shown[-1]["image"] == {"url": "attachment://timeline.png"}
    assert "image" not in shown[0] and "image" not in embeds[-1]  # the input is left as it was
    assert render.with_image([], "timeline.png") == []


def test_votes_share_the_source_row_when_it_has_room_and_take_their_own_row_otherwise() -> None:
    one_source = Reply(Kind.ANSWER, "x", 90, "text", (Citation(1, "q"),))
    specs = render.buttons(one_source, vote_on=42)
    assert [(s.action, s.row, s.emoji) for s in specs] == [("source", 0, None), ("vote", 0, "👍"), ("vote", 0, "👎")]
    assert [s.custom_id for s in specs[1:]] == ["qa:vote:up:42", "qa:vote:down:42"]

    four_sources = Reply(Kind.ANSWER, "x", 90, "text", tuple(Citation(p, "q") for p in range(1, 5)))
    assert {s.row for s in render.buttons(four_sources, vote_on=42) if s.action == "vote"} == {1}
    bare = Reply(Kind.ANSWER, "x", 90, "text")
    assert [(s.action, s.row) for s in render.buttons(bare, vote_on=42)] == [("vote", 0), ("vote", 0)]
    assert all(s.action != "vote" for s in render.buttons(one_source))


@given(replies)
@settings(max_examples=200, deadline=None)
def test_with_votes_the_buttons_still_fit_discords_limits(reply: Reply) -> None:
    specs = render.buttons(reply, vote_on=2**63 - 1)
    assert max(s.row for s in specs) < render.ROWS_PER_MESSAGE
    for row in {s.row for s in specs}:
        assert sum(1 for s in specs if s.row == row) <= render.BUTTONS_PER_ROW
    assert all(len(s.custom_id) <= render.CUSTOM_ID_LIMIT for s in specs)
    assert len({s.custom_id for s in specs}) == len(specs)


def test_a_vote_is_thanked_once_and_a_change_is_named() -> None:
    assert "recorded" in render.vote_thanks(1, None)
    assert render.vote_thanks(-1, 1) == "Changed your vote on this answer to 👎."
    assert "already" in render.vote_thanks(1, 1)


# -- the quiz ------------------------------------------------------------------------------

QUIZ_ITEM = QuizItem(
    "entry:2004",
    "Amazon entered China in ▁▁▁▁▁.",
    "2004",
    "entry",
    (Citation(1, "in 2004"),),
    "year",
    ("2015",),
    ("2003", "2005"),
)
QUIZ_QUESTION = Question(1, QUIZ_ITEM, ("2003", "2004", "2015", "2005"), 1)


def fits(embeds: list[render.Embed]) -> bool:
    return sum(render.embed_length(e) for e in embeds) <= render.EMBED_TOTAL_LIMIT and all(
        len(e.get("description", "")) <= render.EMBED_DESCRIPTION_LIMIT
        and all(len(f["value"]) <= render.EMBED_FIELD_VALUE_LIMIT for f in e.get("fields", []))
        for e in embeds
    )


@given(st.text(max_size=200))
def test_a_display_name_never_carries_markdown_a_mention_or_a_second_line(name: str) -> None:
    shown = render.plain_name(name)
    assert "\n" not in shown and 0 < len(shown) <= 2 * 32
    assert re.search(r"(?<!\\)[*_~|`>\[\]<@]", shown) is None


def test_plain_name_escapes_what_discord_would_format() -> None:
    assert render.plain_name("**@everyone** <@123>") == r"\*\*\@everyone\*\* \<\@123\>"


def test_a_reveal_for_hundreds_of_right_answers_stays_within_discords_limits() -> None:
    answers = tuple((n, f"Player_{n} with a long *name*", True) for n in range(500))
    embeds = render.quiz_reveal_embeds(Outcome(QUIZ_QUESTION, answers, everyone=False), "Amazon entered China in 2004." * 50)
    assert fits(embeds)
    text = "\n".join(e.get("description", "") for e in embeds)
    assert "Right (500 of 500): Player\\_0 with a long \\*name\\*, " in text
    assert re.search(r"and \d+ more", text)
    assert embeds[-1]["fields"][0] == {"name": "Paragraph 1", "value": "> in 2004", "inline": False}


def test_a_question_lists_its_options_and_counts_down_to_its_close() -> None:
    (embed,) = render.quiz_question_embeds(QUIZ_QUESTION, 5, closes_at=1_700_000_000.2)
    assert embed["title"] == "Question 1 of 5: fill in the blank"
    assert "**A.** 2003\n**B.** 2004\n**C.** 2015\n**D.** 2005" in embed["description"]
    assert embed["description"].endswith("Closes <t:1700000001:R>.")
    (closed,) = render.quiz_question_embeds(QUIZ_QUESTION, 5, closes_at=None)
    assert closed["description"].endswith("**D.** 2005\n\nClosed.")


def test_a_scoreboard_shows_ten_players_and_counts_the_rest() -> None:
    standings = [Standing(n + 1, f"P{n}", 10 - n % 10, 10) for n in range(25)]
    (embed,) = render.quiz_scoreboard_embeds(standings, asked=10, ending="That was the last question.", footer_text=None)
    assert embed["description"].count("\n**") == 10  # after the ending's blank line, ten players
    assert embed["description"].endswith("…and 15 more")
    assert "footer" not in embed
