"""The bot on Discord: the Bot subclass, its error boundary, command sync, and run / invite / sync.

The engine is loaded once by `run` and handed to the bot inside a LiveEngine, which
SIGHUP and /reload swap whole. The cogs are extensions loaded by name in setup_hook;
they get the bot in their `setup(bot)` and reach the engine as `bot.engine`, without
importing this module. `serve` owns the question history's recorder and the quiz scores' keeper.

`serve` keeps the service up: it holds the process lock, brings the client back
with backoff after an unexpected error, and ends with one clear line (never a
traceback) on what no restart can fix: a rejected token, a shard count that
Discord refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot import render, state
from bot.discord import ui
from bot.discord.delivery import Delivery, dead_reason
from bot.discord.guard import EventGuard
from bot.discord.memory import Memory
from bot.discord.protocol import AnswerBot
from bot.discord.throttle import Throttle
from bot.engine import Context, Engine
from bot.errors import UsageError
from bot.models import Reply
from bot.reload import LiveEngine, ReloadOutcome
from bot.settings import Settings, application_id_from_token
from bot.store.recorder import Asked, Recorder, recorder_for
from bot.store.scores import ScoreKeeper, scores_for

log = logging.getLogger(__name__)

SyncMode = Literal["auto", "force", "never"]

# What `invite` asks for: read the channel and its history, answer in it and its threads, embed,
# and attach /timeline's picture (Discord checks the app's permissions on interaction replies too).
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)
INVITE_SCOPES = ("bot", "applications.commands")

# The cogs, loaded by name; each module's setup(bot) adds its cog.
EXTENSIONS = ("bot.discord.cogs.qa", "bot.discord.cogs.commands", "bot.discord.cogs.admin", "bot.discord.cogs.quiz")
COMMANDS_EXTENSION = "bot.discord.cogs.commands"

NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot connect to Discord.

To get a token: open https://discord.com/developers/applications, create an
application (or pick yours), open "Bot", press "Reset Token" and copy it. Then:

    export DISCORD_TOKEN=...        # keep it secret; never commit it
    python -m bot invite            # prints the link that adds the bot to a server
    python -m bot run

Without a token, `python -m bot chat` talks to the bot in this terminal."""

REJECTED_TOKEN = """\
Discord rejected DISCORD_TOKEN ({how}): it is wrong, or it was reset.
Open https://discord.com/developers/applications, pick the application, open
"Bot", press "Reset Token", and set DISCORD_TOKEN to the new token."""

SHARDING_REQUIRED = """\
Discord requires sharding (gateway close code 4011): the bot is in too many servers for one
connection (Discord allows 2,500 per shard). Set SHARD_COUNT=auto to use the shard count Discord
recommends, or SHARD_COUNT=N with N of at least (servers / 2,500); see "Sharding" in README.md."""

# Gateway close codes that no reconnect can fix (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
FATAL_CLOSE_CODES = {
    4004: REJECTED_TOKEN.format(how="gateway close code 4004, authentication failed"),
    4010: "Discord refused the shard (gateway close code 4010): SHARD_IDS must be below SHARD_COUNT, "
    "and every process must use the same SHARD_COUNT.",
    4011: SHARDING_REQUIRED,
    4012: "Discord refused the gateway API version (close code 4012): upgrade discord.py (run `make` again).",
    4013: "Discord refused the gateway intents (close code 4013, invalid intents): this is a bug in the bot.",
}

# Seconds before the client is brought back after an unexpected error, then before each later try.
RESTART_DELAYS = (1.0, 5.0, 15.0, 60.0)
# Restarts in a row without reaching READY before the bot gives up with one line.
MAX_RESTARTS = 8
# Seconds between tries of a command sync that failed; the last one repeats.
SYNC_RETRY_DELAYS = (60.0, 300.0, 900.0, 3600.0)

