"""The `planbot` command as an operator uses it."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.settings import Settings
from tests.cli.conftest import run


def test_init_twice_changes_nothing(db, capsys):
    code, out, _ = run(capsys, "init")
    assert code == 0 and "15 priorities, 93 actions, 35 lead roles" in out
    code, out, _ = run(capsys, "init")
    assert code == 0 and "nothing else changed" in out
    code, out, _ = run(capsys, "status", "--json")
    assert sum(len(p["actions"]) for p in json.loads(out)["priorities"]) == 93


def test_init_loads_what_the_seeded_template_holds(db, database_of, capsys):
    """Most CLI tests start from the per-run seeded template rather than a real `planbot init`:
    this keeps them honest. Every row of every table, ids included, as init leaves them; only
    the plan's loaded-at time is the clock's."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from store.engine import make_engine

    def every_row(url: str) -> dict[str, list[tuple]]:
        engine = make_engine(url)
        with engine.connect() as connection:
            rows = {
                table.name: sorted(
                    map(
                        tuple,
                        connection.execute(
                            select(
                                *(
                                    c
                                    for c in table.columns
                                    if (table.name, c.name) != ("plan", "loaded_at")
                                )
                            )
                        ),
                    ),
                    key=repr,
                )
                for table in SQLModel.metadata.sorted_tables
            }
        engine.dispose()
        return rows

    assert run(capsys, "init")[0] == 0
    by_init, template = every_row(db), every_row(database_of("seeded"))
    assert sum(map(len, by_init.values())) > 300  # the whole seed plan, with its history
    assert by_init == template


def test_init_with_a_broken_plan_file_loads_nothing(db, capsys, tmp_path):
    broken = tmp_path / "plan.yaml"
    broken.write_text(
        "priorities:\n  - number: 1\n    section: nowhere\n    actions:\n      - id: x\n"
    )
    code, _, err = run(capsys, "init", "--plan", str(broken))
    assert code == 2
    assert "section 'nowhere' is not one of" in err and "needs the recommendation text" in err
    assert "is not an action number" in err
    code, _, err = run(capsys, "status")
    assert code == 2 and ("run `planbot init` first" in err or "no priorities yet" in err)


def test_init_with_a_plan_file_over_an_existing_plan_says_it_was_not_loaded(
    seeded_db, capsys, tmp_path
):
    other = tmp_path / "other.yaml"
    other.write_text("plan: {name: Other}\npriorities: []\n")
    code, _, err = run(capsys, "init", "--plan", str(other))
    assert code == 2 and "was not loaded" in err and f"import {other} --replace" in err


