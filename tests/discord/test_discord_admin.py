"""What admins run: `python -m bot run | sync | invite`, tokens missing or rejected, and logs."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from discord.utils import _ColourFormatter

from bot.discord.app import INVITE_PERMISSIONS, TokenFilter, invite_url, serve, sync_now
from bot.engine import Engine
from bot.errors import UsageError
from bot.settings import Settings
from tests.discord.discord_harness import env_for, make_settings, python_m_bot
from tests.discord.discord_standin import APP_ID, GUILD_ID, TOKEN, FakeDiscord

WRONG_TOKEN = "MTExMTExMTExMTExMTExMTEx.wrong.not-the-right-token"


async def test_run_answers_is_healthy_refuses_a_twin_never_logs_the_token_and_stops_cleanly_on_sigterm(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    process = await python_m_bot("run", env=env_for(fake, tmp_path))
    try:
        await fake.wait_ready(timeout=20)
        since = fake.mark()
        await fake.send_message("when did amazon enter china?")
        reply = await fake.wait_for("message", since=since)
        assert "2004" in reply.text
        # Docker's HEALTHCHECK: the heartbeat is fresh once the bot is ready (discord.py waits 2 s for guilds).
        async with asyncio.timeout(20):
            while not list((tmp_path / "state").glob("alive-*")):
                await asyncio.sleep(0.05)
        health = await python_m_bot("health", env=env_for(fake, tmp_path))
        health_out, health_err = await asyncio.wait_for(health.communicate(), 20)
        assert health.returncode == 0, health_err
        assert health_out.decode().startswith("ok: the gateway was alive")
        # A second process for the same bot and state dir is refused, and says why.
        second = await python_m_bot("run", env=env_for(fake, tmp_path))
        _, second_err = await asyncio.wait_for(second.communicate(), 20)
        assert second.returncode == 1
        assert "already runs this bot" in second_err.decode()
        assert "Traceback" not in second_err.decode()
        assert len(fake.identifies) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 20)
    log = err.decode()
    assert process.returncode == 0, log[-3000:]
    assert "Synced 10 slash commands" in log
    assert "WebSocket Event" in log  # DEBUG logging was on
    assert TOKEN not in log
    assert TOKEN not in out.decode()
    assert "Traceback" not in log


async def test_a_rejected_token_gets_a_clear_message_and_exit_1_without_traceback(fake: FakeDiscord, tmp_path: Path) -> None:
    process = await python_m_bot("run", env=env_for(fake, tmp_path, WRONG_TOKEN))
    out, err = await asyncio.wait_for(process.communicate(), 20)
    text = out.decode() + err.decode()
    assert process.returncode == 1
    assert "Discord rejected DISCORD_TOKEN" in text
    assert "Reset Token" in text
    assert "Traceback" not in text
    assert WRONG_TOKEN not in text


async def test_no_token_says_how_to_get_one_and_that_chat_works_without(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(fake, tmp_path, token=None)
    assert await serve(settings, engine) == 2
    assert await sync_now(settings, engine) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN is not set" in err
    assert "Reset Token" in err
    assert "python -m bot chat" in err
    assert not fake.requests


async def test_sync_pushes_the_commands_even_when_unchanged(
    fake: FakeDiscord, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(fake, tmp_path)
    assert await sync_now(settings, engine) == 0
    assert await sync_now(settings, engine) == 0
    syncs = fake.made("sync")
    assert len(syncs) == 2
    assert syncs[1].path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    assert f"Synced 10 slash commands to guild {GUILD_ID}" in capsys.readouterr().out
    assert not [r for r in fake.requests if r.path == "/gateway"]


def test_invite_url_asks_for_bot_and_commands_scopes_and_the_six_permissions() -> None:
    url = urlsplit(invite_url(Settings(token=TOKEN)))
    query = parse_qs(url.query)
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    permissions = int(query["permissions"][0])
    assert permissions == INVITE_PERMISSIONS.value
    expected = (1 << 10) | (1 << 11) | (1 << 38) | (1 << 14) | (1 << 15) | (1 << 16)
    assert permissions == expected
    assert parse_qs(urlsplit(invite_url(Settings(application_id=42))).query)["client_id"] == ["42"]


def test_invite_without_token_or_application_id_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="DISCORD_APPLICATION_ID"):
        invite_url(Settings())


def test_token_filter_scrubs_the_token_from_messages_arguments_and_tracebacks() -> None:
    token_filter = TokenFilter(TOKEN)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", (TOKEN,), None)
    assert token_filter.filter(record)
    assert TOKEN not in record.getMessage()
    try:
        raise ValueError(f"bad {TOKEN}")
    except ValueError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    token_filter.filter(failed)
    assert TOKEN not in logging.Formatter().format(failed)
    assert "[token]" in logging.Formatter().format(failed)
    colour: logging.Formatter = _ColourFormatter()  # discord.py's console formatter, untyped
    assert TOKEN not in colour.format(failed)