CONTENT_REFUSED = (
    "Discord refused the message content intent: it is switched off for this bot in the "
    "Developer Portal (Bot > Privileged Gateway Intents > Message Content Intent). "
    "Carrying on without it."
)
CONTENT_OFF = (
    "Message content intent is off, so the bot answers slash commands, mentions and DMs "
    "only; answers to every message in BOT_CHANNELS are off. To turn them on, enable "
    '"Message Content Intent" under Bot > Privileged Gateway Intents in the Developer Portal.'
)


class TokenFilter(logging.Filter):
    """Replaces the token in every log record that passes, wherever it appears."""

    def __init__(self, secret: str | None) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "[token]")
            record.args = None
        trace = record.exc_text
        if record.exc_info and not trace:
            trace = logging.Formatter().formatException(record.exc_info)
        if trace and self.secret in trace:
            # Drop exc_info too: discord.py's colour formatter would format the traceback again.
            record.exc_text = trace.replace(self.secret, "[token]")
            record.exc_info = None
        return True


PLAIN_FORMAT = logging.Formatter("[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{")


def log_formatter(settings: Settings, stream: Any) -> logging.Formatter | None:
    """Colour only on a real terminal and without NO_COLOR; plain lines everywhere else.

    None lets discord.py pick its colour formatter. discord.py also turns colour on inside any Docker
    container, where the lines end up in `docker logs` full of escape codes; a plain formatter stops that.
    """
    terminal = bool(getattr(stream, "isatty", None) and stream.isatty())
    return None if terminal and settings.colour else PLAIN_FORMAT


def setup_logging(settings: Settings) -> None:
    """discord.py's logging set-up at LOG_LEVEL, with the token filtered out of every line."""
    handler = logging.StreamHandler()
    handler.addFilter(TokenFilter(settings.token))
    formatter = log_formatter(settings, handler.stream)
    discord.utils.setup_logging(
        handler=handler, level=settings.log_level, root=True, formatter=formatter or discord.utils.MISSING
    )


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE and DISCORD_GATEWAY_URL when they are set (tests)."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class AnswerTree(app_commands.CommandTree["QABot"]):
    """The command tree; its on_error is the bot's one error boundary for interactions."""

    async def on_error(self, interaction: discord.Interaction[QABot], error: app_commands.AppCommandError) -> None:
        await self.client.on_interaction_error(interaction, error)

    def _from_interaction(self, interaction: discord.Interaction[QABot]) -> None:
        # discord.py runs each command in a task whose wrapper catches AppCommandError only; anything
        # else (a bug in a check, say) would end as a "Task exception was never retrieved".
        # Same task, but every exception ends at the error boundary.
        async def invoke() -> None:
            try:
                await self._call(interaction)
            except app_commands.AppCommandError as error:
                await self._dispatch_error(interaction, error)
            except Exception as error:
                await self.client.on_interaction_error(interaction, error)

        self.client.spawn(invoke(), name="CommandTree-invoker")


def gateway_intents(message_content: bool) -> discord.Intents:
    """Only what the bot uses: guilds (channels, roles and permissions), messages in guilds and DMs.

    No members, presences, voice, reactions, typing or scheduled events: the bot would receive all
    that traffic and never read it. Message content is privileged and optional (BOT_CHANNELS).
    """
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=message_content)


