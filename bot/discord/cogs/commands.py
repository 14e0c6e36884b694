"""Slash commands: /ask, /timeline, /facts, /source, /about, /help, with autocomplete.

Thin: each command hands text to the engine and its Reply to ui.respond. /timeline
and /source are built when the cog loads, because their choices (years with
events, paragraphs) come from the knowledge. /timeline's pictures are drawn in a
worker thread, once per loaded knowledge (the whole timeline's as soon as the cog
loads), never on the event loop: if drawing fails, the timeline goes out as text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.discord import ui
from bot.discord.protocol import AnswerBot
from bot.models import Kind
from bot.picture import Picture, PictureCache

log = logging.getLogger(__name__)

T = TypeVar("T")
Choices = list[app_commands.Choice[str]]


def answers_publicly(func: T) -> T:
    """A check: the command posts for everyone to see, so it counts towards the cooldown."""

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        ui.check_cooldown(interaction)
        return True

    return app_commands.check(predicate)(func)


def topic_choices(topics: tuple[tuple[str, str], ...], current: str) -> Choices:
    """Autocomplete for /facts: names that start with, then contain, what was typed."""
    typed = current.strip().casefold()
    starts = [t for t in topics if t[1].casefold().startswith(typed) or t[0].startswith(typed)]
    contains = [t for t in topics if t not in starts and typed in t[1].casefold()]
    return [
        app_commands.Choice(name=render.choice_name(name), value=render.choice_name(entity))
        for entity, name in (starts + contains)[: render.CHOICE_LIMIT]
    ]


class Commands(commands.Cog):
    """The bot's slash commands."""

    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot
        self._built: list[app_commands.Command[Any, Any, None]] = []
        self.pictures = PictureCache()
        self._warming: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._built = [self._timeline_command(), self._source_command()]
        for command in self._built:
            self.bot.tree.add_command(command)
        self._warming = asyncio.create_task(self._warm(), name="draw timeline pictures")

    async def cog_unload(self) -> None:
        for command in self._built:
            self.bot.tree.remove_command(command.name)
        if self._warming is not None:
            self._warming.cancel()

    async def _warm(self) -> None:
        """Draw the whole timeline's picture now, the one most asked for; a year's is drawn when first asked."""
        try:
            await asyncio.to_thread(self.pictures.get, self.bot.engine.knowledge)
        except Exception:
            log.exception("Drawing the timeline pictures failed; /timeline will answer in text")

    async def timeline_picture(self, year: int | None) -> Picture | None:
        """The timeline picture for the loaded knowledge, drawn off the event loop if not yet; None if it fails."""
        try:
            return await asyncio.to_thread(self.pictures.get, self.bot.engine.knowledge, year)
        except Exception:
            log.exception("Drawing the timeline picture for %s failed; answering in text", year or "every year")
            return None

    @app_commands.command(name="ask", description="Ask a question about the article")
    @app_commands.describe(question="Your question, e.g. when did Amazon enter China?")
    @answers_publicly
    async def ask(self, interaction: discord.Interaction[Any], question: str) -> None:
        asked = ui.asked_by(interaction, "ask")
        reply = self.bot.ask(question, ui.key_of(interaction), asked)
        await ui.respond(interaction, reply, title=question, vote_on=ui.vote_target(self.bot, reply, asked))

    @ask.autocomplete("question")
    async def ask_autocomplete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        try:
            suggestions = self.bot.engine.suggest(current, limit=render.CHOICE_LIMIT)
        except Exception:
            log.exception("Autocomplete for /ask failed on %r", current)
            return []
        names = dict.fromkeys(render.choice_name(s) for s in suggestions)
        return [app_commands.Choice(name=n, value=n) for n in names][: render.CHOICE_LIMIT]

    @app_commands.command(name="facts", description="What the article says about a person or company")
    @app_commands.describe(topic="A person or company, e.g. Pinduoduo or Colin Huang")
    @answers_publicly
    async def facts(self, interaction: discord.Interaction[Any], topic: str) -> None:
        await ui.respond(interaction, self.bot.engine.profile(topic))

    @facts.autocomplete("topic")
    async def facts_autocomplete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        return topic_choices(self.bot.engine.topics, current)

    @app_commands.command(name="about", description="What this bot is and where its facts come from")
    async def about(self, interaction: discord.Interaction[Any]) -> None:
        engine = self.bot.engine
        embeds = render.about_embeds(
            article_title=engine.title,
            paragraph_count=engine.paragraph_count,
            topics=[name for _, name in engine.topics],
            years=engine.years,
        )
        await ui.send(interaction, ui.embeds_of(embeds), ephemeral=True)

    @app_commands.command(name="help", description="What you can ask, with examples")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        await ui.respond(interaction, self.bot.engine.help(), ephemeral=True)

    def _timeline_command(self) -> app_commands.Command[Any, Any, None]:
        years = [app_commands.Choice(name=str(y), value=y) for y in self.bot.engine.years]

        @app_commands.command(name="timeline", description="The article's events in order")
        @app_commands.describe(year="Only this year's events")
        @app_commands.choices(year=years[: render.CHOICE_LIMIT])
        @answers_publicly
        async def timeline(interaction: discord.Interaction[Any], year: app_commands.Choice[int] | None = None) -> None:
            chosen = year.value if year else None
            reply = self.bot.engine.timeline(chosen)
            # Without Attach Files where it was asked, Discord would refuse the whole reply: send the text alone.
            can_attach = interaction.app_permissions.attach_files
            picture = await self.timeline_picture(chosen) if reply.kind is Kind.ANSWER and can_attach else None
            await ui.respond(interaction, reply, picture=picture)

        return timeline

    def _source_command(self) -> app_commands.Command[Any, Any, None]:
        count = self.bot.engine.paragraph_count
        names = ["Title", *(f"Paragraph {n}" for n in range(1, count + 1))]
        paragraphs = [app_commands.Choice(name=name, value=n) for n, name in enumerate(names)]

        @app_commands.command(name="source", description="Quote a paragraph of the article")
        @app_commands.describe(paragraph="Which paragraph; leave it out for the source of your last answer here")
        @app_commands.choices(paragraph=paragraphs[: render.CHOICE_LIMIT])
        @answers_publicly
        async def source(
            interaction: discord.Interaction[Any],
            paragraph: app_commands.Choice[int] | None = None,
        ) -> None:
            engine = self.bot.engine
            if paragraph is not None:
                await ui.respond(interaction, engine.source(paragraph.value))
                return
            last = self.bot.memory.last(ui.key_of(interaction))
            if last is None or not last.citations:
                await ui.send_notice(interaction, render.source_hint(engine.paragraph_count))
                return
            await ui.respond(interaction, engine.source(last.citations[0].paragraph))

        return source


async def setup(bot: AnswerBot) -> None:
    """The extension's entry point: `await bot.load_extension("bot.discord.cogs.commands")` calls it."""
    await bot.add_cog(Commands(bot))
