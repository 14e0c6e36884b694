"""For admins and editors: /stats and /misses (Manage Server, this server's data only) and /reload (the owner).

Discord hides /stats and /misses from members without Manage Server (default_permissions);
a server can change that in its settings, so each command checks again when it runs.
Everything here answers ephemerally.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import feedback, render
from bot.discord import ui
from bot.discord.protocol import AnswerBot
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

MANAGE_SERVER = discord.Permissions(manage_guild=True)
SHOWN_MISSES = 10
DAYS = app_commands.Range[int, 1, 365]
NEEDS_MANAGE_SERVER = "You need the Manage Server permission for this."
OWNER_ONLY = "Only the bot's owner can reload its data."
HISTORY_OFF = "The question history is off on this bot (BOT_HISTORY=off), so there is nothing to show."
UNREACHABLE = "The question history can't be reached right now; answering goes on. Please try again later."


def may_manage_server(interaction: discord.Interaction[Any]) -> bool:
    """Whether the member who ran the command has Manage Server here (never in DMs)."""
    return interaction.guild_id is not None and interaction.permissions.manage_guild


class Admin(commands.Cog):
    """Stats, misses and reload."""

    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats", description="Questions, answers, declines and votes in this server")
    @app_commands.describe(days="How many days back (default 30)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction[Any], days: DAYS = 30) -> None:
        if not await self._allowed(interaction):
            return
        try:
            stats = await self.bot.recorder.stats(days, interaction.guild_id or 0)
        except StoreUnavailable:
            await ui.send_notice(interaction, HISTORY_OFF if not self.bot.recorder.enabled else UNREACHABLE)
            return
        title = f"Last {days} days: {stats.questions} questions from {stats.members} members"
        await ui.send(interaction, ui.embeds_of(render.stats_embeds(feedback.stats_lines(stats), title=title)), ephemeral=True)

    @app_commands.command(
        name="misses", description="Questions this server asked that the bot declined, clarified or got voted down"
    )
    @app_commands.describe(days="How many days back (default 30)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def misses(self, interaction: discord.Interaction[Any], days: DAYS = 30) -> None:
        if not await self._allowed(interaction):
            return
        try:
            rows = await self.bot.recorder.misses(days, interaction.guild_id or 0)
        except StoreUnavailable:
            await ui.send_notice(interaction, HISTORY_OFF if not self.bot.recorder.enabled else UNREACHABLE)
            return
        engine = self.bot.engine
        # Grouping thousands of wordings takes a moment: not on the event loop.
        groups = await asyncio.to_thread(feedback.group_misses, rows, lambda question: feedback.nearest_intent(engine, question))
        fields = [(f"{g.count}× {g.question}", feedback.group_details(g)) for g in groups[:SHOWN_MISSES]]
        total = sum(g.count for g in groups)
        footer = f"{len(groups)} groups, {total} questions; `python -m bot misses --export FILE.jsonl` writes them all"
        embeds = render.misses_embeds(fields, title=f"Misses in the last {days} days", footer_text=footer)
        await ui.send(interaction, ui.embeds_of(embeds), ephemeral=True)

    @app_commands.command(name="reload", description="Reload the bot's data from disk (the bot's owner only)")
    @app_commands.default_permissions(manage_guild=True)
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        if not await self.bot.is_owner(interaction.user):
            log.warning("/reload refused to %s (%s): not the application's owner", interaction.user, interaction.user.id)
            await ui.send_notice(interaction, OWNER_ONLY)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)  # loading takes a moment
        outcome = await self.bot.reload_data()
        await ui.send_notice(interaction, outcome.message)

    async def _allowed(self, interaction: discord.Interaction[Any]) -> bool:
        if may_manage_server(interaction):
            return True
        log.info(
            "/%s refused to %s: no Manage Server", interaction.command.name if interaction.command else "?", interaction.user.id
        )
        await ui.send_notice(interaction, NEEDS_MANAGE_SERVER)
        return False


async def setup(bot: AnswerBot) -> None:
    """The extension's entry point: `await bot.load_extension("bot.discord.cogs.admin")` calls it."""
    await bot.add_cog(Admin(bot))