class QABot(commands.Bot):
    """The Q&A bot: cogs for messages and slash commands around one engine."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | LiveEngine,
        *,
        recorder: Recorder | None = None,
        scores: ScoreKeeper | None = None,
        message_content: bool = True,
        sync_mode: SyncMode = "auto",
        sync_retry_delays: tuple[float, ...] = SYNC_RETRY_DELAYS,
        heartbeat_seconds: float = state.HEARTBEAT_SECONDS,
        delivery: Delivery | None = None,
        **options: Any,
    ) -> None:
        # The bot never joins voice: skip discord.py's warnings about missing voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=gateway_intents(message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=AnswerTree,
            chunk_guilds_at_startup=False,
            max_messages=None,
            **options,
        )
        self.settings = settings
        self.live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine, settings.data_dir)
        self.recorder = recorder or Recorder(None)
        self.scores = scores or ScoreKeeper(None)
        self.sync_mode: SyncMode = sync_mode
        self.sync_retry_delays = sync_retry_delays
        self.heartbeat_seconds = heartbeat_seconds
        self.throttle = Throttle(settings.cooldown_rate, settings.cooldown_seconds)
        self.memory = Memory()
        self.delivery = delivery or Delivery()
        self.synced: list[app_commands.AppCommand] | None = None
        self.reached_ready = False
        self.guard = EventGuard()
        self.guard.install(self._connection.parsers)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def engine(self) -> Engine:
        """The engine in use now: read once per question, so a reload never mixes two engines in one answer."""
        return self.live.engine

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs: the one that runs shard 0, so several shard processes sync once."""
        ids = self.settings.shard_ids
        return ids is None or 0 in ids

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ui.AskButton, ui.SourceButton, ui.VoteButton)
        self.live.subscribe(self._engine_swapped)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.intents.message_content:
            level = logging.WARNING if self.settings.channels else logging.INFO
            log.log(level, CONTENT_OFF)
        if self.sync_mode == "auto":
            if self.syncs_commands:
                # In the background: a sync Discord refuses must not keep the bot from answering messages.
                self.spawn(self._sync_until_done(), name="command-sync")
            else:
                log.info("Shard 0 runs in another process; that process syncs the slash commands")
        elif self.sync_mode == "force":
            await self.sync_commands(force=True)
        self.spawn(self._keep_heartbeat(), name="heartbeat")

    def spawn(self, coroutine: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run a coroutine in a task the bot keeps (and cancels on close); its exception is logged, never lost."""
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("Background task %s failed", task.get_name(), exc_info=error)

    async def close(self) -> None:
        self.live.unsubscribe(self._engine_swapped)
        for task in list(self._tasks):
            task.cancel()
        await super().close()

    # -- answering ------------------------------------------------------------------------

    def ask(self, text: str, key: tuple[int, int], asked: Asked | None = None) -> Reply:
        """The engine's reply to text, in the conversation kept for key (channel, user); recorded when asked is given."""
        last = self.memory.last(key)
        reply = self.engine.answer(text, Context.after(last) if last else Context())
        self.memory.remember(key, reply)
        if asked is not None:
            self.recorder.question(asked, text, reply)  # queued: the answer never waits on the store
        return reply

    # -- live reload ------------------------------------------------------------------------

    async def reload_data(self) -> ReloadOutcome:
        """Load the data again and swap the engine whole, or keep it and say why (SIGHUP, /reload)."""
        return await self.live.reload_async()

    def _engine_swapped(self, old: Engine, new: Engine) -> None:
        # /timeline and /source offer the years and paragraphs as choices: rebuild them when those changed.
        if (old.years, old.paragraph_count) != (new.years, new.paragraph_count) and not self.is_closed():
            self.spawn(self._refresh_commands(), name="refresh-commands")

    async def _refresh_commands(self) -> None:
        try:
            await self.reload_extension(COMMANDS_EXTENSION)
        except Exception:
            log.exception("Could not rebuild the slash commands after a reload")
            return
        if self.sync_mode != "never" and self.syncs_commands:
            await self._sync_until_done()  # refused syncs are logged and tried again, as at start

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the QA cog answers messages."""

    # -- health ---------------------------------------------------------------------------

    def gateway_alive(self) -> bool:
        """Whether the bot is ready and its gateway connection is open."""
        if self.is_closed() or not self.is_ready():
            return False
        ws = self.ws
        return ws is not None and ws.open

    async def _keep_heartbeat(self) -> None:
        """Touch the heartbeat file while the gateway is alive; `python -m bot health` reads its age."""
        path = state.heartbeat_path(self.settings)
        failing = False
        await self.wait_until_ready()
        while True:
            if self.gateway_alive():
                try:
                    state.touch(path)
                    failing = False
                except OSError as error:
                    if not failing:
                        log.warning("Cannot touch the heartbeat file %s (%s); `health` will report the bot down", path, error)
                    failing = True
            await asyncio.sleep(self.heartbeat_seconds)

    # -- command sync ---------------------------------------------------------------------

    def _sync_target(self) -> discord.Object | None:
        guild = discord.Object(self.settings.guild_id) if self.settings.guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        return guild

    async def sync_commands(self, *, force: bool) -> list[app_commands.AppCommand] | None:
        """Push the slash commands to DISCORD_GUILD_ID, or globally, unless Discord already has them.

        The digest of the last push is kept in the state dir; when it matches, one GET asks Discord
        whether it still has every command (someone may have deleted them), and only then is the
        push skipped.
        """
        guild = self._sync_target()
        digest = command_hash(self.tree, guild)
        path = hash_path(self.settings.state_dir, self.application_id, guild)
        where = f"guild {guild.id}" if guild else "all servers (global)"
        if not force and state.read_digest(path) == digest:
            differs = await self._differs_on_discord(guild)
            if not differs:
                log.info("Slash commands unchanged since the last sync, and Discord has them all; not syncing")
                return None
            log.warning("Discord's slash commands differ from the last sync (%s); syncing again", differs)
        self.synced = await self.tree.sync(guild=guild)
        log.info("Synced %d slash commands to %s", len(self.synced), where)
        try:
            state.write_text(path, digest + "\n")
        except OSError as error:
            log.warning("Cannot keep the command hash in %s (%s); will sync again", path, error)
        if guild is None:
            self._hint_guild_copies()
        return self.synced

    async def _differs_on_discord(self, guild: discord.abc.Snowflake | None) -> str | None:
        """How Discord's commands differ from ours (names and types only), or None."""
        remote = await self.tree.fetch_commands(guild=guild)
        theirs = {(command.type.value, command.name) for command in remote}
        ours = {(int(c.to_dict(self.tree).get("type", 1)), c.name) for c in self.tree.get_commands(guild=guild)}
        missing = sorted(name for _, name in ours - theirs)
        extra = sorted(name for _, name in theirs - ours)
        parts = [f"missing {', '.join(missing)}"] * bool(missing) + [f"unknown {', '.join(extra)}"] * bool(extra)
        return "; ".join(parts) or None

    def _hint_guild_copies(self) -> None:
        """After a global sync, name the guilds that still hold a copy from an earlier guild sync."""
        prefix = f"commands-{self.application_id or 'unknown'}-guild-"
        for path in sorted(self.settings.state_dir.glob(f"{prefix}*.sha256")):
            guild_id = path.name.removeprefix(prefix).removesuffix(".sha256")
            log.warning(
                "Guild %s still has the slash commands of an earlier guild sync, so they show twice there; "
                "run `python -m bot sync --clear-guild %s` to remove that copy",
                guild_id,
                guild_id,
            )

    async def clear_guild_commands(self, guild_id: int) -> None:
        """Remove every slash command this bot has in one guild (the copy a guild sync left)."""
        guild = discord.Object(guild_id)
        self.tree.clear_commands(guild=guild)
        await self.tree.sync(guild=guild)
        hash_path(self.settings.state_dir, self.application_id, guild).unlink(missing_ok=True)

    async def _sync_until_done(self) -> None:
        """Sync in the background; when Discord refuses, log its answer and try again later."""
        attempt = 0
        while True:
            try:
                await self.sync_commands(force=False)
                return
            except discord.HTTPException as error:
                delay = self.sync_retry_delays[min(attempt, len(self.sync_retry_delays) - 1)]
                body = " ".join(error.text.split()) or "(no body)"
                log.error(
                    "Slash command sync failed: Discord answered %s (code %s): %s. Messages, mentions and DMs "
                    "are answered meanwhile; trying the sync again in %.0f s",
                    error.status,
                    error.code,
                    body,
                    delay,
                )
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                delay = self.sync_retry_delays[min(attempt, len(self.sync_retry_delays) - 1)]
                log.warning("Slash command sync failed (%s); trying again in %.0f s", error or type(error).__name__, delay)
            attempt += 1
            await asyncio.sleep(delay)

    # -- the error boundary ---------------------------------------------------------------

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """Tell the user, ephemerally; log the traceback of anything unexpected."""
        original = getattr(error, "original", error)
        gone = dead_reason(original)
        if gone is not None:
            log.info("Dropped the reply to %s: %s", ui.describe(interaction), gone)
            return
        if isinstance(error, ui.OnCooldown):
            text = str(error)
        elif isinstance(error, app_commands.TransformerError):
            # Discord may still offer choices from an older sync (/source paragraph:999).
            log.warning("%s got %r, which is not one of its choices any more", ui.describe(interaction), error.value)
            offered = ", ".join(choice_names(interaction))
            text = f"{error.value!r} is not one of the choices any more" + (f"; pick one of: {offered}." if offered else ".")
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use that here."
        elif isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning("Discord has stale slash commands (%s); run `python -m bot sync`", error)
            text = "That command is out of date. Please try again in a minute."
        else:
            log.error("Error while handling %s", ui.describe(interaction), exc_info=original)
            text = render.APOLOGY
        try:
            await ui.send_notice(interaction, text)
        except discord.HTTPException as failure:
            log.warning("Could not send the notice for %s: %s", ui.describe(interaction), failure)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Events' error boundary: log the traceback, apologise for a failed answer, go on."""
        error = sys.exc_info()[1]
        gone = dead_reason(error) if error is not None else None
        if gone is not None:
            log.info("Dropped what %s was sending: %s", event_method, gone)
            return
        log.exception("Error in %s", event_method)
        message = args[0] if args and isinstance(args[0], discord.Message) else None
        if event_method == "on_message" and message is not None and ui.may_answer(message):
            try:
                await ui.notify(message, render.APOLOGY, self.delivery)
            except discord.HTTPException as failure:
                log.warning("Could not send the apology: %s", failure)

    async def on_ready(self) -> None:
        self.reached_ready = True
        user = self.user
        channels = ", ".join(map(str, sorted(self.settings.channels))) or "none"
        log.info(
            "Ready as %s (id %s) in %d servers; answering every message in channels: %s",
            user,
            user.id if user else "?",
            len(self.guilds),
            channels if self.intents.message_content else "off (no message content intent)",
        )


def choice_names(interaction: discord.Interaction[Any]) -> list[str]:
    """The choices the interaction's command offers today (its first parameter that has any)."""
    try:
        command = interaction.command
    except Exception:  # the command is looked up from the interaction's data, which may be odd
        return []
    if isinstance(command, app_commands.Command):
        for parameter in command.parameters:
            if parameter.choices:
                return [choice.name for choice in parameter.choices]
    return []


class ShardedQABot(QABot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot, for SHARD_COUNT / SHARD_IDS."""

    def gateway_alive(self) -> bool:
        """Whether the bot is ready and every shard's connection is open."""
        if self.is_closed() or not self.is_ready() or not self.shards:
            return False
        return not any(shard.is_closed() for shard in self.shards.values())


# The cogs type the bot they are given as AnswerBot; these lines make mypy check that both bots are one.
_CHECKED_BOTS: tuple[type[AnswerBot], ...] = (QABot, ShardedQABot)


def create_bot(
    settings: Settings,
    engine: Engine | LiveEngine,
    *,
    recorder: Recorder | None = None,
    scores: ScoreKeeper | None = None,
    message_content: bool | None = None,
    sync_mode: SyncMode = "auto",
    **options: Any,
) -> QABot:
    """A bot for these settings: sharded when SHARD_COUNT is set, at the configured endpoints."""
    use_endpoints(settings)
    content = settings.message_content if message_content is None else message_content
    if settings.sharded:
        count = settings.shard_count
        return ShardedQABot(
            settings,
            engine,
            recorder=recorder,
            scores=scores,
            message_content=content,
            sync_mode=sync_mode,
            shard_count=count if isinstance(count, int) else None,  # None: discord.py asks Discord (auto)
            shard_ids=list(settings.shard_ids) if settings.shard_ids else None,
            **options,
        )
    return QABot(settings, engine, recorder=recorder, scores=scores, message_content=content, sync_mode=sync_mode, **options)


def command_hash(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None) -> str:
    """A digest of the commands as Discord would receive them, to sync only on change."""
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands(guild=guild)),
        key=lambda c: (c.get("type", 1), c["name"]),
    )
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def hash_path(state_dir: Path, application_id: int | None, guild: discord.abc.Snowflake | None) -> Path:
    """Where the digest of the last sync is kept, per application and target."""
    target = f"guild-{guild.id}" if guild else "global"
    return state_dir / f"commands-{application_id or 'unknown'}-{target}.sha256"


