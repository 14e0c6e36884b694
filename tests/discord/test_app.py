"""The app's pure parts, with plain function calls."""

from __future__ import annotations

from bot.discord.app import application_id_from_token


def test_the_application_id_is_read_from_the_token() -> None:
    assert application_id_from_token("MTIzNDU2Nzg5MDEyMzQ1Njc4.x.y") == 123456789012345678
    assert application_id_from_token("not base64!.x.y") is None
    assert application_id_from_token(None) is None
