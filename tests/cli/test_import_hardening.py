"""planbot import and export against hostile files and failing disks (issue 7): one line and the
documented exit code, a report that says exactly what happened, and never a broken file."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session

from bot.cli.main import main
from store import archive
from store.engine import make_engine


@pytest.fixture
def db(database_url, tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env; backups land here
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _archive(url: str):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return archive.export_archive(session=session)
    finally:
        engine.dispose()


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


# --- Item 2 ------------------------------------------------------------------------------------


def test_a_csv_round_trip_replace_keeps_everything_a_csv_does_not_carry(
    seeded_db, capsys, tmp_path
):
    before = _archive(seeded_db)
    run(capsys, "export", "k.csv")

    code, out, err = run(capsys, "import", "k.csv", "--replace", "--today", "2019-01-07")

    assert code == 0, err
    after = _archive(seeded_db)
    assert after == before
    assert "Together for Children Learning and Improvement Plan 2018" in out
    assert "Replaced from k.csv:" in out and "Kept from the database" in out
    assert "KPIs and quality measures with their values" in out
    assert "plan name, organisation and progress as of" in out


# --- Item 3 ------------------------------------------------------------------------------------


def test_an_unrelated_plan_does_not_inherit_the_seeds_history(seeded_db, capsys, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("Ref,Action,Lead\n1.1,Do the first thing,Owner\n", encoding="utf-8")

    code, _, err = run(capsys, "import", str(other), "--replace")
    assert code == 2 and "1.1" in err and "--force" in err and "Nothing was imported" in err

    code, out, err = run(capsys, "import", str(other), "--replace", "--force")
    assert code == 0, err
    assert "The history of actions 1.1" in out and "was not carried" in out
    _, detail, _ = run(capsys, "status", "1.1", "--json")
    assert json.loads(detail)["history"] == []


# --- Item 4 ------------------------------------------------------------------------------------


def test_the_import_report_says_which_roles_were_merged(db, capsys, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Ref,Action,Lead\n1.1,One,Head of CP\n1.2,Two,head of cp\n1.3,Three,Head-of-CP\n"
        "1.4,Four,Head of CP –\n",
        encoding="utf-8",
    )

    code, out, err = run(capsys, "import", str(plan))

    assert code == 0, err
    assert "'head of cp' and 'Head-of-CP' as 'Head of CP'" in out
    _, roles, _ = run(capsys, "leads", "--json")
    assert [r["name"] for r in json.loads(roles)] == ["Head of CP"]


# --- Items 5 and 6 -----------------------------------------------------------------------------


def test_an_unterminated_quote_is_rejected(db, capsys, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text('Ref,Action,Lead\n1.1,"Do it,Owner\n1.2,Next,Owner\n', encoding="utf-8")

    code, _, err = run(capsys, "import", str(plan))

    assert code == 2 and "row 2" in err and "quote" in err


def test_a_huge_csv_field_is_one_line_and_exit_2(db, capsys, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("Ref,Action,Lead\n1.1," + "x" * 200_000 + ",Owner\n", encoding="utf-8")

    code, _, err = run(capsys, "import", str(plan))

    assert code == 2 and "131,072" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["plan.xlsx", "plan.csv"])
def test_an_export_on_a_full_disk_is_one_line_and_keeps_the_old_file(
    seeded_db, capsys, monkeypatch, name
):
    run(capsys, "export", name)
    before = Path(name).read_bytes()

    def half_saved(self, filename):
        Path(filename).write_bytes(b"PK half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    def full(file, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", half_saved)
    monkeypatch.setattr("bot.spreadsheet.csv_export.csv.writer", full)
    code, _, err = run(capsys, "export", name)

    assert code == 1 and one_line(err) and "No space left on device" in err
    assert Path(name).read_bytes() == before
    assert [p.name for p in Path().iterdir() if not p.name.startswith("planbot.db")] == [name]


# --- Item 9 ------------------------------------------------------------------------------------


def test_a_backup_that_cannot_be_written_leaves_no_file_and_changes_nothing(
    seeded_db, capsys, tmp_path, monkeypatch
):
    run(capsys, "export", "k.xlsx")
    before = _archive(seeded_db)

    def full(self, filename):
        Path(filename).write_bytes(b"PK half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full)
    code, _, err = run(capsys, "import", "k.xlsx", "--replace", "--backup-dir", "backups")

    assert code == 1 and one_line(err) and "No space left" in err
    assert list(Path("backups").iterdir()) == []
    assert _archive(seeded_db) == before


# --- Item 10 -----------------------------------------------------------------------------------


def test_an_export_that_cannot_hold_a_text_says_so_and_writes_nothing(seeded_db, capsys, tmp_path):
    from sqlmodel import select

    from store.engine import transaction
    from store.models import Action

    engine = make_engine(seeded_db)
    with transaction(engine) as session:  # as a reply might one day store it
        action = session.exec(select(Action).where(Action.ref == "1.1")).one()
        action.text = "a" * 40_000
    engine.dispose()

    code, _, err = run(capsys, "export", "plan.xlsx")

    assert code == 1 and one_line(err) and "1.1" in err and "32,767" in err
    assert not Path("plan.xlsx").exists()


# --- Item 12 -----------------------------------------------------------------------------------


def test_history_typed_without_an_offset_is_read_in_the_plans_time_zone(
    seeded_db, capsys, monkeypatch
):
    from openpyxl import load_workbook

    monkeypatch.setenv("PLANBOT_TIMEZONE", "Europe/London")
    run(capsys, "export", "plan.xlsx")
    book = load_workbook("plan.xlsx")
    book["Progress history"].append(["1.1", "2019-07-01 09:00", "U0LEAD0001", "reply", "Summer"])
    book.save("plan.xlsx")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{Path('fresh.db').resolve()}")

    code, _, err = run(capsys, "import", "plan.xlsx")

    assert code == 0, err
    _, detail, _ = run(capsys, "status", "1.1", "--json")
    assert json.loads(detail)["last_update"]["at"] == "2019-07-01T08:00:00+00:00"  # BST


# --- Item 14 -----------------------------------------------------------------------------------


def test_init_over_a_plan_points_to_an_import_that_takes_yaml(seeded_db, capsys, tmp_path):
    from bot.plan.plan_file import bundled_plan_path

    other = tmp_path / "other.yaml"
    other.write_text(
        bundled_plan_path()
        .read_text(encoding="utf-8")
        .replace("Together for Children Learning and Improvement Plan 2018", "Renamed plan", 1),
        encoding="utf-8",
    )

    code, _, err = run(capsys, "init", "--plan", str(other))
    assert code == 2 and f"planbot import {other} --replace" in err

    code, out, err = run(capsys, "import", str(other), "--replace")
    assert code == 0, err
    _, status, _ = run(capsys, "status", "--json")
    assert json.loads(status)["plan"] == "Renamed plan"
