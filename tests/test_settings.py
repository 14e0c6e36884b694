"""Settings: read from the environment, checked, with a one-line message naming a bad variable."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import UsageError
from bot.settings import Settings, application_id_from_token, decimal_number, whole_number

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.secret-part"
ROOT = Path(__file__).resolve().parents[1]


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({"HOME": "/home/someone"})
    assert settings.token is None
    assert settings.channels == frozenset()
    assert settings.guild_id is None
    assert not settings.sharded
    assert settings.shard_ids is None
    assert settings.log_level == logging.INFO
    assert (settings.cooldown_rate, settings.cooldown_seconds) == (5, 30.0)
    assert settings.message_content is True
    assert settings.api_base is None
    assert settings.gateway_url is None
    assert settings.state_dir.name == "qa-bot"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": f"  {TOKEN}\n",
            "DISCORD_APPLICATION_ID": "42",
            "BOT_CHANNELS": " 111, 222 ,,333 ",
            "DISCORD_GUILD_ID": "444",
            "SHARD_COUNT": "4",
            "SHARD_IDS": "0, 2",
            "LOG_LEVEL": "debug",
            "BOT_STATE_DIR": "/var/lib/qa",
            "BOT_COOLDOWN_RATE": "3",
            "BOT_COOLDOWN_SECONDS": "12.5",
            "BOT_MESSAGE_CONTENT": "off",
            "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
        }
    )
    assert settings.token == TOKEN
    assert settings.application_id == 42
    assert settings.channels == frozenset({111, 222, 333})
    assert settings.guild_id == 444
    assert settings.sharded
    assert (settings.shard_count, settings.shard_ids) == (4, (0, 2))
    assert settings.log_level == logging.DEBUG
    assert settings.state_dir == Path("/var/lib/qa")
    assert (settings.cooldown_rate, settings.cooldown_seconds) == (3, 12.5)
    assert settings.message_content is False
    assert settings.api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.gateway_url == "ws://127.0.0.1:8080/gateway"


def test_the_state_dir_follows_xdg_state_home() -> None:
    assert Settings.from_env({"XDG_STATE_HOME": "/state"}).state_dir == Path("/state/qa-bot")


def test_settings_are_frozen_and_their_repr_hides_the_token() -> None:
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token = "other"  # type: ignore[misc]


def test_a_cooldown_rate_of_zero_turns_the_cooldown_off() -> None:
    assert Settings.from_env({"BOT_COOLDOWN_RATE": "0"}).cooldown_rate == 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOT_CHANNELS", "123,general", "BOT_CHANNELS must be a Discord id (digits only), got 'general'"),
        ("BOT_CHANNELS", "-5", "BOT_CHANNELS must be a Discord id"),
        ("DISCORD_GUILD_ID", "abc", "DISCORD_GUILD_ID must be a Discord id"),
        ("DISCORD_GUILD_ID", "0", "DISCORD_GUILD_ID must be a Discord id"),
        ("DISCORD_APPLICATION_ID", "1e5", "DISCORD_APPLICATION_ID must be a Discord id"),
        ("SHARD_COUNT", "0", "SHARD_COUNT must be a whole number of at least 1"),
        ("SHARD_COUNT", "two", "SHARD_COUNT must be a whole number of at least 1"),
        ("SHARD_COUNT", "²", "SHARD_COUNT must be a whole number of at least 1"),
        ("SHARD_COUNT", "٣", "SHARD_COUNT must be a whole number of at least 1"),
        ("SHARD_COUNT", "1_000", "SHARD_COUNT must be a whole number of at least 1"),
        ("SHARD_COUNT", "9" * 5000, "SHARD_COUNT must be a whole number of at least 1"),
        ("DISCORD_GUILD_ID", "١٢٣", "DISCORD_GUILD_ID must be a Discord id"),
        ("BOT_CHANNELS", "123,²", "BOT_CHANNELS must be a Discord id"),
        ("BOT_COOLDOWN_RATE", "⁵", "BOT_COOLDOWN_RATE must be a whole number"),
        ("BOT_COOLDOWN_SECONDS", "nan", "BOT_COOLDOWN_SECONDS must be between 0 and 86400"),
        ("BOT_COOLDOWN_SECONDS", "1e3", "BOT_COOLDOWN_SECONDS must be between 0 and 86400"),
        ("BOT_COOLDOWN_SECONDS", "٣٠", "BOT_COOLDOWN_SECONDS must be between 0 and 86400"),
        ("SHARD_IDS", "0", "SHARD_IDS needs SHARD_COUNT"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("BOT_COOLDOWN_RATE", "-1", "BOT_COOLDOWN_RATE must be a whole number"),
        ("BOT_COOLDOWN_SECONDS", "0", "BOT_COOLDOWN_SECONDS must be between 0 and 86400"),
        ("BOT_COOLDOWN_SECONDS", "soon", "BOT_COOLDOWN_SECONDS must be between 0 and 86400"),
        ("BOT_MESSAGE_CONTENT", "maybe", "BOT_MESSAGE_CONTENT must be on or off"),
        ("DISCORD_API_BASE", "127.0.0.1:8080", "DISCORD_API_BASE must start with http:// or https://"),
        ("DISCORD_GATEWAY_URL", "http://127.0.0.1/gateway", "DISCORD_GATEWAY_URL must start with ws:// or wss://"),
        ("DISCORD_GATEWAY_URL", "ws://", "DISCORD_GATEWAY_URL must start with ws:// or wss://"),
    ],
)
def test_a_malformed_value_is_a_one_line_usage_error_naming_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert repr(value.split(",")[-1])[:100] in str(caught.value) or variable == "SHARD_IDS"


@pytest.mark.parametrize(
    ("shard_ids", "message"),
    [
        ("0,4", "SHARD_IDS must list ids from 0 to 3"),
        ("1,1", "SHARD_IDS lists shard 1 twice"),
        ("0,,1", "SHARD_IDS must list"),
        ("0,²", "SHARD_IDS must list"),
    ],
)
def test_shard_ids_must_be_distinct_and_below_the_shard_count(shard_ids: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": shard_ids})


@pytest.mark.parametrize("token", [f"Bot {TOKEN}", f"{TOKEN} extra", "tab\tinside"])
def test_a_malformed_token_is_refused_without_repeating_it(token: str) -> None:
    with pytest.raises(UsageError) as caught:
        Settings.from_env({"DISCORD_TOKEN": token})
    assert "DISCORD_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert "inside" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        ("²", None),
        ("٣", None),
        ("1_000", None),
        ("+5", None),
        ("-5", None),
        (" 5", None),
        ("", None),
    ],
)
def test_whole_number_takes_plain_ascii_digits_only(text: str, number: int | None) -> None:
    assert whole_number(text) == number


def test_decimal_number_takes_ascii_digits_and_one_point_only() -> None:
    assert decimal_number("12.5") == 12.5
    assert decimal_number("30") == 30.0
    for text in ("nan", "inf", "1e3", "1.", ".5", "١.٥", "1.2.3"):
        assert decimal_number(text) is None, text


def test_shard_count_auto_lets_discord_py_pick_the_count_but_not_with_shard_ids() -> None:
    settings = Settings.from_env({"SHARD_COUNT": "auto"})
    assert settings.sharded
    assert settings.shard_count == "auto"
    with pytest.raises(UsageError, match="SHARD_IDS needs a number in SHARD_COUNT, not auto"):
        Settings.from_env({"SHARD_COUNT": "auto", "SHARD_IDS": "0"})


def test_no_color_turns_colour_off() -> None:
    assert Settings.from_env({}).colour
    assert not Settings.from_env({"NO_COLOR": "1"}).colour


def test_the_application_id_is_read_from_the_token() -> None:
    assert application_id_from_token("MTIzNDU2Nzg5MDEyMzQ1Njc4.x.y") == 123456789012345678
    assert application_id_from_token("not base64!.x.y") is None
    assert application_id_from_token("wrI.x.y") is None  # '²' encoded: not digits
    assert application_id_from_token(None) is None


def test_a_malformed_number_stops_run_with_one_line_and_exit_2() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BOT_", "SHARD_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**environ, "DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "²"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "error: SHARD_COUNT must be a whole number of at least 1, or auto, got '²'\n"


def test_history_settings_default_to_on_90_days_sqlite_and_the_shipped_data() -> None:
    settings = Settings.from_env({"HOME": "/home/someone"})
    assert settings.history is True
    assert settings.history_days == 90
    assert settings.history_salt is None
    assert settings.database_url is None
    assert settings.data_dir is None


def test_history_settings_are_read_and_secrets_stay_out_of_the_repr(tmp_path: Path) -> None:
    (tmp_path / "intents.yaml").write_text("version: 1\n", encoding="utf-8")
    settings = Settings.from_env(
        {
            "BOT_HISTORY": "off",
            "BOT_HISTORY_DAYS": "7",
            "BOT_HISTORY_SALT": "a-long-enough-salt-value",
            "DATABASE_URL": "postgresql://bot:hunter2-password@db:5432/bot",
            "BOT_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.history is False
    assert settings.history_days == 7
    assert settings.database_url == "postgresql://bot:hunter2-password@db:5432/bot"
    assert settings.data_dir == tmp_path
    assert "hunter2" not in repr(settings)
    assert "a-long-enough-salt" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BOT_HISTORY", "maybe", "BOT_HISTORY must be on or off"),
        ("BOT_HISTORY_DAYS", "0", "BOT_HISTORY_DAYS must be a whole number of days from 1"),
        ("BOT_HISTORY_DAYS", "²", "BOT_HISTORY_DAYS must be"),
        ("BOT_HISTORY_SALT", "short", "BOT_HISTORY_SALT must be at least 16"),
        ("DATABASE_URL", "mysql://root:pw@db/x", "DATABASE_URL must start with postgresql://"),
        ("BOT_DATA_DIR", "/nowhere/at/all", "BOT_DATA_DIR must be a directory with intents.yaml"),
    ],
)
def test_a_bad_history_setting_names_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as raised:
        Settings.from_env({name: value})
    if name == "DATABASE_URL":
        assert "pw" not in str(raised.value)


def test_quiz_settings_default_to_twenty_seconds_with_scores_kept_and_are_read() -> None:
    settings = Settings.from_env({"HOME": "/home/someone"})
    assert (settings.quiz_seconds, settings.quiz_scores) == (20.0, True)
    settings = Settings.from_env({"BOT_QUIZ_SECONDS": "45", "BOT_QUIZ_SCORES": "off", "BOT_HISTORY": "off"})
    assert (settings.quiz_seconds, settings.quiz_scores, settings.history) == (45.0, False, False)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BOT_QUIZ_SECONDS", "4", "BOT_QUIZ_SECONDS must be a whole number of seconds from 5 to 60, got '4'"),
        ("BOT_QUIZ_SECONDS", "61", "BOT_QUIZ_SECONDS must be a whole number of seconds from 5 to 60"),
        ("BOT_QUIZ_SECONDS", "20.5", "BOT_QUIZ_SECONDS must be a whole number"),
        ("BOT_QUIZ_SCORES", "sometimes", "BOT_QUIZ_SCORES must be on or off"),
    ],
)
def test_a_bad_quiz_setting_names_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Settings.from_env({name: value})
