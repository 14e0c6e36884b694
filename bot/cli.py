"""The command line: run, chat, ask, check, timeline, eval, bench, invite, sync, misses, stats. Each returns an exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot.errors import BotError, DataError, UsageError

if TYPE_CHECKING:
    from bot.engine import Engine

USAGE_EXIT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = _Parser(prog="python -m bot", description="Answers questions about one news article, with citations.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("run", help="run on Discord (needs DISCORD_TOKEN)")
    commands.add_parser("chat", help="talk to the bot in this terminal")
    ask = commands.add_parser("ask", help="answer one question, or one per line of stdin with '-'")
    ask.add_argument("question", help="the question, or - to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer (the batch contract)")
    commands.add_parser("check", help="validate the data files")
    timeline = commands.add_parser("timeline", help="print the timeline; with --png, also draw it as a picture")
    timeline.add_argument("--year", type=int, metavar="YYYY", help="only that year's events (highlighted in the picture)")
    timeline.add_argument("--png", type=Path, metavar="FILE", help="write the timeline picture to FILE")
    evaluate = commands.add_parser("eval", help="score a question set (JSON lines) and list every miss")
    evaluate.add_argument("file", type=Path)
    labelling = commands.add_parser("label", help="turn a scored question set into labelled examples (YAML on stdout)")
    labelling.add_argument("file", type=Path)
    bench = commands.add_parser("bench", help="time the engine on a question set")
    bench.add_argument("file", type=Path, nargs="?", help="question set (default: the built-in examples)")
    bench.add_argument("--rounds", type=int, default=20)
    commands.add_parser("invite", help="print the OAuth2 URL that adds the bot to a server")
    commands.add_parser("sync", help="push the slash commands to Discord now")
    misses = commands.add_parser("misses", help="questions declined, clarified or voted down, grouped by wording")
    misses.add_argument("--days", type=_days, default=DEFAULT_DAYS, help=f"how far back (default {DEFAULT_DAYS})")
    misses.add_argument("--guild", type=_guild, help="one server's questions only (its id)")
    misses.add_argument("--json", action="store_true", help="one JSON object per group and line")
    misses.add_argument("--export", type=Path, metavar="FILE.jsonl", help="write the groups as a question set to fill in")
    stats = commands.add_parser("stats", help="totals: answered, declined, clarified, votes, top intents")
    stats.add_argument("--days", type=_days, default=DEFAULT_DAYS, help=f"how far back (default {DEFAULT_DAYS})")
    stats.add_argument("--guild", type=_guild, help="one server's questions only (its id)")
    stats.add_argument("--json", action="store_true", help="one JSON object")
    return parser


DEFAULT_DAYS = 30


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        days = -1.0
    if not 0 < days <= 36500:
        raise argparse.ArgumentTypeError(f"--days must be a number of days above 0, got {value!r}")
    return days


def _guild(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**63:
        raise argparse.ArgumentTypeError(f"--guild must be a server id (digits only), got {value!r}")
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `article-bot` script."""
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
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


def _dispatch(args: argparse.Namespace) -> int:
    command: str = args.command
    if command in ("run", "invite", "sync"):
        return _discord(command)
    if command in ("misses", "stats"):
        return _history(args)
    from bot.engine import Engine
    from bot.reload import summary

    data_dir = _data_dir()
    engine = Engine.load(data_dir)
    if command == "check":
        from bot.picture import check

        check(engine.knowledge)
        print(f"ok: {summary(engine)}")
        return 0
    if command == "ask":
        return _ask(engine, args.question, as_json=args.json)
    if command == "timeline":
        return _timeline(engine, args.year, args.png)
    if command == "chat":
        from bot.console import chat
        from bot.reload import LiveEngine

        return chat(LiveEngine(engine, data_dir), sys.stdin, sys.stdout)
    if command == "eval":
        from bot.evaluation import evaluate, format_report

        report = evaluate(engine, _read_questions(args.file))
        print(format_report(report))
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


def _discord(command: str) -> int:
    import os

    from bot.discord import app
    from bot.settings import Settings

    settings = Settings.from_env(os.environ)
    if command == "invite":
        print(app.invite_url(settings))
        return 0
    return app.sync(settings) if command == "sync" else app.run(settings)


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

    lines: Iterator[str] = (line.rstrip("\n") for line in sys.stdin) if question == "-" else iter([question])
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
        handle: TextIO = path.open(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    rows = []
    with handle:
        for number, line in enumerate(handle, 1):
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
