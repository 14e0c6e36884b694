"""Command sync, end to end: refused syncs keep the bot serving, Discord is asked before the hash is trusted, guild copies."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.discord.app import hash_path, sync_now
from bot.engine import Engine
from tests.discord.discord_harness import StartBot, make_settings
from tests.discord.discord_standin import APP_ID, BOT_USER, GUILD_ID, INVALID_FORM_BODY, QUIET_CHANNEL, FakeDiscord


async def answered(fake: FakeDiscord, question: str) -> str:
    since = fake.mark()
    await fake.send_message(question)
    return (await fake.wait_for("message", since=since)).text


async def test_a_refused_sync_keeps_the_bot_serving_logs_discords_answer_and_is_tried_again(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    fake.fail("sync", 400, INVALID_FORM_BODY, times=2)  # as an independent Discord-compatible server once did
    running = await start_bot({"sync_retry_delays": (0.3,)}, wait_sync=False)
    failed = await running.wait_logged("Slash command sync failed")
    assert failed.levelno == logging.ERROR
    assert failed.getMessage() == (
        "Slash command sync failed: Discord answered 400 (code 50035): Invalid Form Body "
        "In 0.description: Must be between 1 and 100 in length.. Messages, mentions and DMs are answered "
        "meanwhile; trying the sync again in 0 s"
    )
    # Messages, mentions and DMs are answered meanwhile.
    assert "2004" in await answered(fake, "when did amazon enter china?")
    since = fake.mark()
    await fake.send_message(f"<@{BOT_USER['id']}> who founded pinduoduo?", channel_id=QUIET_CHANNEL, mentions=[BOT_USER])
    assert "Colin Huang" in (await fake.wait_for("message", since=since)).text
    await running.wait_logged("Synced ")  # the third try goes through
    assert len(running.logged("Slash command sync failed")) == 2
    assert len(fake.made("sync")) == 3
    running.expected_errors = 2
    assert str(GUILD_ID) in fake.commands
    running.assert_healthy()


async def test_commands_deleted_on_discords_side_are_pushed_again_after_a_restart(start_bot: StartBot) -> None:
    first = await start_bot()
    fake = first.fake
    assert len(fake.made("sync")) == 1
    names = sorted(c["name"] for c in fake.commands[str(GUILD_ID)])
    await first.stop()
    fake.delete_commands(GUILD_ID)
    second = await start_bot()
    assert len(fake.made("sync")) == 2
    assert len(fake.made("fetch-commands")) == 1  # one GET told the bot
    (warning,) = second.logged("differ from the last sync")
    assert f"missing {', '.join(names)}" in warning.getMessage()
    assert sorted(c["name"] for c in fake.commands[str(GUILD_ID)]) == names
    second.assert_healthy()


async def test_sync_can_clear_a_guilds_commands_left_from_guild_sync(
    start_bot: StartBot, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guild_sync = await start_bot()
    fake = guild_sync.fake
    await guild_sync.stop()
    # Switching to global sync: the bot names the guild whose copy would show every command twice.
    global_sync = await start_bot(guild_id=None)
    assert fake.commands["global"]
    (hint,) = global_sync.logged("still has the slash commands of an earlier guild sync")
    assert f"python -m bot sync --clear-guild {GUILD_ID}" in hint.getMessage()
    await global_sync.stop()

    settings = make_settings(fake, tmp_path / "state", guild_id=None)
    assert await sync_now(settings, engine, clear_guild=GUILD_ID) == 0
    assert f"Removed every slash command of this bot from guild {GUILD_ID}." in capsys.readouterr().out
    (clear,) = [r for r in fake.made("sync") if r.body == []]
    assert clear.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    assert fake.commands[str(GUILD_ID)] == []
    assert fake.commands["global"]  # the global commands stay
    assert not hash_path(settings.state_dir, APP_ID, type("G", (), {"id": GUILD_ID})()).exists()


async def test_only_the_process_with_shard_0_syncs(start_bot: StartBot) -> None:
    running = await start_bot(shard_count=3, shard_ids=(2,))  # one shard: discord.py waits 5 s between identifies
    assert not running.fake.made("sync")
    assert not running.fake.made("fetch-commands")
    assert running.logged("Shard 0 runs in another process; that process syncs the slash commands")
    running.assert_healthy()
