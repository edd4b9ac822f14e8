"""The reminder core is pure: no Slack client, no store, no wall clock, no eager holidays."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
CORE = [
    path for path in sorted((ROOT / "bot" / "reminders").glob("*.py")) if path.name != "service.py"
] + [ROOT / "bot" / "plan" / "calendar.py"]
FORBIDDEN = {"slack_bolt", "slack_sdk", "store", "sqlalchemy", "sqlmodel"}
WALL_CLOCK = {"now", "utcnow", "today", "time", "time_ns"}


def _imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text())
    modules, calls = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("datetime", "date", "time"):
                calls.add(f"{owner.id}.{node.func.attr}")
    return modules, calls


def test_the_core_imports_no_slack_client_and_no_store():
    assert len(CORE) >= 9
    for path in CORE:
        modules, calls = _imports_and_calls(path)
        assert not modules & FORBIDDEN, path.name
        assert not {c for c in calls if c.split(".")[1] in WALL_CLOCK}, path.name


def test_importing_the_core_loads_none_of_them_nor_holidays():
    code = (
        "import sys\n"
        "import bot.reminders.day, bot.reminders.escalation, bot.reminders.message\n"
        "import bot.reminders.timing\n"
        f"loaded = {sorted(FORBIDDEN | {'holidays'})!r}\n"
        "print([m for m in loaded if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
