"""The bot on Discord: the Bot subclass, its error boundary, command sync, and run / invite / sync.

The engine is loaded once by `run` and handed to the bot inside a LiveEngine, which
SIGHUP and /reload swap whole. The cogs are extensions loaded by name in setup_hook;
they get the bot in their `setup(bot)` and reach the engine as `bot.engine`, without
importing this module. `serve` owns the question history's recorder and the quiz scores' keeper.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any, Literal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.discord import ui
from bot.discord.memory import Memory
from bot.discord.protocol import AnswerBot
from bot.discord.throttle import Throttle
from bot.engine import Context, Engine
from bot.errors import UsageError
from bot.models import Reply
from bot.reload import LiveEngine, ReloadOutcome
from bot.settings import Settings
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
Discord rejected DISCORD_TOKEN (401 Unauthorized): it is wrong, or it was reset.
Open https://discord.com/developers/applications, pick the application, open
"Bot", press "Reset Token", and set DISCORD_TOKEN to the new token."""

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


def setup_logging(settings: Settings) -> None:
    """discord.py's logging set-up at LOG_LEVEL, with the token filtered out of every line."""
    handler = logging.StreamHandler()
    handler.addFilter(TokenFilter(settings.token))
    discord.utils.setup_logging(handler=handler, level=settings.log_level, root=True)


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
        **options: Any,
    ) -> None:
        # The bot never joins voice: skip discord.py's warnings about missing voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        intents.message_content = message_content
        intents.typing = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
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
        self.throttle = Throttle(settings.cooldown_rate, settings.cooldown_seconds)
        self.memory = Memory()
        self.synced: list[app_commands.AppCommand] | None = None
        self._background: set[asyncio.Task[None]] = set()

    @property
    def engine(self) -> Engine:
        """The engine in use now: read once per question, so a reload never mixes two engines in one answer."""
        return self.live.engine

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ui.AskButton, ui.SourceButton, ui.VoteButton)
        self.live.subscribe(self._engine_swapped)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.intents.message_content:
            level = logging.WARNING if self.settings.channels else logging.INFO
            log.log(level, CONTENT_OFF)
        if self.sync_mode != "never":
            await self.sync_commands(force=self.sync_mode == "force")

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
            task = asyncio.get_running_loop().create_task(self._refresh_commands())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _refresh_commands(self) -> None:
        try:
            await self.reload_extension(COMMANDS_EXTENSION)
            if self.sync_mode != "never":
                await self.sync_commands(force=False)
        except Exception:
            log.exception("Could not rebuild the slash commands after a reload")

    async def close(self) -> None:
        self.live.unsubscribe(self._engine_swapped)
        await super().close()

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the QA cog answers messages."""

    # -- command sync ---------------------------------------------------------------------

    async def sync_commands(self, *, force: bool) -> list[app_commands.AppCommand] | None:
        """Push the slash commands to DISCORD_GUILD_ID, or globally, when they changed."""
        guild = discord.Object(self.settings.guild_id) if self.settings.guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        digest = command_hash(self.tree, guild)
        path = hash_path(self.settings.state_dir, self.application_id, guild)
        where = f"guild {guild.id}" if guild else "all servers (global)"
        if not force and _read(path) == digest:
            log.info("Slash commands unchanged since the last sync; not syncing")
            return None
        self.synced = await self.tree.sync(guild=guild)
        log.info("Synced %d slash commands to %s", len(self.synced), where)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(digest + "\n", encoding="utf-8")
        except OSError as exc:
            log.warning("Cannot keep the command hash in %s (%s); will sync again", path, exc)
        return self.synced

    # -- the error boundary ---------------------------------------------------------------

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """Tell the user, ephemerally; log the traceback of anything unexpected."""
        if isinstance(error, ui.OnCooldown):
            text = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use that here."
        elif isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning("Discord has stale slash commands (%s); run `python -m bot sync`", error)
            text = "That command is out of date. Please try again in a minute."
        else:
            original = getattr(error, "original", error)
            log.error("Error while handling %s", describe(interaction), exc_info=original)
            text = render.APOLOGY
        try:
            await ui.send_notice(interaction, text)
        except discord.HTTPException:
            log.warning("Could not send the notice for %s", describe(interaction), exc_info=True)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Events' error boundary: log the traceback, apologise for a failed answer, go on."""
        log.exception("Error in %s", event_method)
        message = args[0] if args and isinstance(args[0], discord.Message) else None
        if event_method == "on_message" and message is not None:
            try:
                await ui.notify(message, render.APOLOGY)
            except discord.HTTPException:
                log.warning("Could not send the apology", exc_info=True)

    async def on_ready(self) -> None:
        user = self.user
        channels = ", ".join(map(str, sorted(self.settings.channels))) or "none"
        log.info(
            "Ready as %s (id %s) in %d servers; answering every message in channels: %s",
            user,
            user.id if user else "?",
            len(self.guilds),
            channels if self.intents.message_content else "off (no message content intent)",
        )


