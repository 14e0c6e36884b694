"""The console chat: the bot's front end when there is no Discord token."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from bot.engine import Context, Engine
from bot.models import Kind, Reply
from bot.quiz import LETTERS, MAX_QUESTIONS, Game, draw, letter_of, question_text, reveal_text, scoreboard_text
from bot.reload import LiveEngine
from bot.render import to_text, truncate
from bot.settings import whole_number

PROMPT = "you> "
COMMANDS = "/ask QUESTION, /timeline [YEAR], /facts [TOPIC], /source [N], /quiz [N], /about, /help, /reload, /quit"
PARAGRAPH_PREVIEW = 70  # characters of each paragraph that /source without a number shows
QUIZ_QUESTIONS = 5
QUIT = ("/quit", "/exit")


def chat(engine: Engine | LiveEngine, stdin: TextIO, stdout: TextIO, *, quiz_seed: int | None = None) -> int:
    """Read questions and slash commands until /quit, end of input or Ctrl-C; /reload reads the data again.

    /quiz [N] plays a quiz of N questions (5 if left out, at most 10): type the letter of an answer.
    quiz_seed makes the quizzes the same every time (tests); by default each one is new.
    """
    live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine)
    interactive = stdin.isatty()

    def read() -> str | None:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            line = ""
        return line.strip() if line else None

    print(f"Ask me about “{live.engine.title}”. Commands: {COMMANDS}", file=stdout)
    context = Context()
    while True:
        line = read()
        if line is None:
            print("bye", file=stdout)
            return 0
        if not line:
            continue
        if line.split()[0] in QUIT:
            print("bye", file=stdout)
            return 0
        if line.split()[0] == "/reload":
            print(live.reload().message + "\n", file=stdout, flush=True)
            continue
        if line.split()[0] == "/quiz":
            count = line.split()[1] if len(line.split()) > 1 else ""  # N questions; a default otherwise
            seed = quiz_seed if quiz_seed is not None else time.time_ns()
            if not quiz(live.engine, count, seed, read, stdout):
                print("bye", file=stdout)
                return 0
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


def quiz(engine: Engine, count: str, seed: int, read: Callable[[], str | None], stdout: TextIO) -> bool:
    """Play a quiz on the console: each question, a typed letter, the answer with its quotes, the score.

    Returns False when the chat should end (/quit or end of input during the quiz).
    """
    wanted = whole_number(count) or QUIZ_QUESTIONS
    questions = draw(engine.quiz, max(1, min(wanted, MAX_QUESTIONS)), seed)
    if not questions:
        print("The loaded data has no quiz questions.\n", file=stdout)
        return True
    game = Game(questions)
    plural = "s" if len(questions) != 1 else ""
    print(f"Quiz: {len(questions)} question{plural}. Type the letter of your answer; /stop ends the quiz.\n", file=stdout)
    while (question := game.ask_next()) is not None:
        print(question_text(question, len(questions)), file=stdout, flush=True)
        choice = _choice(read, stdout)
        if isinstance(choice, str):  # /stop, /quit or the end of input
            game.abandon()
            print(_score(game) + "\n", file=stdout, flush=True)
            return choice == "/stop"
        game.press(0, "you", question.number, choice)
        outcome = game.close()
        verdict = "Right!" if outcome.right else f"Not quite: you chose {LETTERS[choice]}."
        print(f"{verdict}\n{reveal_text(outcome, engine.knowledge, who=False)}\n", file=stdout, flush=True)
    print(_score(game) + "\n", file=stdout, flush=True)
    return True


def _score(game: Game) -> str:
    asked = len(game.outcomes)
    if not game.players:
        return scoreboard_text([], asked)
    right = game.players[0].right
    return f"Quiz over: you got {right} of {asked} right."


def _choice(read: Callable[[], str | None], stdout: TextIO) -> int | str:
    """The option a typed line names, or "/stop", or "/quit" (also at the end of input); asks again otherwise."""
    while True:
        line = read()
        if line is None or (line.split() or [""])[0] in QUIT:
            return "/quit"
        if line == "/stop":
            return line
        option = letter_of(line)
        if option is not None:
            return option
        if line:
            print(f"Type {', '.join(LETTERS[:-1])} or {LETTERS[-1]} (or /stop to end the quiz).", file=stdout, flush=True)
