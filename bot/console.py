"""The console chat: the bot's front end when there is no Discord token."""

from __future__ import annotations

from typing import TextIO

from bot.engine import Context, Engine
from bot.models import Reply
from bot.reload import LiveEngine
from bot.render import to_text

PROMPT = "you> "
COMMANDS = "/ask QUESTION, /timeline [YEAR], /facts TOPIC, /source N, /about, /help, /reload, /quit"


def chat(engine: Engine | LiveEngine, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions and slash commands until /quit, end of input or Ctrl-C; /reload reads the data again."""
    live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine)
    interactive = stdin.isatty()
    print(f"Ask me about “{live.engine.title}”. Commands: {COMMANDS}", file=stdout)
    context = Context()
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line:
            print("bye", file=stdout)
            return 0
        line = line.strip()
        if not line:
            continue
        if line.split()[0] in ("/quit", "/exit"):
            print("bye", file=stdout)
            return 0
        if line.split()[0] == "/reload":
            print(live.reload().message + "\n", file=stdout, flush=True)
            continue
        reply = command(live.engine, line, context)
        context = Context.after(reply)
        print(to_text(reply) + "\n", file=stdout, flush=True)


def command(engine: Engine, line: str, context: Context) -> Reply:
    """A console line as the slash command it names, or as a question."""
    name, _, rest = line.partition(" ")
    rest = rest.strip()
    if name == "/timeline":
        return engine.timeline(int(rest) if rest.isdigit() else None)
    if name == "/facts":
        return engine.profile(rest) if rest else engine.help()
    if name == "/source":
        return engine.source(int(rest)) if rest.isdigit() else engine.help()
    if name in ("/help", "/about"):
        return engine.help()
    if name == "/ask":
        return engine.answer(rest, context)
    return engine.answer(line, context)
