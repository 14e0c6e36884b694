"""Answers in channels: mentions, DMs, and every message in the channels listed in BOT_CHANNELS.

Thin: it decides only whether a message is addressed to the bot; the engine decides the answer.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot import render
from bot.discord import ui
from bot.discord.protocol import AnswerBot
from bot.discord.throttle import Verdict
from bot.store.recorder import Asked

# Message types that people write; joins, pins, boosts and the like are not questions.
PERSON_MESSAGES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def is_addressed(message: discord.Message, me: discord.abc.User, channels: frozenset[int]) -> bool:
    """Whether a message is a question for the bot.

    Never: bots, webhooks, system messages, the bot itself, messages without text.
    Then: DMs, messages that mention the bot (or its role), and every message in
    a listed channel or a thread of one. @everyone and @here do not count as a mention.
    A message is a DM by its channel, not by a missing guild: a guild that is not in
    discord.py's cache has no Guild object either.
    """
    author = message.author
    if author.bot or author.system or message.webhook_id is not None or author.id == me.id:
        return False
    if message.type not in PERSON_MESSAGES or not message.content.strip():
        return False
    if isinstance(message.channel, discord.DMChannel):
        return True
    if me.id in message.raw_mentions:
        return True
    # A guild that is not in the cache (an outage, a late GUILD_CREATE) has no role to look up.
    own_role = message.guild.self_role if message.guild is not None else None
    if own_role is not None and own_role.id in message.raw_role_mentions:
        return True
    channel = message.channel
    places = {channel.id, getattr(channel, "parent_id", None)}
    return not places.isdisjoint(channels)


def origin_of(message: discord.Message, me: discord.abc.User) -> str:
    """How a question reached the bot, as the history records it: dm, mention or channel."""
    if isinstance(message.channel, discord.DMChannel):
        return "dm"
    own_role = message.guild.self_role if message.guild is not None else None
    if me.id in message.raw_mentions or (own_role is not None and own_role.id in message.raw_role_mentions):
        return "mention"
    return "channel"


def guild_id_of(message: discord.Message) -> int | None:
    """The guild a message came from, cached or not (discord.py keeps the id of one it has no Guild for)."""
    if message.guild is not None:
        return message.guild.id
    guild_id: int | None = getattr(message.channel, "guild_id", None)
    return guild_id


class QA(commands.Cog):
    """Answers questions asked in messages."""

    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message addressed to the bot, within the per-user, per-channel cooldown."""
        me = self.bot.user
        if me is None or not is_addressed(message, me, self.bot.settings.channels):
            return
        delivery = self.bot.delivery
        channel_id = message.channel.id
        if not ui.may_answer(message):
            delivery.refuse(channel_id, "the bot lacks View Channel or Send Messages there")
            return
        if delivery.silent_in(channel_id):
            return
        key = (channel_id, message.author.id)
        verdict = self.bot.throttle.check(key)
        if verdict is Verdict.SILENT:
            return
        if verdict is Verdict.NOTICE:
            await ui.notify(message, render.cooldown_text(self.bot.throttle.retry_after(key)), delivery)
            return
        asked = Asked(message.id, guild_id_of(message), message.channel.id, message.author.id, origin_of(message, me))
        reply = self.bot.ask(message.content, key, asked)
        await ui.reply_to(message, reply, delivery, vote_on=ui.vote_target(self.bot, reply, asked))


async def setup(bot: AnswerBot) -> None:
    """The extension's entry point: `await bot.load_extension("bot.discord.cogs.qa")` calls it."""
    await bot.add_cog(QA(bot))
