"""`python -m bot run` as a process, end to end: a vote survives SIGKILL, and SIGHUP reloads the data."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
from pathlib import Path

import pytest

from bot import render
from bot.engine import default_data_dir
from tests.conftest import replace_in
from tests.discord.discord_harness import BotProcess, env_for, python_m_bot
from tests.discord.discord_standin import ALICE, FakeDiscord, Request
from tests.store.postgres_server import fresh_schema

ANSWERED = "when did amazon enter china?"
NEW_QUESTION = "zorblat quux frobnicate"
LAST_TEMPLATE = "      - what was the exact year amazon entered china\n"


async def ask(fake: FakeDiscord, question: str) -> Request:
    since = fake.mark()
    await fake.send_message(question)
    return await fake.wait_for("message", since=since, timeout=10)


async def press(fake: FakeDiscord, reply: Request, emoji: str) -> Request:
    since = fake.mark()
    await fake.click(reply.created_id, reply.vote_button(emoji), author=ALICE)
    return await fake.wait_for("callback", since=since, timeout=10)


async def stats(env: dict[str, str]) -> dict[str, object]:
    process = await python_m_bot("stats", "--json", env=env)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    report: dict[str, object] = json.loads(out)
    return report


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_vote_acknowledged_survives_sigkill_right_after_and_its_button_works_after_a_restart(
    fake: FakeDiscord, tmp_path: Path, backend: str
) -> None:
    env = {**env_for(fake, tmp_path), "LOG_LEVEL": "INFO"}
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            env["DATABASE_URL"] = stack.enter_context(fresh_schema())
        first = await BotProcess.start(env)
        try:
            await fake.wait_ready(timeout=30)
            answer = await ask(fake, ANSWERED)
            ack = await press(fake, answer, "👎")
            assert ack.text == render.vote_thanks(-1, None)
        finally:
            code = await first.end(signal.SIGKILL)  # at once: no shutdown, no flush
        assert code == -signal.SIGKILL

        assert (await stats(env))["votes_down"] == 1

        second = await BotProcess.start(env)
        try:
            await fake.wait_ready(connections=2, timeout=30)
            # The button under the answer from before the restart still works, and the store still has the
            # first vote: the second press changes it.
            changed = await press(fake, answer, "👍")
            assert changed.text == render.vote_thanks(1, -1)
        finally:
            assert await second.end(signal.SIGTERM) == 0
        report = await stats(env)
        assert (report["votes_up"], report["votes_down"]) == (1, 0)
        assert "Traceback" not in first.log + second.log


async def test_sighup_with_broken_data_keeps_answering_and_sighup_with_a_new_template_answers_the_new_question(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    data = tmp_path / "intents"
    shutil.copytree(default_data_dir(), data)
    env = {**env_for(fake, tmp_path), "LOG_LEVEL": "INFO", "BOT_DATA_DIR": str(data)}
    bot = await BotProcess.start(env)
    try:
        await fake.wait_ready(timeout=30)
        assert "doesn't" in (await ask(fake, NEW_QUESTION)).text

        replace_in(data / "intents.yaml", "handler: fact", "handler: no_such_handler")
        bot.process.send_signal(signal.SIGHUP)
        line = await bot.wait_logged("Reload failed; still serving the previous data. data error: intents.yaml: ")
        assert "no_such_handler" in line
        assert "2004" in (await ask(fake, ANSWERED)).text

        replace_in(data / "intents.yaml", "handler: no_such_handler", "handler: fact")
        replace_in(data / "intents.yaml", LAST_TEMPLATE, LAST_TEMPLATE + f"      - {NEW_QUESTION}\n")
        bot.process.send_signal(signal.SIGHUP)
        await bot.wait_logged(f"Reloaded {data}")
        assert "2004" in (await ask(fake, NEW_QUESTION)).text
    finally:
        code = await bot.end(signal.SIGTERM)
    assert code == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
