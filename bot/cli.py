"""The command line: run, chat, ask, check, timeline, eval, bench, invite, sync. Each returns an exit code."""

from __future__ import annotations

import argparse
import json
import sys
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
    bench = commands.add_parser("bench", help="time the engine on a question set")
    bench.add_argument("file", type=Path, nargs="?", help="question set (default: the built-in examples)")
    bench.add_argument("--rounds", type=int, default=20)
    commands.add_parser("invite", help="print the OAuth2 URL that adds the bot to a server")
    commands.add_parser("sync", help="push the slash commands to Discord now")
    return parser


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
    from bot.engine import Engine

    engine = Engine.load()
    if command == "check":
        from bot.picture import check

        check(engine.knowledge)
        print(
            f"ok: {len(engine.knowledge.facts)} facts, {len(engine.intents)} intents, "
            f"{sum(len(i.templates) for i in engine.intents)} templates"
        )
        return 0
    if command == "ask":
        return _ask(engine, args.question, as_json=args.json)
    if command == "timeline":
        return _timeline(engine, args.year, args.png)
    if command == "chat":
        from bot.console import chat

        return chat(engine, sys.stdin, sys.stdout)
    if command == "eval":
        from bot.evaluation import evaluate, format_report

        report = evaluate(engine, _read_questions(args.file))
        print(format_report(report))
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


def _ask(engine: Engine, question: str, *, as_json: bool) -> int:
    from bot.engine import Context
    from bot.render import to_text

    lines: Iterator[str] = (line.rstrip("\n") for line in sys.stdin) if question == "-" else iter([question])
    context = Context()
    for line in lines:
        reply = engine.answer(line, context)
        context = Context.after(reply)
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
    return rows
