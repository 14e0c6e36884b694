"""Answers in channels, end to end: the real bot over loopback against the stand-in."""

from __future__ import annotations

from bot import render
from bot.engine import Engine
from bot.knowledge import fold_space
from bot.models import Kind
from tests.discord.discord_harness import Running, StartBot, assert_pings_nobody, assert_within_limits, quoted
from tests.discord.discord_standin import (
    ALICE,
    BOB,
    BOT_ROLE,
    BOT_USER,
    CAROL,
    DM_CHANNEL,
    LISTED_CHANNEL,
    NO_EMBED_CHANNEL,
    OTHER_BOT,
    QUIET_CHANNEL,
)

CLARIFY_CANDIDATES = (
    "amazon store",
    "store",
    "amazon shop",
    "and the gmv number?",
    "store start/end",
    "amzn x alibaba popup?",
    "brb. amzn exit yr?",
)


async def test_question_in_listed_channel_gets_embed_with_verbatim_citation_and_pings_nobody(
    bot: Running, engine: Engine
) -> None:
    fake = bot.fake
    since = fake.mark()
    message_id, _ = await fake.send_message("when did amazon first enter china?")
    reply = await fake.wait_for("message", since=since)

    assert reply.channel_id == LISTED_CHANNEL
    assert reply.message["message_reference"]["message_id"] == message_id
    assert_pings_nobody(reply)
    assert_within_limits(reply)
    (embed,) = reply.embeds
    assert "2004" in embed["description"]
    assert "Joyo" in embed["description"]
    assert embed["footer"]["text"].startswith("Confidence ")
    quotes = quoted(reply)
    assert quotes
    paragraphs = engine.knowledge.article.paragraphs
    for paragraph, quote in quotes:
        assert fold_space(quote) in fold_space(paragraphs[paragraph])
    assert [(b.get("label"), b.get("emoji", {}).get("name")) for b in reply.buttons] == [
        ("Show source", None),
        (None, "👍"),
        (None, "👎"),
    ]
    assert {b["custom_id"] for b in reply.buttons[1:]} == {f"qa:vote:up:{message_id}", f"qa:vote:down:{message_id}"}
    bot.assert_healthy()


