"""`planbot status` on a SQLite plan reads it without pydantic or SQLAlchemy (bot.cli.plan.
quick_status, store/quick.py), and answers exactly as the ordinary path does; whenever it cannot,
the ordinary path answers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import plan as cli_plan
from tests.cli.conftest import run

QUESTIONS = [
    ["status", "--today", "2018-11-20"],
    ["status", "--today", "2020-03-01"],
    ["status", "7", "--today", "2018-11-20"],
    ["status", "16"],
    ["status", "7.3", "--today", "2019-04-01"],
    ["status", "5.2", "--json"],
    ["status", "--json", "--today", "2018-11-20"],
    ["status", "rec", "9"],
    ["status", "rec", "99"],
    ["status", "99"],
    ["status", "7.99"],
    ["status", "seven"],
    ["status", "7", "--json"],
]


@pytest.fixture
def quick_results(monkeypatch) -> list:
    """What each quick_status call returned: None when it left the answer to the ordinary path."""
    results = []
    real = cli_plan.quick_status

    def spy(args):
        results.append(real(args))
        return results[-1]

    monkeypatch.setattr(cli_plan, "quick_status", spy)
    return results


@pytest.mark.parametrize("argv", QUESTIONS, ids=" ".join)
def test_the_quick_answer_is_the_ordinary_answer(sqlite_seeded_db, capsys, monkeypatch, argv):
    quick = run(capsys, *argv)
    monkeypatch.setattr(cli_plan, "quick_status", lambda args: None)
    ordinary = run(capsys, *argv)
    assert quick == ordinary
    assert quick[1] or quick[2]
    assert "/plan" not in quick[2]  # the command line's own words: planbot status …


def test_status_answers_from_the_quick_path(sqlite_seeded_db, capsys, quick_results):
    code, out, _ = run(capsys, "status", "7", "--today", "2018-11-20")
    assert code == 0 and out.startswith("Priority 7")
    assert quick_results == [0]


def test_status_starts_without_pydantic_or_sqlalchemy(sqlite_seeded_db, tmp_path):
    """What makes `planbot status 7` start within its budget (PRODUCT.md §7; bench_startup.py
    times it): none of these libraries is imported."""
    probe = (
        "import sys; from bot.cli.main import main; code = main(['status', '7']); "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pydantic', 'pydantic_settings', 'sqlalchemy', 'sqlmodel', 'alembic', 'slack_sdk'}); "
        "print('HEAVY', heavy, code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert done.stdout.splitlines()[-1] == "HEAVY [] 0"


def test_a_dotenv_file_and_any_case_are_read_as_the_settings_read_them(
    sqlite_seeded_db, tmp_path, capsys, monkeypatch, quick_results
):
    monkeypatch.delenv("DATABASE_URL")
    (tmp_path / ".env").write_text(f"DATABASE_URL={sqlite_seeded_db}\nPLANBOT_TIMEZONE=UTC\n")
    code, out, _ = run(capsys, "status", "7.3", "--json")
    assert code == 0 and json.loads(out)["id"] == "7.3"
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///elsewhere.db\n")
    monkeypatch.setenv("database_url", sqlite_seeded_db)  # the environment wins, in any case
    code, out, _ = run(capsys, "status", "7")
    assert code == 0 and out.startswith("Priority 7")
    assert quick_results == [0, 0]


def test_a_setting_status_does_not_use_is_not_checked_by_it(
    sqlite_seeded_db, capsys, monkeypatch, quick_results
):
    """A choice: `status` reads only DATABASE_URL and PLANBOT_TIMEZONE; a malformed setting it
    does not use is refused by the commands that use it, as before."""
    monkeypatch.setenv("PLANBOT_ADMINS", "not-a-user-id")
    assert run(capsys, "status", "7")[0] == 0
    code, _, err = run(capsys, "leads")
    assert code == 2 and "PLANBOT_ADMINS" in err
    assert quick_results == [0]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("PLANBOT_TIMEZONE", "Mars/Olympus", "PLANBOT_TIMEZONE: not a time zone"),
        ("PLANBOT_TIMEZON", "UTC", "PLANBOT_TIMEZON is not a planbot setting; did you mean"),
        ("DATABASE_URL", "sqlite:///:memory:", "DATABASE_URL: an in-memory SQLite database"),
        ("DATABASE_URL", "sqlite:///missing.db", "There is no planbot database at"),
    ],
)
def test_what_the_quick_path_cannot_read_the_ordinary_path_answers(
    sqlite_seeded_db, capsys, monkeypatch, quick_results, variable, value, said
):
    monkeypatch.setenv(variable, value)
    _, _, err = run(capsys, "status", "7")
    assert said in err
    assert quick_results == [None]


def test_a_broken_dotenv_file_is_refused_as_before(
    sqlite_seeded_db, tmp_path, capsys, quick_results
):
    (tmp_path / ".env").write_text('PLANBOT_TIMEZONE="Europe/London\n')
    code, _, err = run(capsys, "status", "7")
    assert code == 2 and "is not NAME=value" in err
    assert quick_results == [None]


def test_a_dotenv_that_is_not_a_file_is_left_to_the_settings(sqlite_seeded_db, tmp_path):
    """pydantic-settings reads a named pipe as .env (secret managers mount one); it can be read
    once, so the quick path leaves it alone."""
    import os

    from bot.cli.main import build_parser

    os.mkfifo(tmp_path / ".env")
    assert cli_plan.quick_status(build_parser().parse_args(["status", "7"])) is None


def test_a_path_through_a_link_is_the_file_sqlite_opens(
    sqlite_seeded_db, tmp_path, capsys, monkeypatch
):
    """SQLite reads "link/../plan.db" by its words, as ./plan.db, wherever link points."""
    (tmp_path / "elsewhere" / "deeper").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere" / "deeper")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///link/../cli.db")
    code, out, _ = run(capsys, "status", "7")
    assert code == 0 and out.startswith("Priority 7")
    (tmp_path / "loop.db").symlink_to(tmp_path / "loop.db")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///loop.db")
    code, _, err = run(capsys, "status", "7")
    assert code == 2 and "There is no planbot database at" in err
