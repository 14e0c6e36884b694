"""/quiz start, /quiz leaderboard and /quiz stop: a multiple-choice quiz on the article, played in a channel.

Thin: the questions come from the engine's quiz bank (bot.quiz), their play from bot.discord.quiz_play,
the scores from the bot's ScoreKeeper. One quiz per channel at a time. Starting one and showing the
leaderboard post for everyone, so they count towards the member's cooldown like any answer; the
answer buttons only say to the member who pressed that their answer counted, so they do not.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.discord import ui
from bot.discord.protocol import AnswerBot
from bot.discord.quiz_play import QUIZ_COG, RESTARTING, QuizButton, Quizzes
from bot.quiz import MAX_QUESTIONS, Game, draw
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = 5
RUNNING = "A quiz is already running in this channel: join in with its buttons, or start another when it ends."
NONE_RUNNING = "No quiz is running in this channel. Start one with /quiz start."
NO_QUESTIONS = "The loaded data has no quiz questions."
SERVERS_ONLY = "Leaderboards belong to servers: use /quiz leaderboard in one."
SCORES_OFF = "This bot keeps no quiz scores (BOT_QUIZ_SCORES=off), so there is no leaderboard."
UNREACHABLE = "The leaderboard can't be read right now; quizzes go on. Please try again later."
STOPPING = "Stopping the quiz; the scoreboard follows."


class Quiz(commands.GroupCog, name=QUIZ_COG, group_name="quiz", group_description="A multiple-choice quiz on the article"):
    """The quiz commands, and the quizzes they started."""

    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot
        self.quizzes = Quizzes(bot)

    async def cog_load(self) -> None:
        # Buttons of quizzes from before a restart come back here, to be told the quiz has ended.
        self.bot.add_dynamic_items(QuizButton)

    async def cog_unload(self) -> None:
        await self.quizzes.stop_all(RESTARTING)
        self.bot.remove_dynamic_items(QuizButton)

    @app_commands.command(name="start", description="Start a quiz on the article in this channel")
    @app_commands.describe(questions=f"How many questions (1 to {MAX_QUESTIONS}; {DEFAULT_QUESTIONS} if left out)")
    async def start(
        self, interaction: discord.Interaction[Any], questions: app_commands.Range[int, 1, MAX_QUESTIONS] = DEFAULT_QUESTIONS
    ) -> None:
        channel = interaction.channel_id or 0
        if self.quizzes.running_in(channel) is not None:
            await ui.send_notice(interaction, RUNNING)
            return
        ui.check_cooldown(interaction)
        engine = self.bot.engine
        drawn = draw(engine.quiz, questions, seed=interaction.id)  # the interaction's id replays the same quiz
        if not drawn:
            await ui.send_notice(interaction, NO_QUESTIONS)
            return
        seconds = self.bot.settings.quiz_seconds
        intro = render.quiz_intro_embeds(
            starter=interaction.user.display_name,
            count=len(drawn),
            seconds=seconds,
            article_title=engine.title,
            scored=interaction.guild_id is not None,
        )
        await ui.send(interaction, ui.embeds_of(intro))
        self.quizzes.start(interaction, Game(drawn), engine.knowledge, seconds=seconds)

    @app_commands.command(name="leaderboard", description="This server's best quiz players")
    async def leaderboard(self, interaction: discord.Interaction[Any]) -> None:
        guild = interaction.guild_id
        if guild is None:
            await ui.send_notice(interaction, SERVERS_ONLY)
            return
        if not self.bot.scores.enabled:
            await ui.send_notice(interaction, SCORES_OFF)
            return
        ui.check_cooldown(interaction)
        await interaction.response.defer(thinking=True)  # scores waiting for the store go first: it may take a moment
        try:
            board = await self.bot.scores.leaderboard(guild, interaction.user.id)
        except StoreUnavailable:
            await ui.send(interaction, ui.embeds_of(render.notice_embeds(UNREACHABLE)))
            return
        top = [(place, score.name, score.points, score.answered) for place, score in board.top]
        you = (board.you[0], board.you[1].points, board.you[1].answered) if board.you else None
        await ui.send(interaction, ui.embeds_of(render.leaderboard_embeds(top, you, you_listed=board.listed)))

    @app_commands.command(name="stop", description="End the quiz running in this channel")
    async def stop(self, interaction: discord.Interaction[Any]) -> None:
        quiz = self.quizzes.running_in(interaction.channel_id or 0)
        if quiz is None:
            await ui.send_notice(interaction, NONE_RUNNING)
            return
        if interaction.user.id != quiz.starter_id and not interaction.permissions.manage_messages:
            await ui.send_notice(
                interaction, "Only whoever started this quiz, or someone who can manage messages here, can stop it."
            )
            return
        log.info("Quiz %s stopped by %s", quiz.id, interaction.user.id)
        quiz.stop(f"{render.plain_name(interaction.user.display_name)} stopped the quiz.")
        await ui.send_notice(interaction, STOPPING)


async def setup(bot: AnswerBot) -> None:
    """The extension's entry point: `await bot.load_extension("bot.discord.cogs.quiz")` calls it."""
    await bot.add_cog(Quiz(bot))