def invite_url(settings: Settings) -> str:
    """The OAuth2 URL that adds the bot to a server, with the scopes and permissions it needs."""
    application_id = settings.application_id or application_id_from_token(settings.token)
    if application_id is None:
        raise UsageError(
            "invite needs the application id: set DISCORD_APPLICATION_ID "
            "(Developer Portal > General Information) or DISCORD_TOKEN"
        )
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def serve(
    settings: Settings,
    engine: Engine | LiveEngine,
    *,
    restart_delays: tuple[float, ...] = RESTART_DELAYS,
    max_restarts: int = MAX_RESTARTS,
    **options: Any,
) -> int:
    """Run the bot until it is closed; the exit code says how it ended.

    One process per bot, state dir and shard: a second one is refused with a clear message (1).
    A rejected token and the gateway's other fatal close codes end with a clear message and 1.
    If Discord refuses the message content intent, the bot says why in its log and connects
    again without it, so slash commands, mentions and DMs keep working. Anything unexpected is
    logged once and the client is brought back with backoff; after max_restarts in a row that
    never reached READY, the bot ends with one line and 1. The question history is recorded
    (unless BOT_HISTORY=off) from start to end, and what is queued is written on the way out.
    """
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        lock = state.ProcessLock.for_settings(settings)
        lock.acquire()
    except state.AlreadyRunning as refused:
        print(refused, file=sys.stderr)
        return 1
    except OSError as error:
        log.warning("Cannot take the process lock in %s (%s); a second process would not be noticed", settings.state_dir, error)
        lock = None
    try:
        live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine, settings.data_dir)
        recorder = recorder_for(settings)
        scores = scores_for(settings, recorder.store)  # kept with BOT_HISTORY=off too: a leaderboard is not history
        recorder.start()
        try:
            return await _serve(settings, settings.token, live, recorder, scores, restart_delays, max_restarts, options)
        finally:
            await recorder.close()
            await scores.close()
    finally:
        if lock is not None:
            lock.release()


