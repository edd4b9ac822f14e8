"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SOURCES = [p for d in ("bot", "handlers", "store") for p in (ROOT / d).rglob("*.py")] + [
    ROOT / "scheduler.py"
]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run([ruff, *command, str(ROOT)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@functools.cache  # three rules read the same files: parse each once a run
def _calls_and_imports(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(line, "datetime.now")-style calls and (line, "sqlalchemy:select")-style imported names."""
    tree = ast.parse(path.read_text())
    calls, imports = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            calls.append((node.lineno, f"{name}.{node.func.attr}"))
        elif isinstance(node, ast.ImportFrom):
            imports += [(node.lineno, f"{node.module}:{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            imports += [(node.lineno, alias.name) for alias in node.names]
    return calls, imports


WALL_CLOCK = {
    "datetime.now",
    "datetime.utcnow",
    "datetime.today",
    "date.today",
    "time.time",
    "time.time_ns",
}


def test_nothing_reads_the_wall_clock_but_the_clock():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in SOURCES
        if path.name != "clock.py"
        for line, call in _calls_and_imports(path)[0]
        if call in WALL_CLOCK
    ]
    assert offenders == []


SQL_NAMES = {"select", "text", "delete", "update", "insert", "func"}


def test_no_sql_outside_the_store():
    offenders = []
    for path in SOURCES:
        if "store" in path.relative_to(ROOT).parts:
            continue
        calls, imports = _calls_and_imports(path)
        offenders += [
            f"{path.relative_to(ROOT)}:{line} {name}"
            for line, name in imports
            if name == "sqlite3"
            or (
                name.split(":")[0] in ("sqlalchemy", "sqlmodel")
                and name.split(":")[-1] in SQL_NAMES
            )
        ]
        offenders += [
            f"{path.relative_to(ROOT)}:{line} {call}"
            for line, call in calls
            if call.endswith((".exec", ".execute", ".exec_driver_sql"))
        ]
    assert offenders == []


# Folders of bot/ whose job is to talk to Slack, a terminal or the process; every other folder is
# a feature (or the plan's vocabulary) and is pure, but for its service.py, which may use the store.
EDGE_FOLDERS = {"slack", "cli", "local", "slack_double", "data"}
SLACK_MODULES = {"slack_bolt", "slack_sdk"}
STORE_MODULES = {"store", "sqlalchemy", "sqlmodel"}
# The edges of bot/ a pure module may not reach either (Block Kit primitives are plain dicts).
EDGE_PREFIXES = ("bot.app", "bot.deps", "bot.runner", "bot.http", "bot.background", "handlers")
EDGE_PREFIXES += tuple(f"bot.{folder}" for folder in EDGE_FOLDERS - {"slack"})
EDGE_PREFIXES += ("bot.slack.respond", "bot.slack.client")


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    """Whether `module` is one of `prefixes` or inside one ("bot.app" is not "bot.approvals")."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def feature_modules() -> list[Path]:
    """Every module of every feature folder of bot/, found by glob so none can escape the rule."""
    return sorted(
        path
        for folder in (ROOT / "bot").iterdir()
        if folder.is_dir() and folder.name not in EDGE_FOLDERS and not folder.name.startswith("_")
        for path in folder.rglob("*.py")
    )


def test_the_rule_sees_every_feature_folder():
    folders = {path.relative_to(ROOT / "bot").parts[0] for path in feature_modules()}
    assert {"plan", "status", "spreadsheet"} <= folders


def test_the_core_has_no_slack_types():
    offenders = []
    for path in [*feature_modules(), ROOT / "bot" / "clock.py"]:
        imported = [name.split(":")[0] for _, name in _calls_and_imports(path)[1]]
        forbidden = SLACK_MODULES if path.name == "service.py" else SLACK_MODULES | STORE_MODULES
        offenders += [
            f"{path.relative_to(ROOT)}: {name}"
            for name in imported
            if name.split(".")[0] in forbidden or _within(name, EDGE_PREFIXES)
        ]
    assert offenders == []
