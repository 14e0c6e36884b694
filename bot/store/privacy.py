"""What the history keeps of a member: a salted hash of their id, never the id; at most 500 characters of text.

The salt lives outside the database (BOT_HISTORY_SALT, or a file in BOT_STATE_DIR made on first use),
so a copy of the database alone cannot be matched against the ids of a server's members.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

SALT_FILE = "history-salt"
SALT_BYTES = 32
QUESTION_LIMIT = 500


def member_hash(salt: bytes, member_id: int) -> str:
    """The member's id as stored: HMAC-SHA256 with the salt, 128 bits in hex."""
    return hmac.new(salt, str(member_id).encode("ascii"), hashlib.sha256).hexdigest()[:32]


def clean_question(text: str) -> str:
    """The question as stored: at most 500 characters, and text every database takes (no NUL, no lone surrogate)."""
    text = text.replace("\x00", "")[:QUESTION_LIMIT]
    return text.encode("utf-8", "replace").decode("utf-8")


def load_salt(state_dir: Path, configured: str | None = None) -> bytes:
    """BOT_HISTORY_SALT when set; otherwise the salt file in the state dir, created (mode 600) on first use.

    A salt file that cannot be read or holds garbage is replaced. If none can be written the salt
    lives in memory only, and says so: then a member's hash changes at every restart.
    """
    if configured:
        return configured.encode("utf-8")
    path = state_dir / SALT_FILE
    salt = _read_salt(path)
    if salt is not None:
        return salt
    fresh = secrets.token_hex(SALT_BYTES)
    temporary = path.with_name(f".{SALT_FILE}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            log.warning("The history salt in %s is not a salt this bot wrote; making a new one", path)
            path.unlink()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(fresh + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # atomic, and only if there is none: two processes starting together agree
        except FileExistsError:
            pass  # another process made one meanwhile: use theirs
        finally:
            temporary.unlink()
    except OSError as exc:
        log.warning("Cannot keep the history salt in %s (%s); members' hashes will change at every restart", path, exc)
        return fresh.encode("ascii")
    return _read_salt(path) or fresh.encode("ascii")


def _read_salt(path: Path) -> bytes | None:
    try:
        text = path.read_bytes().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if len(text) != SALT_BYTES * 2 or any(c not in "0123456789abcdef" for c in text):
        return None
    return text.encode("ascii")