async def _serve(
    settings: Settings,
    token: str,
    live: LiveEngine,
    recorder: Recorder,
    scores: ScoreKeeper,
    restart_delays: tuple[float, ...],
    max_restarts: int,
    options: dict[str, Any],
) -> int:
    message_content = settings.message_content
    restarts = 0
    while True:
        bot = create_bot(settings, live, recorder=recorder, scores=scores, message_content=message_content, **options)
        try:
            async with bot:
                await bot.start(token)
            return 0
        except discord.LoginFailure:
            print(REJECTED_TOKEN.format(how="401 Unauthorized"), file=sys.stderr)
            return 1
        except discord.PrivilegedIntentsRequired:
            if not message_content:
                print("Discord refused a privileged intent the bot did not ask for (close code 4014).", file=sys.stderr)
                return 1
            log.warning(CONTENT_REFUSED)
            message_content = False
            continue
        except discord.ConnectionClosed as error:
            if error.code in FATAL_CLOSE_CODES:
                print(FATAL_CLOSE_CODES[error.code], file=sys.stderr)
                return 1
            cause = f"Discord closed the gateway with code {error.code}"
        except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as error:
            if not bot.reached_ready:
                print(f"Cannot reach Discord: {_one_line(error)}", file=sys.stderr)
                return 1
            cause = _one_line(error)
        except discord.HTTPException as error:
            if error.status < 500 and error.status != 429:
                print(f"Discord answered {error.status} while logging in: {' '.join(error.text.split())}", file=sys.stderr)
                return 1
            cause = f"Discord answered {error.status}"
        except Exception as error:
            log.error("The Discord client stopped on an unexpected error: %s", _one_line(error), exc_info=error)
            cause = _one_line(error)
        restarts = 1 if bot.reached_ready else restarts + 1
        if restarts > max_restarts:
            print(
                f"The bot stopped: {cause}. It was restarted {max_restarts} times in a row without getting "
                "back to work; see the log above.",
                file=sys.stderr,
            )
            return 1
        delay = restart_delays[min(restarts - 1, len(restart_delays) - 1)]
        log.warning("Bringing the Discord client back in %.0f s (it stopped: %s)", delay, cause)
        await asyncio.sleep(delay)