def test_read_commands_do_not_create_a_database(sqlite_db, capsys, tmp_path):
    for argv in (["status"], ["leads"], ["export", "x.xlsx"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and f"There is no planbot database at {tmp_path / 'cli.db'}" in err
    assert not (tmp_path / "cli.db").exists()


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        (
            # Not `status`: it reads only the two settings it uses (tests/cli/test_status_quick.py).
            {"LOG_LEVEL": "verbose"},
            ["leads"],
            "LOG_LEVEL: use DEBUG, INFO, WARNING, ERROR or CRITICAL",
        ),
        ({}, ["export", "no/such/folder/plan.xlsx"], "No such file or directory"),
        (
            {"DATABASE_URL": "sqlite:////no/such/folder/planbot.db"},
            ["init"],
            "failed: unable to open database file",
        ),
    ],
)
def test_run_time_failures_are_one_line_not_a_traceback(
    sqlite_seeded_db, capsys, monkeypatch, setup, argv, message
):
    for name, value in setup.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, *argv)
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_status_json_shapes(seeded_db, capsys):
    _, out, _ = run(capsys, "status", "--json", "--today", "2018-11-20")
    plan = json.loads(out)
    assert plan["plan"] == "Together for Children Learning and Improvement Plan 2018"
    first = plan["priorities"][0]
    assert (first["number"], first["ofsted_recommendation"], first["section"]) == (
        1,
        1,
        "Children who need help and protection",
    )
    action = first["actions"][0]
    assert action == {
        "id": "1.1",
        "text": "Commission an independent review of ICRT.",
        "leads": ["Director of Quality Assurance & Performance"],
        "timescale": "2018-09-01",
        "original_timescale": "2018-09-01",
        "rag": "unrated",
        "new": False,
        "last_update": {"at": "2018-10-31T12:00:00+00:00", "text": action["last_update"]["text"]},
    }
    _, out, _ = run(capsys, "status", "7", "--json")
    assert json.loads(out)["ofsted_recommendation"] == 9
    _, out, _ = run(capsys, "status", "5.2", "--json")
    assert json.loads(out)["timescale"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "99"], "There is no priority 99 — the plan has priorities 1–15."),
        (["status", "7.9"], "There is no action 7.9 — priority 7 has actions 7.1–7.6."),
        (["status", "seven"], "seven is not a priority or an action. Try planbot status 7"),
        (
            ["leads", "map", "Service Manger ICRT", "U0ABCDEF1"],
            "Did you mean: 'Service Manager - ICRT'",
        ),
        (["leads", "map", "Service Manager - ICRT", "bob"], "'bob' is not a Slack user id"),
        (["export", "plan.pdf"], "export writes .xlsx or .csv files"),
        (["import", "missing.xlsx"], "missing.xlsx does not exist"),
    ],
)
def test_bad_input_is_explained(seeded_db, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_bad_today(db, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["status", "--today", "20/11/2018"])
    assert exited.value.code == 2
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err


def test_bad_settings_are_named(db, capsys, monkeypatch):
    monkeypatch.setenv("PLANBOT_TIMEZONE", "Mars/Olympus")
    code, _, err = run(capsys, "status")
    assert code == 2 and "PLANBOT_TIMEZONE" in err


def test_leads_unmap_and_refusals(seeded_db, capsys):
    run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    code, _, err = run(
        capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1", "--deputy", "U0ABCDEF1"
    )
    assert code == 2 and "cannot be their own deputy" in err
    code, out, _ = run(capsys, "leads", "unmap", "chair of sscb", "U0ABCDEF1")
    assert code == 0 and "U0ABCDEF1 no longer leads or deputises for 'Chair of SSCB'" in out
    code, _, err = run(capsys, "leads", "unmap", "Chair of SSCB", "U0ABCDEF1")
    assert code == 2 and "nothing changed" in err


def test_leads_map_on_an_empty_database_says_to_init(sqlite_db, capsys):
    from store.engine import make_engine, migrate

    migrate(make_engine(sqlite_db))
    code, _, err = run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    assert code == 2 and "run `planbot init` first" in err


def test_leads_map_and_list(seeded_db, capsys):
    code, out, _ = run(
        capsys, "leads", "map", "service manager - icrt", "U0ABCDEF1", "--deputy", "U0ABCDEF2"
    )
    assert code == 0 and "'Service Manager - ICRT' is led by U0ABCDEF1 with deputy U0ABCDEF2" in out
    _, out, _ = run(capsys, "leads", "--json")
    role = next(r for r in json.loads(out) if r["name"] == "Service Manager - ICRT")
    assert (
        role["users"] == ["U0ABCDEF1"]
        and role["deputies"] == ["U0ABCDEF2"]
        and "1.4" in role["actions"]
    )


def test_export_then_import_into_a_fresh_database_round_trips(
    seeded_db, capsys, tmp_path, monkeypatch
):
    run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    _, before, _ = run(capsys, "status", "--json")
    for name in ("plan.xlsx", "plan.csv"):
        code, _, _ = run(capsys, "export", str(tmp_path / name))
        assert code == 0 and (tmp_path / name).stat().st_size > 0
    _, history_before, _ = run(capsys, "status", "1.4", "--json")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    code, out, err = run(capsys, "import", str(tmp_path / "plan.xlsx"))
    assert code == 0, err
    _, after, _ = run(capsys, "status", "--json")
    assert json.loads(after) == json.loads(before)
    _, history_after, _ = run(capsys, "status", "1.4", "--json")
    assert json.loads(history_after) == json.loads(
        history_before
    )  # dated 31 Oct 2018, not the import day


def test_progress_edited_in_the_spreadsheet_is_kept_on_import(seeded_db, capsys, tmp_path):
    from openpyxl import load_workbook

    run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    workbook = tmp_path / "plan.xlsx"
    run(capsys, "export", str(workbook))
    book = load_workbook(workbook)
    sheet = book["Plan"]
    headings = [cell.value for cell in sheet[1]]
    progress, actions = headings.index("Progress Update") + 1, headings.index("Actions") + 1
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if str(sheet.cell(r, actions).value).startswith("1.1 ")
    )
    sheet.cell(row, progress).value = "Review report accepted by the Board."
    book.save(workbook)
    code, out, err = run(
        capsys,
        "import",
        str(workbook),
        "--replace",
        "--today",
        "2018-12-03",
        "--backup-dir",
        str(tmp_path / "backups"),
    )
    assert code == 0, err
    assert "The plan it replaced, with its whole history, is in" in out
    assert list((tmp_path / "backups").glob("planbot-backup-20181203-*.xlsx"))
    _, detail, _ = run(capsys, "status", "1.1", "--json")
    detail = json.loads(detail)
    assert detail["last_update"]["text"] == "Review report accepted by the Board."
    assert [h["text"][:20] for h in detail["history"]] == [
        "Independent review o",
        "Review report accept",
    ]
    _, leads, _ = run(capsys, "leads", "--json")
    assert next(r for r in json.loads(leads) if r["name"] == "Chair of SSCB")["users"] == [
        "U0ABCDEF1"
    ]


