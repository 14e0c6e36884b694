"""The command line: run, chat, ask, check, timeline, eval, bench, invite, sync, health, misses, stats.

Each command returns an exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot import __version__
from bot.errors import BotError, DataError, UsageError
from bot.settings import Settings, decimal_number, whole_number

if TYPE_CHECKING:
    from bot.engine import Engine

USAGE_EXIT = 2
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a tool that a closed pipe stopped


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _seconds(text: str) -> float:
    seconds = decimal_number(text)
    if seconds is None or seconds <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


def _guild_id(text: str) -> int:
    number = whole_number(text)
    if number is None or number == 0:
        raise argparse.ArgumentTypeError(f"expected a Discord server id (digits only), got {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = _Parser(
        prog="python -m bot",
        description="Answers questions about one news article, always quoting it.",
        epilog="`python -m bot COMMAND --help` says more about each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=_Parser)

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {details}")

    command(
        "run",
        "run on Discord (needs DISCORD_TOKEN)",
        "Connects to Discord and answers until stopped (Ctrl-C or SIGTERM). Configured by environment variables; "
        "see README.md. One process per bot, state dir and shard.",
    )
    command(
        "chat",
        "talk to the bot in this terminal",
        "Questions and the slash commands (/timeline, /facts, /source, /help); /quit ends.",
    )
    ask = command(
        "ask",
        "answer one question, or one per line of stdin with '-'",
        "Prints the answer with its quotes; with --json, one JSON object per answer (the batch contract).",
    )
    ask.add_argument("question", help="the question, or - to read one per line from stdin (UTF-8)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer (the batch contract)")
    command(
        "check",
        "validate the data files",
        "Reports every problem in intents/ at once, each with its file and key; exits 1 if there is any. "
        "Also lays out the timeline picture.",
    )
    timeline = command(
        "timeline",
        "print the timeline; with --png, also draw it as a picture",
        "The article's dated events in order, as the bot's /timeline shows them.",
    )
    timeline.add_argument("--year", type=int, metavar="YYYY", help="only that year's events (highlighted in the picture)")
    timeline.add_argument("--png", type=Path, metavar="FILE", help="write the timeline picture to FILE")
    evaluate = command(
        "eval",
        "score a question set (JSON lines) and list every miss",
        'Each line is {"q": QUESTION, "expect": ...}; prints accuracy, declines, wrong answers and per-intent figures.',
    )
    evaluate.add_argument("file", type=Path, help="the question set (JSON lines, UTF-8)")
    evaluate.add_argument("--save", type=Path, metavar="RUN.json", help="keep each question's outcome, to compare with later")
    evaluate.add_argument(
        "--baseline", type=Path, metavar="RUN.json", help="list the questions whose outcome changed since a saved run"
    )
    labelling = command(
        "label",
        "turn a scored question set into labelled examples (YAML on stdout)",
        "Each answerable question goes under the intent whose own answer passes it (the matcher breaks ties); "
        "each must-decline question is a near-miss. Review, then save under intents/examples/.",
    )
    labelling.add_argument("file", type=Path, help="the question set (JSON lines, UTF-8)")
    bench = command(
        "bench",
        "time the engine on a question set",
        "Prints p50/p99 of engine.answer, answers per second, start-up time and memory.",
    )
    bench.add_argument("file", type=Path, nargs="?", help="question set (default: the built-in examples)")
    bench.add_argument("--rounds", type=int, default=20, help="passes over the questions (default 20)")
    command("invite", "print the OAuth2 URL that adds the bot to a server", "Needs DISCORD_TOKEN or DISCORD_APPLICATION_ID.")
    sync = command(
        "sync",
        "push the slash commands to Discord now",
        "Pushes them to DISCORD_GUILD_ID, or globally, changed or not. `run` syncs by itself when they change.",
    )
    sync.add_argument(
        "--clear-guild",
        type=_guild_id,
        metavar="GUILD_ID",
        help="instead, remove the bot's commands from one server (left there by an earlier guild sync)",
    )
    health = command(
        "health",
        "exit 0 if the running bot's gateway is alive",
        "Reads the heartbeat file that `run` touches every 30 s while its gateway is up (Docker's HEALTHCHECK).",
    )
    health.add_argument(
        "--max-age",
        type=_seconds,
        default=state_max_age(),
        metavar="SECONDS",
        help="how old the heartbeat may be (default %(default).0f)",
    )
    history_help = "Reads the question history the bot keeps (DATABASE_URL, or SQLite in BOT_STATE_DIR)."
    misses = command("misses", "questions declined, clarified or voted down, grouped by wording", history_help)
    misses.add_argument("--days", type=_days, default=DEFAULT_DAYS, help=f"how far back (default {DEFAULT_DAYS})")
    misses.add_argument("--guild", type=_guild, help="one server's questions only (its id)")
    misses.add_argument("--json", action="store_true", help="one JSON object per group and line")
    misses.add_argument("--export", type=Path, metavar="FILE.jsonl", help="write the groups as a question set to fill in")
    stats = command("stats", "totals: answered, declined, clarified, votes, top intents", history_help)
    stats.add_argument("--days", type=_days, default=DEFAULT_DAYS, help=f"how far back (default {DEFAULT_DAYS})")
    stats.add_argument("--guild", type=_guild, help="one server's questions only (its id)")
    stats.add_argument("--json", action="store_true", help="one JSON object")
    return parser


DEFAULT_DAYS = 30


def _days(value: str) -> float:
    days = decimal_number(value)
    if days is None or not 0 < days <= 36500:
        raise argparse.ArgumentTypeError(f"--days must be a number of days above 0, got {value!r}")
    return days


def _guild(value: str) -> int:
    number = whole_number(value)
    if number is None or not 0 < number < 2**63:
        raise argparse.ArgumentTypeError(f"--guild must be a server id (digits only), got {value!r}")
    return number


def state_max_age() -> float:
    """The default age limit of the heartbeat (bot.state, imported late: it is not needed by ask)."""
    from bot.state import HEALTH_MAX_AGE

    return HEALTH_MAX_AGE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `article-bot` script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            print(parser.format_help(), end="", file=sys.stderr)
            return USAGE_EXIT
        return _dispatch(args)
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_EXIT
    except DataError as exc:
        print(f"data error: {exc}", file=sys.stderr)
        return 1
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`ask --json - | head`): stop quietly, as a tool killed by SIGPIPE does.
        _drop_stdout()
        return BROKEN_PIPE_EXIT


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _dispatch(args: argparse.Namespace) -> int:
    command: str = args.command
    if command in ("run", "invite", "sync"):
        return _discord(command, args)
    if command == "health":
        return _health(args.max_age)
    if command == "check":
        return _check(_data_dir())
    if command in ("misses", "stats"):
        return _history(args)
    from bot.engine import Engine

    data_dir = _data_dir()
    engine = Engine.load(data_dir)
    if command == "ask":
        return _ask(engine, args.question, as_json=args.json)
    if command == "timeline":
        return _timeline(engine, args.year, args.png)
    if command == "chat":
        from bot.console import chat
        from bot.reload import LiveEngine

        return chat(LiveEngine(engine, data_dir), sys.stdin, sys.stdout)
    if command == "eval":
        from bot.evaluation import compare, evaluate, format_report

        report = evaluate(engine, _read_questions(args.file))
        baseline: dict[str, str] | None = None
        if args.baseline:
            try:
                baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot read the baseline {args.baseline}: {exc}") from exc
        if args.save:
            args.save.write_text(json.dumps(report.outcomes, ensure_ascii=False, indent=1), encoding="utf-8")
        print(format_report(report))
        if baseline is not None:
            print("\n" + compare(report, baseline))
        return 0
    if command == "label":
        from bot.evaluation import label, labels_yaml

        print(labels_yaml(label(engine, _read_questions(args.file)), args.file.name), end="")
        return 0
    if command == "bench":
        from bot.evaluation import bench, builtin_questions

        questions = [q for q, _ in _read_questions(args.file)] if args.file else builtin_questions(engine)
        print(bench(engine, questions, rounds=max(args.rounds, 1)))
        return 0
    raise UsageError(f"unknown command {command!r}")


def _check(data_dir: Path | None) -> int:
    """Print every problem in the data files (exit 1), or what was loaded (exit 0)."""
    from bot.check import check
    from bot.reload import summary

    problems, engine = check(data_dir)
    if engine is None:
        for problem in problems:
            print(f"data error: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} in the data files", file=sys.stderr)
        return 1
    print(f"ok: {summary(engine)}")
    return 0


def _discord(command: str, args: argparse.Namespace) -> int:
    from bot.discord import app

    settings = Settings.from_env(os.environ)
    if command == "invite":
        print(app.invite_url(settings))
        return 0
    if command == "sync":
        return app.sync(settings, clear_guild=args.clear_guild)
    return app.run(settings)


def _health(max_age: float) -> int:
    """Exit 0 when the heartbeat of the bot these settings describe is younger than max_age seconds."""
    from bot import state

    settings = Settings.from_env(os.environ)
    path = state.heartbeat_path(settings)
    age = state.age(path)
    if age is None:
        print(f"unhealthy: no heartbeat yet ({path} does not exist): the bot is starting, or not running", file=sys.stderr)
        return 1
    if age > max_age:
        print(f"unhealthy: the gateway was last seen alive {age:.0f} s ago (limit {max_age:.0f} s)", file=sys.stderr)
        return 1
    print(f"ok: the gateway was alive {age:.0f} s ago")
    return 0


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin, decoded as UTF-8 strictly: a line that is not UTF-8 is a usage error naming it."""
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:  # already text (tests hand in a StringIO)
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    for number, raw in enumerate(binary, 1):
        try:
            yield raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise UsageError(f"stdin line {number} is not UTF-8 text (byte {raw[exc.start]:#04x}); save it as UTF-8") from None