async def _serve_until_signal(settings: Settings, engine: Engine) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    live = LiveEngine(engine, settings.data_dir)
    reloads: set[asyncio.Task[ReloadOutcome]] = set()

    def reload_on_sighup() -> None:
        log.info("SIGHUP: reloading the data from %s", live.where)
        task = loop.create_task(live.reload_async())  # it logs its outcome
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGHUP, reload_on_sighup)
    serving = asyncio.create_task(serve(settings, live))
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        stopping.cancel()
        return serving.result()
    log.info("Stopping on SIGTERM")
    serving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await serving
    return 0


def run(settings: Settings) -> int:
    """`python -m bot run`: connect to Discord and answer until stopped; returns the exit code."""
    setup_logging(settings)
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    engine = Engine.load(settings.data_dir)
    try:
        return asyncio.run(_serve_until_signal(settings, engine))
    except KeyboardInterrupt:
        return 0
    except Exception as error:  # the promised one line, not a traceback; the traceback is in the log at DEBUG
        log.debug("The bot stopped on an unexpected error", exc_info=error)
        print(f"The bot stopped on an unexpected error: {_one_line(error)}", file=sys.stderr)
        return 1


async def sync_now(settings: Settings, engine: Engine, *, clear_guild: int | None = None, **options: Any) -> int:
    """Log in over HTTP only, then push the slash commands (or clear one guild's) and say where they went."""
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    bot = create_bot(settings, engine, sync_mode="never", **options)
    try:
        async with bot:
            await bot.login(settings.token)
            if clear_guild is not None:
                await bot.clear_guild_commands(clear_guild)
            else:
                await bot.sync_commands(force=True)
    except discord.LoginFailure:
        print(REJECTED_TOKEN.format(how="401 Unauthorized"), file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError) as error:
        print(f"Cannot reach Discord: {_one_line(error)}", file=sys.stderr)
        return 1
    except discord.HTTPException as error:
        print(f"Discord answered {error.status} while syncing: {' '.join(error.text.split())}", file=sys.stderr)
        return 1
    if clear_guild is not None:
        print(f"Removed every slash command of this bot from guild {clear_guild}.")
        return 0
    count = len(bot.synced or [])
    if settings.guild_id:
        print(f"Synced {count} slash commands to guild {settings.guild_id}; they show at once.")
    else:
        print(f"Synced {count} slash commands globally; Discord may take a while to show them.")
    return 0


def sync(settings: Settings, *, clear_guild: int | None = None) -> int:
    """`python -m bot sync`: push the slash commands now, changed or not (or clear one guild's)."""
    setup_logging(settings)
    return asyncio.run(sync_now(settings, Engine.load(settings.data_dir), clear_guild=clear_guild))