def test_a_rejected_import_changes_nothing(seeded_db, capsys, tmp_path):
    _, before, _ = run(capsys, "status", "--json")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Ref,Action,Lead,Timescale,RAG\n1.1,Do it,Owner,31/13/2019,Red\n1.1,Again,Owner,01/01/2019,Purple\n"
    )
    code, _, err = run(capsys, "import", str(bad), "--replace")
    assert code == 2 and "row 2" in err and "row 3" in err and "Nothing was imported" in err
    _, after, _ = run(capsys, "status", "--json")
    assert after == before


def test_import_over_an_existing_plan_needs_replace(seeded_db, capsys, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("Ref,Action,Lead,Timescale,RAG\n1.1,Do it,Owner,31/03/2019,Red\n")
    code, _, err = run(capsys, "import", str(good))
    assert code == 2 and "--replace" in err
    code, out, _ = run(
        capsys, "import", str(good), "--replace", "--force", "--backup-dir", str(tmp_path)
    )  # --force: the seed's history of 1.1 (another action) and the rest stays in the backup
    assert code == 0
    _, out, _ = run(capsys, "status", "--json")
    assert [a["rag"] for p in json.loads(out)["priorities"] for a in p["actions"]] == ["red"]


def test_run_without_tokens_points_to_shell_and_demo(db, capsys):
    code, _, err = run(capsys, "run")
    assert code == 2
    assert "SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set" in err and "planbot demo" in err
    code, _, err = run(capsys, "run", "--http")
    assert code == 2 and "SLACK_SIGNING_SECRET" in err


def test_shell_script_mode(sqlite_db):
    db = sqlite_db
    from bot.local.shell import run_shell

    script = io.StringIO(
        "/plan status 7\n:as Service Manager - ICRT\n/plan status 1.4\n:as nobody\n:click 1\n:today 2019-04-01\n"
        "/plan status 7.5\n:users\n:tick\n:bogus\n"
    )
    out = io.StringIO()
    assert (
        run_shell(Settings(_env_file=None, database_url=db), today=None, stdin=script, stdout=out)
        == 0
    )
    text = out.getvalue()
    assert "on a scratch copy of the bundled plan" in text
    assert "PRIORITY 7 · OFSTED RECOMMENDATION 9" in text
    assert "You are now" in text and "(Service Manager - ICRT)" in text
    assert "No one matches 'nobody'" in text
    assert "There is no button 1" in text
    assert "91 days overdue" in text  # 7.5 was due 31 Dec 2018
    assert "I don't know :bogus" in text


def test_shell_works_on_a_copy(sqlite_seeded_db, capsys):
    db = sqlite_seeded_db
    from bot.local.shell import run_shell

    run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    out = io.StringIO()
    run_shell(
        Settings(_env_file=None, database_url=db),
        today=None,
        stdin=io.StringIO("/plan status 1\n"),
        stdout=out,
    )
    assert f"on a scratch copy of {db.removeprefix('sqlite:///')}" in out.getvalue()
    _, leads, _ = run(capsys, "leads", "--json")
    chair = next(r for r in json.loads(leads) if r["name"] == "Chair of SSCB")
    assert chair["users"] == [
        "U0ABCDEF1"
    ]  # the shell's fictional users never reach the real database


def test_demo(sqlite_db, capsys, tmp_path):
    db = sqlite_db
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "out"))
    assert code == 0
    assert "The clock reads Monday 12 November 2018" in out
    assert "PRIORITY 7 · OFSTED RECOMMENDATION 9" in out
    # The loop: a fortnight of reminders, a snooze, leave covered by a deputy, replies confirmed
    # and accepted, a question asked back.
    assert "Mon 12 Nov: " in out and "Fri 23 Nov: " in out
    assert "Dee Cover (8.1)" in out  # the deputy, while the CLA service manager is on leave
    assert "Snoozed action 5.7" in out
    assert "has gone to the chair" in out and "ACTION 5.4: ACCEPTED" in out
    assert "I could not tell which action this is about." in out
    assert "Timescale: 14 Dec 2018 (originally 30 Nov 2018)" in out
    assert "0 refused by Slack's checks" in out
    assert (tmp_path / "out" / "plan.xlsx").exists()
    assert not Path(
        db.removeprefix("sqlite:///")
    ).exists()  # the demo never touches the configured database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_http_serves_and_stops_cleanly_on_sigterm(tmp_path, sqlite_templates):
    from bot.slack_double import SignedRequests, SlackDouble

    # Only init and import create a database; run serves one that exists (the seeded template:
    # the plan as `planbot init` loads it).
    database_url = sqlite_templates.copy("seeded", tmp_path / "run.db")
    with SlackDouble() as double:
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": "run-secret",
            "SLACK_API_URL": double.api_url,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            signer = SignedRequests(
                signing_secret="run-secret", team_id=double.team_id, bot_user_id=double.bot_user_id
            )
            user = double.add_user("someone")
            request = signer.command(
                user,
                "help",
                channel_id="C0ABC",
                response_url=double.new_response_url(user, double.dm_channel(user)),
            )
            deadline = time.monotonic() + 20
            while True:
                try:
                    status, _ = request.post(f"http://127.0.0.1:{port}/slack/events", timeout=2)
                    break
                except OSError:
                    assert process.poll() is None, process.stdout.read()
                    assert time.monotonic() < deadline, "planbot run --http did not start"
                    time.sleep(0.1)
            assert status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output
        # planbot's own last line: the scheduler and the database were closed after uvicorn stopped
        # (uvicorn's "Shutting down" alone would not show that).
        assert "planbot stopped" in output


