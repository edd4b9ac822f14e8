"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SOURCES = [p for d in ("bot", "handlers", "store") for p in (ROOT / d).rglob("*.py")] + [ROOT / "scheduler.py"]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_reads_the_wall_clock_but_the_clock():
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SOURCES
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line) and "wall clock" not in line
    ]
    assert offenders == []


def test_no_sql_outside_the_store():
    pattern = re.compile(r"\b(from sqlalchemy import .*\b(select|text|delete|update)\b|session\.exec\(|\.execute\()")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SOURCES
        if "store" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_core_has_no_slack_types():
    pure = ["domain.py", "commands.py", "status_view.py", "tracker.py", "plan_file.py", "spreadsheet.py", "clock.py"]
    for name in pure:
        text = (ROOT / "bot" / name).read_text()
        assert "slack_bolt" not in text and "slack_sdk" not in text, name
        assert "from store" not in text and "import store" not in text, name
