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
def sqlite_db(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `planbot ARGV`: its exit code, standard output and standard error."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