# Columns that describe the load itself rather than the plan: they are expected to differ.
LOAD_METADATA = {
    ("plan", "loaded_at"),
    ("plan", "source"),
    ("rolemember", "mapped_at"),
    ("rolemember", "mapped_by"),
}


def _table_rows(url: str) -> dict[str, list[tuple]]:
    """Every plan table's rows and the frozen month tallies, without surrogate ids, in a stable
    order."""
    from sqlalchemy import select

    from store.archive import PLAN_TABLES
    from store.engine import make_engine
    from store.models import MonthSnapshot

    engine = make_engine(url)
    rows = {}
    with engine.connect() as connection:
        for model in (*PLAN_TABLES, MonthSnapshot):
            table = model.__table__
            columns = [
                c
                for c in table.columns
                if c.name != "id"
                and not c.name.endswith("_id")
                and (table.name, c.name) not in LOAD_METADATA
            ]
            rows[table.name] = sorted(map(tuple, connection.execute(select(*columns))), key=repr)
    engine.dispose()
    return rows


def test_every_table_survives_an_xlsx_round_trip(seeded_db, capsys, tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from store import leads, replies
    from store.engine import make_engine, transaction
    from store.models import Action, ProgressUpdate, RagChange, RagProposal, TimescaleChange

    db = seeded_db
    run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1", "--deputy", "U0ABCDEF2")
    engine = make_engine(db)
    at = datetime(2018, 12, 3, 10, tzinfo=UTC)
    edited = datetime(2018, 12, 3, 10, 7, tzinfo=UTC)
    with transaction(engine) as session:  # a month of use, written as the bot will write it
        action = session.exec(select(Action).where(Action.ref == "7.5")).one()
        action.rag, action.timescale = "amber", datetime(2019, 3, 31).date()
        backlog = ProgressUpdate(  # a reply in Slack, edited there since
            action_id=action.id,
            text="Backlog",
            at=at,
            author="U0LEAD0001",
            source="reply",
            slack_channel="D0LEAD0001",
            slack_ts="1543831200.000100",
            edited_at=edited,
        )
        session.add(backlog)
        session.flush()
        proposal = RagProposal(  # what the reply proposed, accepted
            action_id=action.id,
            update_id=backlog.id,
            proposed_rag="amber",
            revised_timescale=action.timescale,
            evidence="Court listings",
            proposed_by="U0LEAD0001",
            proposed_at=at,
            status="accepted",
            confirmed_at=at,
            decided_by="U0CHAIR01",
            decided_at=at,
            echo_channel="D0LEAD0001",
            echo_ts="1543831200.000100",
            approval_messages=[{"channel": "D0CHAIR001", "ts": "1543831300.000200"}],
        )
        session.add(proposal)
        session.flush()
        session.add(
            RagChange(
                action_id=action.id,
                from_rag="unrated",
                to_rag="amber",
                at=at,
                by="U0CHAIR01",
                via="button",
                reason="Slipping",
                proposal_id=proposal.id,
            )
        )
        session.add(
            TimescaleChange(
                action_id=action.id,
                from_date=action.original_timescale,
                to_date=action.timescale,
                at=at,
                by="U0CHAIR01",
                via="command",
            )
        )
        session.add(
            ProgressUpdate(
                action_id=action.id,
                text="Wrong action",
                at=at,
                author="U0LEAD0001",
                source="button",
                slack_channel="D0LEAD0001",
                slack_ts="press:1234.5678.abcdef",
                retracted_at=at,
            )
        )
        other = session.exec(select(Action).where(Action.ref == "1.1")).one()
        session.add(  # undecided, and only the timescale moves
            RagProposal(
                action_id=other.id,
                revised_timescale=datetime(2019, 6, 30).date(),
                proposed_by="U0LEAD0002",
                proposed_at=at,
                status="unconfirmed",
            )
        )
        leads.map_role(
            session=session,
            role_name="CEO of TfC",
            user_id="U0CEO0001",
            deputy=None,
            at=at,
            by="cli",
        )
    engine.dispose()
    # A New Action added, one closed, and November's tallies frozen at its end.
    code, out, err = run(
        capsys,
        "add",
        "7",
        "Audit the court backlog weekly",
        "--lead",
        "Chair of SSCB",
        "--due",
        "31/03/2019",
        "--today",
        "2018-12-04",
    )
    assert code == 0, err
    code, _, err = run(capsys, "close", "1.2", "--reason", "Superseded", "--today", "2018-12-05")
    assert code == 0, err
    code, _, err = run(capsys, "snapshot", "--month", "2018-11", "--today", "2018-12-05")
    assert code == 0, err
    before, links = _table_rows(db), _links(db)
    assert len(before["ragproposal"]) == 2 and links[0] and links[1]
    assert len(before["monthsnapshot"]) == 15
    assert sum(row[-1] is not None for row in _action_records(db)) == 1  # 1.2 is closed
    assert any(row[1] is not None for row in _action_records(db))  # the New Action's adder
    run(capsys, "export", str(tmp_path / "plan.xlsx"))
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", fresh)
    code, _, err = run(capsys, "import", str(tmp_path / "plan.xlsx"))
    assert code == 0, err
    after = _table_rows(fresh)
    for table in before:
        assert after[table] == before[table], table
    # The links _table_rows leaves out (ids differ): each proposal's update and number, each RAG
    # change's proposal.
    assert _links(fresh) == links
    # A replace from the file keeps everything too: the closed action stays closed, the New
    # Action keeps when it was added, and the frozen month is not rewritten.
    monkeypatch.setenv("DATABASE_URL", db)
    code, out, err = run(
        capsys,
        "import",
        str(tmp_path / "plan.xlsx"),
        "--replace",
        "--backup-dir",
        str(tmp_path / "backups"),
        "--today",
        "2018-12-06",
    )
    assert code == 0, err
    assert "when actions were added and which are closed" in out
    replaced = _table_rows(db)
    for table in before:
        assert replaced[table] == before[table], table
    assert _links(db) == links
    # Slack delivering the reply again after the import is still recognised.
    engine = make_engine(fresh)
    with Session(engine) as session:
        action = session.exec(select(Action).where(Action.ref == "7.5")).one()
        again = replies.record_update(
            session=session,
            action_id=action.id,
            text="Backlog",
            author="U0LEAD0001",
            at=edited,
            source="reply",
            channel="D0LEAD0001",
            ts="1543831200.000100",
        )
    engine.dispose()
    assert again is None


def _action_records(url: str) -> list[tuple]:
    """Each action's record: when it was added and by whom, and when it was closed."""
    from sqlmodel import Session, select

    from store.engine import make_engine
    from store.models import Action

    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(Action.created_at, Action.created_by, Action.closed_at)))
    engine.dispose()
    return rows


