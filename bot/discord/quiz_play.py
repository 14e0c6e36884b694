"""A quiz on Discord: its answer buttons, the quizzes running in this process, and the play of one.

Not a cog: cogs/quiz.py starts quizzes and leaves their play to this module. Everything a quiz posts
is a follow-up to the /quiz interaction that started it, so it appears only where a member asked for
it and needs no permission in the channel; Discord takes follow-ups for 15 minutes, and ten
questions of at most a minute each (BOT_QUIZ_SECONDS) with their reveals fit in that. The buttons
are DynamicItems, dispatched by their custom id: a press on a quiz this process does not run (it
ended, or the bot has restarted since) is answered "this quiz has ended", never with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
from discord.utils import MISSING

from bot import render
from bot.discord import ui
from bot.discord.protocol import AnswerBot
from bot.knowledge import Knowledge
from bot.quiz import LETTERS, Game, Outcome, Press, Question

log = logging.getLogger(__name__)

QUIZ_COG = "Quiz"
REVEAL_PAUSE = 4.0  # seconds between a reveal and the next question, at most a fifth of the time to answer
STOP_WAIT = 3.0  # how long shutting down waits for a quiz to post that it was stopped
QUIET_QUESTIONS = 2  # a quiz ends when this many questions in a row get no answer at all

ENDED = "This quiz has ended."
CLOSED = "This question has closed; the next one is on its way."
RESTARTING = "The bot is restarting, so this quiz has ended."
QUIET = "Nobody answered two questions in a row, so the quiz has ended."
ALL_ASKED = "That was the last question."


def counted_text(question: Question, option: int) -> str:
    """The ephemeral reply to a counted answer: what they chose, and that the answer comes later."""
    return f"Locked in: {LETTERS[option]}. {question.options[option]}. The right answer is revealed when the question closes."


def again_text(question: Question, option: int) -> str:
    """The ephemeral reply to a second press on the same question."""
    return f"You already answered this question ({LETTERS[option]}. {question.options[option]}): one answer each."


class QuizButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.escape(render.QUIZ_PREFIX) + r"(?P<quiz>[0-9]{1,20}):(?P<question>[0-9]{1,2}):(?P<option>[0-3])",
):
    """One option of one quiz question; a press is one member's answer, acknowledged to them alone."""

    def __init__(
        self,
        quiz_id: int,
        number: int,
        option: int,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, disabled=disabled, custom_id=render.quiz_custom_id(quiz_id, number, option)
            )
        )
        self.quiz_id = quiz_id
        self.number = number
        self.option = option

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> QuizButton:
        return cls(int(match["quiz"]), int(match["question"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = ui.client_of(interaction)
        try:
            quizzes = quizzes_of(bot)
            if quizzes is None:
                await ui.send_notice(interaction, ENDED)
                return
            await quizzes.press(interaction, self.quiz_id, self.number, self.option)
        except Exception as error:
            await bot.on_interaction_error(interaction, error)


def question_view(quiz_id: int, question: Question, *, closed: bool = False) -> discord.ui.View:
    """A question's four buttons; once closed, disabled, with the right one in green."""
    view = discord.ui.View(timeout=None)
    for index, option in enumerate(question.options):
        right = closed and index == question.right
        style = discord.ButtonStyle.success if right else discord.ButtonStyle.secondary
        label = render.button_label(f"{LETTERS[index]}. {option}")
        view.add_item(QuizButton(quiz_id, question.number, index, label=label, style=style, disabled=closed))
    return view


def quizzes_of(bot: AnswerBot) -> Quizzes | None:
    """The running quizzes of the bot's quiz cog, or None when it is not loaded."""
    quizzes = getattr(bot.get_cog(QUIZ_COG), "quizzes", None)
    return quizzes if isinstance(quizzes, Quizzes) else None


class _Gone(Exception):
    """The quiz's interaction takes no more follow-ups (expired, or its channel is gone)."""


class RunningQuiz:
    """One quiz being played in one channel: posts each question, closes it, reveals it, scores it."""

    def __init__(
        self, bot: AnswerBot, interaction: discord.Interaction[Any], game: Game, knowledge: Knowledge, *, seconds: float
    ) -> None:
        self.bot = bot
        self.id = interaction.id
        self.channel_id = interaction.channel_id or 0
        self.guild_id = interaction.guild_id
        self.starter_id = interaction.user.id
        self.game = game
        self.knowledge = knowledge  # the data the quiz started on: a reload meanwhile does not change its reveals
        self.seconds = seconds
        self.pause = min(REVEAL_PAUSE, seconds / 5)
        self.stopping: str | None = None
        self.saved = True
        self._followup = interaction.followup
        self._wake = asyncio.Event()
        self._message: discord.WebhookMessage | None = None
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Close the open question now: everyone playing has answered it."""
        self._wake.set()

    def stop(self, why: str) -> None:
        """End the quiz: the open question is dropped unscored, and the scoreboard says why."""
        self.stopping = self.stopping or why
        self._wake.set()

    async def run(self) -> None:
        """Play the quiz to its end; never raises (a refused message ends the quiz, logged)."""
        try:
            ending = await self._play()
            await self._post("the scoreboard", self._scoreboard(ending))
        except _Gone as gone:
            log.info("Quiz %s in channel %s ended: %s", self.id, self.channel_id, gone)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("Quiz %s in channel %s ended early: a message could not be sent (%s)", self.id, self.channel_id, exc)
        except Exception:
            log.exception("Quiz %s in channel %s failed", self.id, self.channel_id)

    async def _play(self) -> str:
        quiet = 0
        total = len(self.game.questions)
        while self.stopping is None:
            question = self.game.ask_next()
            if question is None:
                return ALL_ASKED
            self._wake.clear()
            closes_at = time.time() + self.seconds
            embeds = ui.embeds_of(render.quiz_question_embeds(question, total, closes_at=closes_at))
            self._message = await self._post(f"question {question.number}", embeds, question_view(self.id, question))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.seconds)
            if self.stopping is not None:
                self.game.abandon()
                await self._close_buttons(question)
                break
            outcome = self.game.close()
            await self._close_buttons(question)
            await self._post(f"the answer to question {question.number}", self._reveal(outcome))
            await self._score(outcome)
            quiet = 0 if outcome.answers else quiet + 1
            if quiet >= QUIET_QUESTIONS:
                return QUIET
            if not self.game.finished and self.stopping is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.pause)  # a moment to read; /quiz stop cuts it short
        return self.stopping or ALL_ASKED

    async def _post(self, what: str, embeds: list[discord.Embed], view: discord.ui.View | None = None) -> discord.WebhookMessage:
        """A follow-up to the /quiz interaction, through the bot's delivery; _Gone when it cannot be posted any more."""

        async def post() -> discord.WebhookMessage:
            return await self._followup.send(embeds=embeds, view=view or MISSING, wait=True, allowed_mentions=ui.NO_PINGS)

        # No retry here: discord.py's webhook client retries a 5xx of an interaction follow-up itself.
        sent = await self.bot.delivery.send(post, channel_id=None, what=f"{what} of quiz {self.id}", retry=False)
        if sent is None:
            raise _Gone(f"{what} could not be posted (Discord no longer takes the quiz's follow-ups)")
        return sent

    async def _close_buttons(self, question: Question) -> None:
        """Mark the question closed and disable its buttons, the right one in green; a failure only leaves them up."""
        if self._message is None:
            return
        embeds = ui.embeds_of(render.quiz_question_embeds(question, len(self.game.questions), closes_at=None))
        try:
            await self._message.edit(embeds=embeds, view=question_view(self.id, question, closed=True))
        except discord.HTTPException as exc:
            log.info("Could not disable the buttons of quiz %s question %d (%s)", self.id, question.number, exc)

    def _reveal(self, outcome: Outcome) -> list[discord.Embed]:
        fact = self.knowledge.facts.get(outcome.question.item.fact)
        return ui.embeds_of(render.quiz_reveal_embeds(outcome, fact.text if fact else ""))

    async def _score(self, outcome: Outcome) -> None:
        if self.guild_id is None or not self.bot.scores.enabled:
            return
        self.saved = await self.bot.scores.add(self.guild_id, self.id, outcome.question.number, outcome.answers)

    def _scoreboard(self, ending: str) -> list[discord.Embed]:
        standings = self.game.standings()
        note: str | None
        if not standings:
            note = None  # nobody answered: nothing was scored
        elif self.guild_id is None:
            note = "Scores are kept in servers only."
        elif not self.bot.scores.enabled:
            note = "This bot keeps no quiz scores."
        elif self.saved:
            note = "Added to this server's leaderboard: /quiz leaderboard."
        else:
            note = "The scores could not be saved yet; they will be once the database is back."
        embeds = render.quiz_scoreboard_embeds(standings, asked=len(self.game.outcomes), ending=ending, footer_text=note)
        return ui.embeds_of(embeds)


class Quizzes:
    """The quizzes running in this process: one per channel at most, found by channel or by id."""

    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot
        self._by_channel: dict[int, RunningQuiz] = {}
        self._by_id: dict[int, RunningQuiz] = {}

    def running_in(self, channel_id: int) -> RunningQuiz | None:
        """The quiz running in a channel, if any."""
        return self._by_channel.get(channel_id)

    def start(self, interaction: discord.Interaction[Any], game: Game, knowledge: Knowledge, *, seconds: float) -> RunningQuiz:
        """Start playing a quiz in the interaction's channel (which has none running)."""
        quiz = RunningQuiz(self.bot, interaction, game, knowledge, seconds=seconds)
        if quiz.channel_id in self._by_channel:
            raise RuntimeError(f"a quiz is running in channel {quiz.channel_id} already")
        self._by_channel[quiz.channel_id] = self._by_id[quiz.id] = quiz
        quiz.task = asyncio.get_running_loop().create_task(quiz.run(), name=f"quiz {quiz.id}")
        quiz.task.add_done_callback(self._ended(quiz))
        log.info("Quiz %s started in channel %s with %d questions", quiz.id, quiz.channel_id, len(game.questions))
        return quiz

    def _ended(self, quiz: RunningQuiz) -> Callable[[asyncio.Task[None]], None]:
        def forget(_: asyncio.Task[None]) -> None:
            if self._by_channel.get(quiz.channel_id) is quiz:
                del self._by_channel[quiz.channel_id]
            self._by_id.pop(quiz.id, None)

        return forget

    async def press(self, interaction: discord.Interaction[Any], quiz_id: int, number: int, option: int) -> None:
        """A member's press of an answer button: counted once per question, acknowledged to them alone."""
        quiz = self._by_id.get(quiz_id)
        if quiz is None or quiz.stopping is not None:
            await ui.send_notice(interaction, ENDED)
            return
        user = interaction.user
        result = quiz.game.press(user.id, user.display_name, number, option)
        question = quiz.game.current
        if result is Press.COUNTED and question is not None:
            if quiz.game.everyone_answered:
                quiz.wake()
            text = counted_text(question, option)
        elif result is Press.AGAIN and question is not None and (chosen := quiz.game.answer_of(user.id)) is not None:
            text = again_text(question, chosen)
        else:
            text = ENDED if quiz.game.finished else CLOSED
        await ui.send_notice(interaction, text)

    async def stop_all(self, why: str, wait: float = STOP_WAIT) -> None:
        """Stop every quiz (the bot is shutting down), give them a moment to say so, then cancel what is left."""
        quizzes = list(self._by_id.values())
        for quiz in quizzes:
            quiz.stop(why)
        tasks = [quiz.task for quiz in quizzes if quiz.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=wait)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