def _data_dir() -> Path | None:
    """BOT_DATA_DIR when it is set, so that check validates the data the bot runs on (no other setting is read)."""
    from bot.settings import data_dir_from_env

    return data_dir_from_env(os.environ)


def _history(args: argparse.Namespace) -> int:
    """`misses` and `stats`: read the question history the bot keeps (DATABASE_URL, or SQLite in BOT_STATE_DIR)."""
    from bot import feedback
    from bot.settings import Settings
    from bot.store import ALL_GUILDS, MissRow, Stats, Store, open_store

    settings = Settings.from_env(os.environ)
    if not settings.history:
        print("note: BOT_HISTORY is off, so the bot records nothing new; this is what was kept before", file=sys.stderr)
    since = time.time() - args.days * 86400
    guild = args.guild or ALL_GUILDS

    async def read(store: Store) -> Stats | list[MissRow]:
        try:
            return await (store.stats(since, guild) if args.command == "stats" else store.misses(since, guild))
        finally:
            await store.close()

    import asyncio  # only the history's commands need it: `ask` starts without

    result = asyncio.run(read(open_store(settings.database_url, settings.state_dir)))
    if isinstance(result, Stats):
        report = feedback.stats_json(result, args.days, args.guild)
        print(json.dumps(report) if args.json else feedback.stats_text(result, args.days, args.guild))
        return 0
    from bot.engine import Engine

    engine = Engine.load(settings.data_dir)
    groups = feedback.group_misses(result, lambda question: feedback.nearest_intent(engine, question))
    if args.export is not None:
        lines = "".join(json.dumps(g.to_question(), ensure_ascii=False) + "\n" for g in groups)
        try:
            args.export.write_text(lines, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.export}: {exc.strerror}") from exc
        print(f"wrote {len(groups)} questions to {args.export}; fill in each `expect` (shared/eval/FORMAT.md)", file=sys.stderr)
    if args.json:
        for group in groups:
            print(json.dumps(group.to_json(), ensure_ascii=False))
    elif args.export is None:
        print(feedback.misses_text(groups, args.days, args.guild))
    return 0