class ShardedQABot(QABot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot, for SHARD_COUNT / SHARD_IDS."""


# The cogs type the bot they are given as AnswerBot; these lines make mypy check that both bots are one.
_CHECKED_BOTS: tuple[type[AnswerBot], ...] = (QABot, ShardedQABot)


def describe(interaction: discord.Interaction[Any]) -> str:
    """A log-friendly name for what an interaction was."""
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    return f"component {data.get('custom_id', '?')!r}"


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
        return ShardedQABot(
            settings,
            engine,
            recorder=recorder,
            scores=scores,
            message_content=content,
            sync_mode=sync_mode,
            shard_count=settings.shard_count,
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


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def application_id_from_token(token: str | None) -> int | None:
    """A bot token's first part is its application (user) id, base64-encoded."""
    if not token:
        return None
    head = token.split(".", 1)[0]
    try:
        text = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(text) if text.isdigit() else None


def invite_url(settings: Settings) -> str:
    """The OAuth2 URL that adds the bot to a server, with the scopes and permissions it needs."""
    application_id = settings.application_id or application_id_from_token(settings.token)
    if application_id is None:
        raise UsageError(
            "invite needs the application id: set DISCORD_APPLICATION_ID "
            "(Developer Portal > General Information) or DISCORD_TOKEN"
        )
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


async def serve(settings: Settings, engine: Engine | LiveEngine, **options: Any) -> int:
    """Run the bot until it is closed; the exit code says how it ended.

    A rejected token ends with 1 and a clear message. If Discord refuses the message
    content intent, the bot says why in its log and connects again without it, so
    slash commands, mentions and DMs keep working. The question history is recorded
    (unless BOT_HISTORY=off) from start to end, and what is queued is written on the way out.
    """
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine, settings.data_dir)
    recorder = recorder_for(settings)
    scores = scores_for(settings, recorder.store)  # kept with BOT_HISTORY=off too: a leaderboard is not history
    recorder.start()
    try:
        return await _serve(settings, settings.token, live, recorder, scores, **options)
    finally:
        await recorder.close()
        await scores.close()


async def _serve(
    settings: Settings, token: str, live: LiveEngine, recorder: Recorder, scores: ScoreKeeper, **options: Any
) -> int:
    message_content = settings.message_content
    while True:
        bot = create_bot(settings, live, recorder=recorder, scores=scores, message_content=message_content, **options)
        try:
            async with bot:
                await bot.start(token)
            return 0
        except discord.LoginFailure:
            print(REJECTED_TOKEN, file=sys.stderr)
            return 1
        except discord.PrivilegedIntentsRequired:
            if not message_content:
                log.error("Discord refused a privileged intent the bot did not ask for")
                return 1
            log.warning(CONTENT_REFUSED)
            message_content = False
        except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as exc:
            print(f"Cannot reach Discord: {exc}", file=sys.stderr)
            return 1
        except discord.HTTPException as exc:
            print(f"Discord answered {exc.status} while logging in: {exc.text}", file=sys.stderr)
            return 1
        except discord.ConnectionClosed as exc:
            print(f"Discord closed the connection (code {exc.code}): {exc.reason}", file=sys.stderr)
            return 1


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


async def sync_now(settings: Settings, engine: Engine, **options: Any) -> int:
    """Log in over HTTP only, push the slash commands, and report where they went."""
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    bot = create_bot(settings, engine, sync_mode="force", **options)
    try:
        async with bot:
            await bot.login(settings.token)
    except discord.LoginFailure:
        print(REJECTED_TOKEN, file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError) as exc:
        print(f"Cannot reach Discord: {exc}", file=sys.stderr)
        return 1
    except discord.HTTPException as exc:
        print(f"Discord answered {exc.status} while syncing: {exc.text}", file=sys.stderr)
        return 1
    count = len(bot.synced or [])
    if settings.guild_id:
        print(f"Synced {count} slash commands to guild {settings.guild_id}; they show at once.")
    else:
        print(f"Synced {count} slash commands globally; Discord may take a while to show them.")
    return 0


def sync(settings: Settings) -> int:
    """`python -m bot sync`: push the slash commands now, whether or not they changed."""
    setup_logging(settings)
    return asyncio.run(sync_now(settings, Engine.load(settings.data_dir)))
