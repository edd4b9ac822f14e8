"""What the CLI tests share: the database a command runs against, and running one."""

from __future__ import annotations

import pytest

from bot.cli.main import main


@pytest.fixture
def db(database_url, tmp_path, monkeypatch) -> str:
    """DATABASE_URL for the command: a SQLite file, or a PostgreSQL database of its own."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def seeded_db(database_of, tmp_path, monkeypatch) -> str:
    """DATABASE_URL for the command, at a database holding the bundled plan as `planbot init`
    leaves it (the per-run seeded template; only its plan's loaded-at time differs), for tests
    whose subject comes after `planbot init`."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    url = database_of("seeded")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def sqlite_db(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def sqlite_seeded_db(sqlite_templates, tmp_path, monkeypatch) -> str:
    """sqlite_db after `planbot init`: a copy of the seeded template."""
    monkeypatch.chdir(tmp_path)
    url = sqlite_templates.copy("seeded", tmp_path / "cli.db")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `planbot ARGV`: its exit code, standard output and standard error."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