def _links(url: str) -> tuple[list[tuple], list[tuple]]:
    """Each proposal's number (its id) and update (by Slack message and text), each RAG change's
    proposal: the links between plan tables, which _table_rows leaves out."""
    from sqlmodel import Session, select

    from store.engine import make_engine
    from store.models import Action, ProgressUpdate, RagChange, RagProposal

    engine = make_engine(url)
    with Session(engine) as session:
        refs = dict(session.exec(select(Action.id, Action.ref)).all())
        updates = {
            u.id: (u.slack_channel, u.slack_ts, u.text)
            for u in session.exec(select(ProgressUpdate))
        }
        proposals = sorted(
            (p.id, refs[p.action_id], updates.get(p.update_id))
            for p in session.exec(select(RagProposal))
        )
        changes = sorted(
            (refs[c.action_id], c.at, c.to_rag, c.proposal_id)
            for c in session.exec(select(RagChange))
        )
    engine.dispose()
    return proposals, changes


def test_an_unknown_holiday_region_stops_remind_in_one_line(seeded_db, capsys, monkeypatch):
    """Settings check the region's shape only; the calendar looks the country up when first
    used, and the CLI says what is wrong in one line, exit 2, as for any bad setting."""
    monkeypatch.setenv("PLANBOT_HOLIDAY_REGION", "XX")
    code, out, err = run(capsys, "remind", "--dry-run", "--today", "2018-11-20")
    assert code == 2
    assert "PLANBOT_HOLIDAY_REGION: 'XX': there is no country 'XX'" in err
    assert "Traceback" not in err
