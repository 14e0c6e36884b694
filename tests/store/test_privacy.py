"""What the history keeps of a member: a salted hash, a salt kept apart, and capped, storable text."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.store.privacy import QUESTION_LIMIT, SALT_FILE, clean_question, load_salt, member_hash


def test_the_salt_is_made_once_private_to_the_owner_and_reused(tmp_path: Path) -> None:
    salt = load_salt(tmp_path / "state")
    path = tmp_path / "state" / SALT_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_salt(tmp_path / "state") == salt
    assert len(salt) == 64
    assert [p.name for p in path.parent.iterdir()] == [SALT_FILE]  # no temporary file left behind


def test_a_garbage_salt_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / SALT_FILE).write_bytes(b"\xff\xfe not a salt")
    salt = load_salt(tmp_path)
    assert salt != b"\xff\xfe not a salt"
    assert load_salt(tmp_path) == salt


def test_a_configured_salt_wins_and_no_file_is_written(tmp_path: Path) -> None:
    assert load_salt(tmp_path, "a-salt-from-settings") == b"a-salt-from-settings"
    assert not (tmp_path / SALT_FILE).exists()


def test_a_state_dir_that_cannot_be_written_gives_a_salt_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file")
    assert len(load_salt(blocked)) == 64


def test_the_member_hash_depends_on_the_salt_and_never_shows_the_id() -> None:
    one = member_hash(b"salt one", 100000000000000001)
    assert one == member_hash(b"salt one", 100000000000000001)
    assert one != member_hash(b"salt two", 100000000000000001)
    assert one != member_hash(b"salt one", 100000000000000002)
    assert "100000000000000001" not in one
    assert len(one) == 32


def test_questions_are_cut_to_500_characters_and_made_storable() -> None:
    assert len(clean_question("x" * 4000)) == QUESTION_LIMIT
    assert clean_question("a\x00b") == "ab"
    assert clean_question("lone \ud800") == "lone ?"
    assert clean_question("when did amazon enter china?") == "when did amazon enter china?"
