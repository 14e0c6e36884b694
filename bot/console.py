"""The console chat: the bot's front end when there is no Discord token."""

from __future__ import annotations

from typing import TextIO

from bot.engine import Context, Engine
from bot.models import Kind, Reply
from bot.reload import LiveEngine
from bot.render import to_text, truncate
from bot.settings import whole_number

PROMPT = "you> "
COMMANDS = "/ask QUESTION, /timeline [YEAR], /facts [TOPIC], /source [N], /about, /help, /reload, /quit"
PARAGRAPH_PREVIEW = 70  # characters of each paragraph that /source without a number shows


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
        if not rest:
            return engine.timeline()
        year = whole_number(rest)
        return engine.timeline(year) if year is not None else _note(f"/timeline takes a year: {_years(engine)}.")
    if name == "/facts":
        return engine.profile(rest) if rest else _note(topics(engine))
    if name == "/source":
        paragraph = whole_number(rest)
        return engine.source(paragraph) if paragraph is not None else _note(paragraphs(engine))
    if name in ("/help", "/about"):
        return engine.help()
    if name == "/ask":
        return engine.answer(rest, context)
    if name.startswith("/") and len(name) > 1 and not name[1:2].isspace():
        return _note(f"{name}: unknown command, try /help")
    return engine.answer(line, context)


def topics(engine: Engine) -> str:
    """What /facts can be asked about, for /facts without a topic."""
    names = ", ".join(name for _, name in engine.topics)
    return f"/facts takes a person or company. Topics: {names}."


def paragraphs(engine: Engine) -> str:
    """The article's paragraphs, numbered, each with its opening words, for /source without a number."""
    lines = ["/source takes a paragraph number:"]
    for number, text in enumerate(engine.knowledge.article.paragraphs):
        opening = " ".join(text.split())
        where = "title" if number == 0 else str(number)
        lines.append(f"  {where:>5}  {truncate(opening, PARAGRAPH_PREVIEW)}")
    return "\n".join(lines)


def _years(engine: Engine) -> str:
    return "one of " + ", ".join(map(str, engine.years))


def _note(text: str) -> Reply:
    return Reply(Kind.CHAT, None, 100, text)
