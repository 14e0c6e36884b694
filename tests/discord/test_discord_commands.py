"""Slash commands and autocomplete, end to end: the real bot over loopback against the stand-in."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from bot import picture, render
from bot.engine import Engine
from bot.knowledge import Knowledge, fold_space
from tests.discord.discord_harness import Running, StartBot, assert_pings_nobody, assert_within_limits, quoted
from tests.discord.discord_standin import APP_ID, BOB, DM_CHANNEL, GUILD_ID, NO_FILES_CHANNEL, FakeDiscord, Request

COMMANDS = {"ask", "timeline", "facts", "source", "about", "help", "stats", "misses", "reload", "quiz"}


def choices(request: Request) -> list[dict[str, object]]:
    assert request.body["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    found: list[dict[str, object]] = request.body["data"]["choices"]
    return found


async def answer_to(fake: FakeDiscord, name: str, **options: Any) -> Request:
    since = fake.mark()
    await fake.slash(name, **options)
    request = await fake.wait_for("callback", since=since)
    assert request.authorization is None  # interaction callbacks carry no bot token
    assert_pings_nobody(request)
    assert_within_limits(request)
    return request


async def test_ready_syncs_every_command_with_descriptions_to_the_guild(bot: Running, engine: Engine) -> None:
    fake = bot.fake
    (sync,) = fake.made("sync")
    assert sync.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    commands = {c["name"]: c for c in sync.body}
    assert set(commands) == COMMANDS
    for command in sync.body:
        assert command["description"]
        for option in command.get("options", []):
            assert option["description"]
    (question,) = commands["ask"]["options"]
    assert question["autocomplete"] is True
    assert question["required"] is True
    (year,) = commands["timeline"]["options"]
    assert [c["value"] for c in year["choices"]] == list(engine.years)
    assert year.get("required", False) is False
    (topic,) = commands["facts"]["options"]
    assert topic["autocomplete"] is True
    (paragraph,) = commands["source"]["options"]
    assert [c["value"] for c in paragraph["choices"]] == list(range(engine.paragraph_count + 1))
    assert fake.identifies[0]["intents"] & (1 << 15)  # message content, for BOT_CHANNELS
    bot.assert_healthy()


async def test_ask_answers_with_the_question_as_title(bot: Running) -> None:
    reply = await answer_to(bot.fake, "ask", question="How fast did Pinduoduo's GMV grow?")
    assert reply.body["type"] == 4
    assert not reply.ephemeral
    (embed,) = reply.embeds
    assert embed["title"] == "How fast did Pinduoduo's GMV grow?"
    assert "144%" in embed["description"]
    assert quoted(reply)
    bot.assert_healthy()


async def test_ask_autocomplete_offers_at_most_25_ranked_choices_within_100_characters(bot: Running, engine: Engine) -> None:
    fake = bot.fake
    for typed in ("when did amazon le", "", "x" * 100, "pdd revenue q3"):
        since = fake.mark()
        await fake.autocomplete("ask", "question", question=typed)
        offered = choices(await fake.wait_for("callback", since=since))
        assert 1 <= len(offered) <= render.CHOICE_LIMIT
        for choice in offered:
            assert 1 <= len(str(choice["name"])) <= render.CHOICE_NAME_LIMIT
            assert len(str(choice["value"])) <= render.CHOICE_NAME_LIMIT
        assert offered[0]["name"] == engine.suggest(typed)[0]
    bot.assert_healthy()


async def test_timeline_without_a_year_lists_every_event_and_with_a_year_only_that_years(bot: Running, engine: Engine) -> None:
    full = await answer_to(bot.fake, "timeline")
    for year in engine.years:
        assert str(year) in full.text
    one = await answer_to(bot.fake, "timeline", year=2015)
    assert "2015" in one.text
    assert "2004" not in one.embeds[0]["description"]
    assert one.embeds[0]["description"] == engine.timeline(2015).text
    bot.assert_healthy()


async def test_timeline_attaches_its_picture_under_the_embed_text_with_alt_text(bot: Running, engine: Engine) -> None:
    for year, name in ((None, "timeline.png"), (2015, "timeline-2015.png")):
        reply = await answer_to(bot.fake, "timeline", **({"year": year} if year else {}))
        (upload,) = reply.files
        assert (upload.field, upload.filename) == ("files[0]", name)
        expected = picture.render(engine.knowledge, year)
        assert upload.data == expected.png
        with Image.open(io.BytesIO(upload.data)) as image:
            assert image.format == "PNG" and image.size == expected.size
        (declared,) = reply.attachments
        assert (declared["filename"], declared["description"]) == (name, expected.alt_text)
        # The embed shows the image at its bottom, under the timeline's text and quotes.
        assert reply.embeds[-1]["image"] == {"url": f"attachment://{name}"}
        assert reply.embeds[0]["description"] == engine.timeline(year).text
        assert reply.created is not None
        (stored,) = reply.created["attachments"]
        assert (stored["filename"], stored["content_type"], stored["size"]) == (name, "image/png", len(expected.png))
        assert reply.created["embeds"][-1]["image"]["url"] == stored["url"]
    bot.assert_healthy()


async def test_timeline_where_the_bot_may_not_attach_files_answers_in_text_alone(bot: Running, engine: Engine) -> None:
    reply = await answer_to(bot.fake, "timeline", channel_id=NO_FILES_CHANNEL)
    assert not reply.files and not reply.attachments and "image" not in reply.embeds[-1]
    assert reply.embeds[0]["description"] == engine.timeline().text
    in_dm = await answer_to(bot.fake, "timeline", channel_id=DM_CHANNEL)
    assert [upload.filename for upload in in_dm.files] == ["timeline.png"]
    bot.assert_healthy()


async def test_timeline_pictures_are_drawn_once_per_load_not_per_request(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int | None] = []
    real = picture.render

    def counting(knowledge: Knowledge, year: int | None = None) -> picture.Picture:
        drawn.append(year)
        return real(knowledge, year)

    monkeypatch.setattr(picture, "render", counting)
    running = await start_bot(cooldown_rate=0)
    for _ in range(3):
        for options in ({}, {"year": 2015}, {"year": 2019}):
            assert len((await answer_to(running.fake, "timeline", **options)).files) == 1
    assert sorted(map(str, drawn)) == sorted(set(map(str, drawn)))  # each picture drawn once at most
    assert {None, 2015, 2019} <= set(drawn)
    running.assert_healthy()


async def test_a_picture_that_cannot_be_drawn_leaves_the_timeline_in_text(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    def broken(knowledge: Knowledge, year: int | None = None) -> picture.Picture:
        raise picture.LayoutError("labels 2000 px wide do not fit in 1128 px")

    monkeypatch.setattr(picture, "render", broken)
    running = await start_bot()
    await running.wait_logged("Drawing the timeline pictures failed")
    reply = await answer_to(running.fake, "timeline")
    assert not reply.files and "image" not in reply.embeds[-1]
    assert reply.embeds[0]["description"] == engine.timeline().text
    await running.wait_logged("Drawing the timeline picture for every year failed")
    running.expected_errors = 2
    running.assert_healthy()


async def test_facts_autocomplete_offers_people_and_companies_and_answers_a_profile(bot: Running) -> None:
    fake = bot.fake
    since = fake.mark()
    await fake.autocomplete("facts", "topic", topic="")
    names = {c["name"] for c in choices(await fake.wait_for("callback", since=since))}
    assert {"Amazon", "Pinduoduo", "Colin Huang", "Joyo", "Tmall", "Alibaba", "JD", "Baidu", "Reuters"} <= names
    since = fake.mark()
    await fake.autocomplete("facts", "topic", topic="col")
    offered = choices(await fake.wait_for("callback", since=since))
    assert offered == [{"name": "Colin Huang", "value": "colin_huang"}]

    profile = await answer_to(fake, "facts", topic="colin_huang")
    assert "17 billion" in profile.text
    bot.assert_healthy()


async def test_source_quotes_a_paragraph_or_the_source_of_the_last_answer(bot: Running, engine: Engine) -> None:
    fake = bot.fake
    quoted_two = await answer_to(fake, "source", paragraph=2)
    paragraph_two = fold_space(engine.knowledge.article.paragraphs[2])
    assert any(fold_space(q) == paragraph_two for _, q in quoted(quoted_two))

    hint = await answer_to(fake, "source", author=BOB)
    assert hint.ephemeral
    assert "paragraph" in hint.text

    await answer_to(fake, "ask", question="who founded pinduoduo?", author=BOB)
    last = await answer_to(fake, "source", author=BOB)
    paragraph_four = fold_space(engine.knowledge.article.paragraphs[4])
    assert any(fold_space(q) == paragraph_four for _, q in quoted(last))
    bot.assert_healthy()


async def test_about_and_help_answer_ephemerally(bot: Running, engine: Engine) -> None:
    about = await answer_to(bot.fake, "about")
    assert about.ephemeral
    assert engine.title in about.text
    helped = await answer_to(bot.fake, "help")
    assert helped.ephemeral
    assert helped.embeds[0]["description"] == engine.help().text
    assert len(helped.buttons) == len(engine.help().suggestions)
    bot.assert_healthy()


async def test_restart_with_unchanged_commands_does_not_sync_again(start_bot: StartBot) -> None:
    first = await start_bot()
    assert len(first.fake.made("sync")) == 1
    await first.stop()
    second = await start_bot()
    assert len(second.fake.made("sync")) == 1
    assert second.logged("unchanged since the last sync")
    assert len(second.fake.made("fetch-commands")) == 1  # one GET: Discord still has them
    second.assert_healthy()


async def test_without_a_guild_id_commands_sync_globally_and_still_answer(start_bot: StartBot) -> None:
    running = await start_bot(guild_id=None)
    (sync,) = running.fake.made("sync")
    assert sync.path == f"/applications/{APP_ID}/commands"
    reply = await answer_to(running.fake, "ask", question="how old is pinduoduo?")
    assert "four" in reply.text
    running.assert_healthy()
