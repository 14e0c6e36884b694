"""What the cogs and the ui helpers use of the bot, as a Protocol.

Cogs are extensions: discord.py imports them by name and hands them the bot in
`setup(bot)`. They type it as AnswerBot, so they never import bot.discord.app,
the module that builds the bot; app.QABot provides all of it (mypy checks that
in app.py).
"""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.delivery import Delivery
from bot.discord.memory import Memory
from bot.discord.throttle import Throttle
from bot.engine import Engine
from bot.models import Reply
from bot.reload import LiveEngine, ReloadOutcome
from bot.settings import Settings
from bot.store.recorder import Asked, Recorder
from bot.store.scores import ScoreKeeper


class AnswerBot(Protocol):
    """The bot as its cogs see it: settings, the engine, cooldowns, memory, the history, quiz scores, delivery and the
    error boundary."""

    settings: Settings
    live: LiveEngine
    throttle: Throttle
    memory: Memory
    delivery: Delivery
    recorder: Recorder
    scores: ScoreKeeper

    @property
    def engine(self) -> Engine:
        """The engine in use now (live reload swaps it whole)."""
        ...

    @property
    def user(self) -> discord.ClientUser | None: ...

    @property
    def tree(self) -> app_commands.CommandTree[Any]: ...

    async def add_cog(self, cog: commands.Cog, /) -> None: ...

    def get_cog(self, name: str, /) -> commands.Cog | None: ...

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None: ...

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None: ...

    def ask(self, text: str, key: tuple[int, int], asked: Asked | None = None) -> Reply:
        """The engine's reply to text, in the conversation kept for key (channel, user); recorded when asked is given."""
        ...

    async def reload_data(self) -> ReloadOutcome:
        """Load the data again and swap the engine, or keep it and say why."""
        ...

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """The error boundary: tell the user, ephemerally; log the traceback of anything unexpected."""
        ...
