"""Buttons under replies and the sending of replies: render's output turned into discord objects.

The buttons are DynamicItems: their custom id carries what they do (the question
to ask, the paragraph to show, the answer voted on), so they keep working after a
restart and hold no memory per message.
"""

from __future__ import annotations

import functools
import io
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import MISSING

from bot import render
from bot.discord.delivery import Delivery, may_post
from bot.discord.protocol import AnswerBot
from bot.discord.throttle import Verdict
from bot.models import Kind, Reply
from bot.store import StoreUnavailable
from bot.store.recorder import Asked

if TYPE_CHECKING:
    from bot.picture import Picture

NO_PINGS = discord.AllowedMentions.none()
VOTE_EMOJI = {vote: discord.PartialEmoji(name=emoji) for vote, (_, emoji) in render.VOTES.items()}  # parsed once


class OnCooldown(discord.app_commands.CheckFailure):
    """Someone asked more often than the cooldown allows; the boundary tells them, ephemerally."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(render.cooldown_text(retry_after))


def describe(interaction: discord.Interaction[Any]) -> str:
    """A log-friendly name for what an interaction was, read from its raw data (which may be malformed)."""
    data: dict[str, Any] = dict(interaction.data) if isinstance(interaction.data, dict) else {}
    name = data.get("name")
    if isinstance(name, str):
        return f"/{name}"
    return f"component {data.get('custom_id', '?')!r}"


def client_of(interaction: discord.Interaction[Any]) -> AnswerBot:
    """The bot that received an interaction."""
    client: AnswerBot = interaction.client
    return client


def key_of(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    """The (channel, user) pair that cooldowns and conversation memory are kept by."""
    return (interaction.channel_id or 0, interaction.user.id)


def check_cooldown(interaction: discord.Interaction[Any]) -> None:
    """Count a public answer for the interaction's user and channel; raise OnCooldown if over."""
    throttle = client_of(interaction).throttle
    key = key_of(interaction)
    if throttle.check(key) is not Verdict.ALLOW:
        raise OnCooldown(throttle.retry_after(key))


def embeds_of(specs: list[render.Embed]) -> list[discord.Embed]:
    """render's embed dicts as discord.Embed objects."""
    return [discord.Embed.from_dict(spec) for spec in specs]


def asked_by(interaction: discord.Interaction[Any], origin: str) -> Asked:
    """What the history records about where an interaction's question came from."""
    return Asked(interaction.id, interaction.guild_id, interaction.channel_id or 0, interaction.user.id, origin)


def vote_target(bot: AnswerBot, reply: Reply, asked: Asked) -> int | None:
    """The question an answer's 👍/👎 vote on: answers only, and only while the history records."""
    return asked.question_id if bot.recorder.enabled and reply.kind is Kind.ANSWER else None


def view_for(reply: Reply, vote_on: int | None = None) -> discord.ui.View | None:
    """The buttons under a reply: suggested questions, "Show source", 👍/👎 (with vote_on), or None."""
    specs = render.buttons(reply, vote_on)
    if not specs:
        return None
    view = discord.ui.View(timeout=None)
    for spec in specs:
        if spec.action == "ask":
            view.add_item(AskButton(spec.value, row=spec.row))
        elif spec.action == "vote" and vote_on is not None:
            view.add_item(VoteButton(vote_on, int(spec.value), row=spec.row))
        else:
            view.add_item(SourceButton(int(spec.value), label=spec.label, row=spec.row))
    return view


def rights_in(message: discord.Message) -> discord.Permissions | None:
    """The bot's permissions where a message was sent; None in DMs and in guilds not in the cache."""
    guild = message.guild
    channel = message.channel
    if guild is None or guild.me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return None
    return channel.permissions_for(guild.me)


def may_answer(message: discord.Message) -> bool:
    """Whether the bot may post where a message was sent (View Channel and Send Messages)."""
    return may_post(message.channel, message.guild.me if message.guild else None)


def replying(message: discord.Message, rights: discord.Permissions | None) -> dict[str, Any]:
    """send() arguments that make a post a reply to message (pinging nobody), when Discord allows one.

    A reply needs Read Message History; without it the answer is posted plainly.
    """
    if rights is not None and not rights.read_message_history:
        return {}
    return {"reference": message.to_reference(fail_if_not_exists=False), "mention_author": False}


async def reply_to(message: discord.Message, reply: Reply, delivery: Delivery, *, vote_on: int | None = None) -> None:
    """Answer a message: a reply to it that pings nobody, as embeds or as text without Embed Links."""
    rights = rights_in(message)
    quoting = replying(message, rights)
    view = view_for(reply, vote_on)
    channel = message.channel
    what = f"the answer in channel {channel.id}"
    if rights is None or rights.embed_links:
        embeds = embeds_of(render.to_embeds(reply))
        await delivery.send(
            lambda: channel.send(embeds=embeds, view=view or MISSING, allowed_mentions=NO_PINGS, **quoting),
            channel_id=channel.id,
            what=what,
        )
        return
    pieces = render.to_messages(reply)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        post = functools.partial(
            channel.send,
            piece,
            view=(view or MISSING) if last else MISSING,
            allowed_mentions=NO_PINGS,
            **(quoting if index == 0 else {}),
        )
        sent = await delivery.send(post, channel_id=channel.id, what=what)
        if sent is None:
            return  # refused or gone: the rest would fail the same way


