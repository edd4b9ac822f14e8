"""planbot add, retime, close, kpi and qa as an admin uses them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import make_url

from store.engine import make_engine
from tests.changes.test_service import row_counts
from tests.cli.test_cli import run


@pytest.fixture
def seeded_cli(seeded, monkeypatch, tmp_path) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    url = seeded.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return url


def counts(url: str) -> dict[str, int]:
    engine = make_engine(make_url(url).render_as_string(hide_password=False))
    try:
        return row_counts(engine)
    finally:
        engine.dispose()


def test_add_makes_a_new_action_counted_as_new_in_its_month(seeded_cli, capsys):
    code, out, err = run(
        capsys,
        "add",
        "3",
        "Launch the domestic abuse pathway",
        "--lead",
        "Director of Early Help",
        "--due",
        "31/03/2019",
        "--today",
        "2018-12-03",
    )
    assert code == 0, err
    assert out.strip() == (
        "Added New Action 3.9, led by Director of Early Help, due 31 Mar 2019: "
        "Launch the domestic abuse pathway"
    )
    _, out, _ = run(capsys, "status", "3.9", "--json")
    detail = json.loads(out)
    assert (detail["new"], detail["timescale"], detail["leads"]) == (
        True,
        "2019-03-31",
        ["Director of Early Help"],
    )
    _, out, _ = run(capsys, "digest", "--today", "2019-01-09", "--json")
    digest = json.loads(out)
    assert digest["totals"]["new"] == 1 and digest["totals"]["total"] == 94


def test_retimed_action_shows_its_original(seeded_cli, capsys):
    code, out, err = run(
        capsys,
        "retime",
        "3.4",
        "30 June 2019",
        "--reason",
        "partner delay",
        "--today",
        "2018-12-04",
    )
    assert code == 0, err
    assert out.strip() == "Action 3.4 re-timed from 31 Mar 2019 to 30 Jun 2019: partner delay"
    _, out, _ = run(capsys, "status", "3.4", "--today", "2018-12-05")
    assert "Timescale: 30 Jun 2019 (originally 31 Mar 2019)" in out
    assert "2018-12-04 (cli by cli) Timescale 2019-03-31 → 2019-06-30 (partner delay)" in out


def test_closed_action_is_not_reminded_and_shows_as_closed(seeded_cli, capsys):
    def reminded(day: str) -> set[str]:
        _, out, _ = run(capsys, "remind", "--dry-run", "--json", "--today", day)
        return {a["id"] for role in json.loads(out) for a in role["actions"]}

    # 3.4 is due on Sunday 31 Mar 2019: its lead hears of it on the Friday before, and a week
    # after, overdue.
    assert run(capsys, "leads", "map", "Director of Early Help", "U0EARLY001")[0] == 0
    assert "3.4" in reminded("2019-03-29") and "3.4" in reminded("2019-04-08")
    code, out, err = run(
        capsys, "close", "3.4", "--reason", "superseded by 3.9", "--today", "2018-12-05"
    )
    assert code == 0, err
    assert "Action 3.4 is closed: superseded by 3.9." in out
    assert "3.4" not in reminded("2019-03-29") | reminded("2019-04-08")
    _, out, _ = run(capsys, "status", "3.4", "--today", "2019-04-10")
    assert "Closed on 5 Dec 2018 by cli: superseded by 3.9" in out
    assert "overdue" not in out
    _, out, _ = run(capsys, "status", "3.4", "--json")
    assert json.loads(out)["closed"] == {
        "at": "2018-12-05T09:00:00+00:00",
        "by": "cli",
        "reason": "superseded by 3.9",
    }
    _, out, _ = run(capsys, "status", "3", "--today", "2019-04-10")
    assert "31 Mar 2019 (closed)" in out


def test_kpi_and_qa_record_dated_values(seeded_cli, capsys):
    code, out, err = run(capsys, "kpi", "1", "unallocated cases", "12", "--today", "2018-12-03")
    assert code == 0, err
    assert out.strip() == "Priority 1's KPI 7 (Number of unallocated cases): value 12"
    code, out, err = run(capsys, "kpi", "1", "7", "9", "--today", "2018-12-10")
    assert out.strip().endswith("value 9 (was 12)")
    code, out, err = run(capsys, "qa", "1", "3", "Requires", "improvement")
    assert code == 0, err
    assert out.strip() == (
        "Priority 1's quality measure 3 (Safety plans are robust and timely): "
        "rating Requires improvement"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "99", "x", "--lead", "Chair of SSCB", "--due", "31/03/19"], "There is no priority 99 — the plan has priorities 1–15."),
        (["add", "three", "x", "--lead", "Chair of SSCB", "--due", "31/03/19"], "'three' is not a priority number"),
        (["add", "3", "x", "--lead", "Chair of SSBC", "--due", "31/03/19"], "There is no lead role 'Chair of SSBC'. Did you mean 'Chair of SSCB'"),
        (["add", "3", "x", "--lead", "Chair of SSCB", "--due", "31/02/19"], "--due: '31/02/19' is not a date: February 2019 has 28 days."),
        (["add", "3", "x", "--lead", "Chair of SSCB", "--due", "soon"], "write it as 31/03/19, 31/03/2019 or 31 March 2019"),
        (["retime", "3.4", "31/03/2019"], "Action 3.4 is already due on 31 Mar 2019; nothing changed."),
        (["retime", "3.99", "30/06/2019"], "There is no action 3.99 — priority 3 has actions 3.1–3.8."),
        (["retime", "3.4", "June"], "DATE: 'June' is not a date"),
        (["close", "3.4", "--reason", " "], "Say why"),
        (["close", "16.1", "--reason", "gone"], "the plan has no priority 16 (it has priorities 1–15)"),
        (["kpi", "1", "turnover", "12"], "Priority 1 has no KPI 'turnover'. Its KPIs are 1 "),
        (["qa", "1", "6", "Good"], "Priority 1 has no quality measure 6; its quality measures are 1 "),
        (["kpi", "1", "1", "x" * 201], "at most 200 fit"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(seeded_cli, capsys, argv, message):
    before = counts(seeded_cli)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert counts(seeded_cli) == before


def test_without_a_database_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    code, _, err = run(capsys, "close", "3.4", "--reason", "gone")
    assert code == 2 and "There is no planbot database" in err


def test_required_arguments_are_argparse_s(seeded_cli, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "close", "3.4")
    assert exit_.value.code == 2 and "--reason" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "add", "3", "x", "--due", "31/03/19")
    assert exit_.value.code == 2 and "--lead" in capsys.readouterr().err