async def test_unmentioned_message_outside_listed_channels_is_ignored_but_a_mention_is_answered(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("when did amazon leave china?", channel_id=QUIET_CHANNEL)
    mentioned, _ = await fake.send_message(
        f"<@{BOT_USER['id']}> when did amazon leave china?", channel_id=QUIET_CHANNEL, mentions=[BOT_USER]
    )
    reply = await fake.wait_for("message", since=since)
    assert reply.message["message_reference"]["message_id"] == mentioned
    assert "2019" in reply.text
    assert len(fake.made("message", since=since)) == 1
    bot.assert_healthy()


async def test_mentioning_the_bots_role_counts_as_a_mention(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message(f"<@&{BOT_ROLE}> who founded pinduoduo?", channel_id=QUIET_CHANNEL, mention_roles=[BOT_ROLE])
    reply = await fake.wait_for("message", since=since)
    assert "Colin Huang" in reply.text
    bot.assert_healthy()


async def test_direct_message_is_answered(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    message_id, _ = await fake.send_message("how rich is colin huang?", channel_id=DM_CHANNEL)
    reply = await fake.wait_for("message", since=since)
    assert reply.channel_id == DM_CHANNEL
    assert reply.message["message_reference"]["message_id"] == message_id
    assert "17 billion" in reply.text
    assert_pings_nobody(reply)
    bot.assert_healthy()


async def test_everyone_in_a_question_notifies_nobody_and_is_not_a_mention_of_the_bot(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("@everyone when did amazon exit china?", channel_id=QUIET_CHANNEL, mention_everyone=True)
    await fake.send_message("@everyone @here when did amazon exit china?", mention_everyone=True)
    reply = await fake.wait_for("message", since=since)
    assert reply.channel_id == LISTED_CHANNEL
    assert_pings_nobody(reply)
    assert "2019" in reply.text
    assert len(fake.made("message", since=since)) == 1
    bot.assert_healthy()


async def test_bots_webhooks_itself_system_and_empty_messages_are_ignored(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("when did amazon enter china?", author=OTHER_BOT)
    await fake.send_message("when did amazon enter china?", author=ALICE, webhook_id=fake.new_id())
    await fake.send_message("when did amazon enter china?", author=BOT_USER)
    await fake.send_message("", author=ALICE)
    await fake.send_message("   ", author=BOB)
    await fake.send_message("when did amazon enter china?", author=CAROL, message_type=7)  # a member joined
    last, _ = await fake.send_message("how old is pinduoduo?", author=CAROL)
    reply = await fake.wait_for("message", since=since)
    assert reply.message["message_reference"]["message_id"] == last
    assert len(fake.made("message", since=since)) == 1
    bot.assert_healthy()


async def test_clarify_offers_suggestions_as_buttons_and_a_click_answers_that_question(bot: Running, engine: Engine) -> None:
    question = next((q for q in CLARIFY_CANDIDATES if engine.answer(q).kind is Kind.CLARIFY), None)
    assert question is not None, "none of the candidate questions gets a clarify reply any more"
    fake = bot.fake
    since = fake.mark()
    await fake.send_message(question)
    reply = await fake.wait_for("message", since=since)
    assert_within_limits(reply)
    suggestions = engine.answer(question).suggestions
    asks = [b for b in reply.buttons if b["custom_id"].startswith(render.ASK_PREFIX)]
    assert [b["label"] for b in asks] == [render.button_label(s) for s in suggestions]

    since = fake.mark()
    await fake.click(reply.created_id, asks[0]["custom_id"], author=BOB)
    answer = await fake.wait_for("callback", since=since)
    assert answer.body["type"] == 4
    assert not answer.ephemeral
    assert_pings_nobody(answer)
    expected = engine.answer(suggestions[0])
    assert answer.embeds[0]["title"] == suggestions[0]
    assert answer.embeds[0]["description"] == expected.text
    assert answer.authorization is None
    bot.assert_healthy()


async def test_decline_is_polite_and_offers_questions_as_buttons(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("what is alibaba's revenue?")
    reply = await fake.wait_for("message", since=since)
    assert "doesn't say" in reply.text or "doesn't cover" in reply.text
    asks = [b for b in reply.buttons if b["custom_id"].startswith(render.ASK_PREFIX)]
    assert 2 <= len(asks) <= 3
    assert not [b for b in reply.buttons if b["custom_id"].startswith(render.SOURCE_PREFIX)]
    bot.assert_healthy()


async def test_show_source_button_quotes_the_cited_paragraph_ephemerally(bot: Running, engine: Engine) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("when does the pinduoduo store launch?")
    reply = await fake.wait_for("message", since=since)
    (source,) = [b for b in reply.buttons if b["custom_id"].startswith(render.SOURCE_PREFIX)]
    paragraph = int(source["custom_id"].removeprefix(render.SOURCE_PREFIX))

    since = fake.mark()
    await fake.click(reply.created_id, source["custom_id"], author=BOB)
    shown = await fake.wait_for("callback", since=since)
    assert shown.ephemeral
    assert_pings_nobody(shown)
    text = fold_space(engine.knowledge.article.paragraphs[paragraph])
    assert any(fold_space(quote) == text for _, quote in quoted(shown))
    bot.assert_healthy()


async def test_long_answers_stay_within_discords_limits(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message("amazon")
    await fake.send_message("what happened, in order?", author=BOB)
    for request in [await fake.wait_for("message", since=since), await fake.wait_for("message", since=since + 1)]:
        assert_within_limits(request)
        assert_pings_nobody(request)
    bot.assert_healthy()


async def test_without_embed_links_the_answer_comes_as_text(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.send_message(f"<@{BOT_USER['id']}> tl;dr", channel_id=NO_EMBED_CHANNEL, mentions=[BOT_USER])
    reply = await fake.wait_for("message", since=since)
    assert not reply.embeds
    assert reply.message["content"]
    assert "paragraph" in reply.text
    assert_within_limits(reply)
    assert_pings_nobody(reply)
    bot.assert_healthy()


async def test_cooldown_gives_one_polite_notice_then_silence_for_messages_and_commands(start_bot: StartBot) -> None:
    running = await start_bot(cooldown_rate=2, cooldown_seconds=600.0)
    fake = running.fake
    since = fake.mark()
    asked = []
    for question in ("when did amazon enter china?", "when did it leave?", "who founded pinduoduo?", "how old is pdd?"):
        asked.append((await fake.send_message(question, author=ALICE))[0])
    bobs, _ = await fake.send_message("when did amazon enter china?", author=BOB)  # others are not held back
    await fake.wait_until(lambda: len(fake.made("message", since=since)) >= 4)
    replies = {r.message["message_reference"]["message_id"]: r for r in fake.made("message", since=since)}
    assert set(replies) == {*asked[:3], bobs}
    assert replies[asked[0]].embeds
    assert replies[asked[1]].embeds
    assert replies[bobs].embeds
    notice = replies[asked[2]]
    assert not notice.embeds
    assert "faster than I can keep up" in notice.message["content"]
    assert_pings_nobody(notice)

    since = fake.mark()
    await fake.slash("ask", question="how old is pinduoduo?", author=ALICE)
    refused = await fake.wait_for("callback", since=since)
    assert refused.ephemeral
    assert "faster than I can keep up" in refused.text
    await fake.slash("ask", question="how old is pinduoduo?", author=BOB)
    answered = await fake.wait_for("callback", since=since, where=lambda r: not r.ephemeral)
    assert "four" in answered.text
    assert not fake.made("message", since=since)
    running.assert_healthy()