async def notify(message: discord.Message, text: str, delivery: Delivery) -> None:
    """A short plain notice (cooldown, apology) as a reply that pings nobody."""
    quoting = replying(message, rights_in(message))
    channel = message.channel
    await delivery.send(
        lambda: channel.send(render.truncate(text, render.CONTENT_LIMIT), allowed_mentions=NO_PINGS, **quoting),
        channel_id=channel.id,
        what=f"a notice in channel {channel.id}",
    )


async def respond(
    interaction: discord.Interaction[Any],
    reply: Reply,
    *,
    ephemeral: bool = False,
    title: str | None = None,
    picture: Picture | None = None,
    vote_on: int | None = None,
) -> None:
    """Answer an interaction with a reply's embeds and buttons, and a picture under the text if given."""
    specs = render.to_embeds(reply, title=title)
    files: list[discord.File] = []
    if picture is not None and len(picture.png) <= render.UPLOAD_LIMIT:
        specs = render.with_image(specs, picture.filename)
        files.append(file_of(picture))
    await send(interaction, embeds_of(specs), view=view_for(reply, vote_on), ephemeral=ephemeral, files=files)


def file_of(picture: Picture) -> discord.File:
    """A picture as a new upload (a discord.File is spent once sent), its alt text as the description."""
    description = render.truncate(picture.alt_text, render.ATTACHMENT_DESCRIPTION_LIMIT)
    return discord.File(io.BytesIO(picture.png), filename=picture.filename, description=description)


async def send(
    interaction: discord.Interaction[Any],
    embeds: list[discord.Embed],
    *,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
    files: list[discord.File] | None = None,
) -> None:
    """Send embeds (and files) as the interaction's response, or as a follow-up when it already has one.

    An interaction that expired is dropped with one log line. No retry here: discord.py's webhook
    client retries every 5xx of an interaction response itself (and a sent file is closed after).
    """

    async def post() -> None:
        if interaction.response.is_done():
            await interaction.followup.send(
                embeds=embeds, view=view or MISSING, ephemeral=ephemeral, files=files or MISSING, allowed_mentions=NO_PINGS
            )
        else:
            await interaction.response.send_message(
                embeds=embeds, view=view or MISSING, ephemeral=ephemeral, files=files or MISSING, allowed_mentions=NO_PINGS
            )

    delivery = client_of(interaction).delivery
    await delivery.send(post, channel_id=None, what=f"the reply to {describe(interaction)}", retry=False)


async def send_notice(interaction: discord.Interaction[Any], text: str) -> None:
    """An ephemeral notice: cooldowns, apologies, hints."""
    await send(interaction, embeds_of(render.notice_embeds(text)), ephemeral=True)


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(render.ASK_PREFIX) + r"(?P<question>.+)",
):
    """A suggested question; a click answers it, in the channel, like a question typed there."""

    def __init__(self, question: str, *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render.button_label(question),
                style=discord.ButtonStyle.secondary,
                custom_id=render.ask_custom_id(question),
            ),
            row=row,
        )
        self.question = question

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AskButton:
        return cls(match["question"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = client_of(interaction)
        try:
            check_cooldown(interaction)
            asked = asked_by(interaction, "button")
            reply = bot.ask(self.question, key_of(interaction), asked)
            await respond(interaction, reply, title=self.question, vote_on=vote_target(bot, reply, asked))
        except Exception as error:
            await bot.on_interaction_error(interaction, error)


class SourceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(render.SOURCE_PREFIX) + r"(?P<paragraph>[0-9]{1,4})",
):
    """ "Show source": quotes the cited paragraph, to the one who clicked only."""

    def __init__(self, paragraph: int, *, label: str = "Show source", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=render.button_label(label),
                style=discord.ButtonStyle.primary,
                custom_id=render.source_custom_id(paragraph),
            ),
            row=row,
        )
        self.paragraph = paragraph

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SourceButton:
        return cls(int(match["paragraph"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = client_of(interaction)
        try:
            await respond(interaction, bot.engine.source(self.paragraph), ephemeral=True)
        except Exception as error:
            await bot.on_interaction_error(interaction, error)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(render.VOTE_PREFIX) + r"(?P<vote>up|down):(?P<question>[0-9]{1,20})",
):
    """👍 or 👎 under an answer: records the member's vote (a second press changes it), then says so, ephemerally.

    The member hears "recorded" only once the store has committed the vote.
    """

    def __init__(self, question_id: int, vote: int, *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                emoji=VOTE_EMOJI[vote],
                style=discord.ButtonStyle.secondary,
                custom_id=render.vote_custom_id(question_id, vote),
            ),
            row=row,
        )
        self.question_id = question_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        return cls(int(match["question"]), 1 if match["vote"] == "up" else -1)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = client_of(interaction)
        try:
            try:
                previous = await bot.recorder.vote(self.question_id, interaction.user.id, interaction.guild_id, self.vote)
            except StoreUnavailable:
                await send_notice(interaction, render.VOTE_FAILED)
                return
            await send_notice(interaction, render.vote_thanks(self.vote, previous))
        except Exception as error:
            await bot.on_interaction_error(interaction, error)