def _ask(engine: Engine, question: str, *, as_json: bool) -> int:
    from bot.render import to_text

    lines: Iterator[str] = _stdin_lines() if question == "-" else iter([question])
    for line in lines:
        reply = engine.answer(line)  # each line is a question on its own: no conversation carries over
        out = json.dumps(reply.to_json(line), ensure_ascii=False) if as_json else to_text(reply)
        print(out, flush=True)
    return 0


def _timeline(engine: Engine, year: int | None, png: Path | None) -> int:
    """The timeline as text, and as a PNG when asked; 1 when the year has no events."""
    from bot.models import Kind
    from bot.render import to_text

    reply = engine.timeline(year)
    print(to_text(reply))
    if reply.kind is not Kind.ANSWER:
        return 1
    if png is not None:
        from bot.picture import render

        picture = render(engine.knowledge, year)
        try:
            png.write_bytes(picture.png)
        except OSError as exc:
            raise UsageError(f"cannot write {png}: {exc.strerror}") from exc
        width, height = picture.size
        print(f"wrote {png}: {width}x{height}, {len(picture.png) // 1024} KB", file=sys.stderr)
    return 0


def _read_questions(path: Path) -> list[tuple[str, object]]:
    """(question, expect) pairs from a JSON-lines question set; bad lines are a usage error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{path}:{where}: not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((str(row["q"]), row.get("expect")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}:{number}: not a question line ({exc})") from exc
        if row.get("expect", "") is None:
            # A line from `misses --export` whose expectation nobody has written yet.
            raise UsageError(f'{path}:{number}: fill in `expect` first (a list of groups, or "decline")')
    return rows
