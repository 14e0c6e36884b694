"""The package shows the design: a pure core without discord.py, and cogs that are extensions which never import the app."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import bot
from bot.discord import app, cogs

PACKAGE = Path(bot.__file__).parent
SHELL = PACKAGE / "discord"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, and for `from X import Y` also X.Y (Y may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_the_discord_shell_imports_discord_py() -> None:
    core = [path for path in PACKAGE.rglob("*.py") if SHELL not in path.parents]
    assert core
    for path in core:
        found = {name for name in imports_of(path) if name.split(".")[0] == "discord"}
        assert not found, f"{path.relative_to(PACKAGE)} imports {sorted(found)}"


def test_every_cog_is_an_extension_with_setup_that_the_app_loads_by_name() -> None:
    names = [f"{cogs.__name__}.{module.name}" for module in pkgutil.iter_modules(cogs.__path__)]
    assert sorted(names) == sorted(app.EXTENSIONS)
    for name in names:
        assert inspect.iscoroutinefunction(importlib.import_module(name).setup), name


def test_no_cog_or_shell_helper_imports_the_app_module() -> None:
    for path in SHELL.rglob("*.py"):
        if path.name == "app.py":
            continue
        assert app.__name__ not in imports_of(path), f"{path.relative_to(PACKAGE)} imports {app.__name__}"
