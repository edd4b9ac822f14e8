"""planbot remind and planbot parse: the loop's work by hand, at a chosen date."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import run


@pytest.fixture
def seeded_cli(seeded, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", seeded.url.render_as_string(hide_password=False))
    for name in ("SLACK_BOT_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)


def test_remind_dry_run_json_lists_each_role_with_its_actions(seeded_cli, capsys):
    assert run(capsys, "leads", "map", "Service Manager - ICRT", "U0ICRT0001")[0] == 0
    code, out, err = run(capsys, "remind", "--today", "2018-11-23", "--dry-run", "--json")
    assert code == 0, err
    data = json.loads(out)
    [icrt] = [role for role in data if role["lead"] == "Service Manager - ICRT"]
    assert icrt["users"] == ["U0ICRT0001"]
    assert {"id": "5.4", "reason": "upcoming", "days": 7} in icrt["actions"]
    assert all(set(role) == {"lead", "users", "actions"} for role in data)


def test_remind_on_a_bank_holiday_sends_nothing(seeded_cli, capsys):
    code, out, _ = run(capsys, "remind", "--today", "2018-12-25", "--dry-run")
    assert code == 0 and "not a working day" in out
    code, out, _ = run(capsys, "remind", "--today", "2018-12-25", "--dry-run", "--json")
    assert json.loads(out) == []


def test_remind_without_dry_run_needs_a_token(seeded_cli, capsys):
    code, _, err = run(capsys, "remind", "--today", "2018-11-23")
    assert code == 2 and "SLACK_BOT_TOKEN" in err and "--dry-run" in err


def test_parse_json_shape(seeded_cli, capsys):
    code, out, err = run(
        capsys,
        "parse",
        "--today",
        "2018-11-20",
        "--actions",
        "1.4,1.13",
        "1.4 slipped, now expected 31/03/19; 1.13 done, evidence on the shared drive",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out) == {
        "updates": [
            {
                "action": "1.4",
                "rag": "amber",
                "revised_timescale": "2019-03-31",
                "evidence": False,
                "text": "1.4 slipped, now expected 31/03/19",
            },
            {
                "action": "1.13",
                "rag": "completed",
                "revised_timescale": None,
                "evidence": True,
                "text": "1.13 done, evidence on the shared drive",
            },
        ],
        "clarify": False,
        "warnings": [],
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--actions", "99.9", "on track"], "There is no action 99.9"),
        (["--actions", "banana", "on track"], "action numbers like 1.4"),
        (["   "], "Give the reply's text"),
    ],
)
def test_parse_bad_input_is_one_clear_line(seeded_cli, capsys, argv, expected):
    code, _, err = run(capsys, "parse", *argv)
    assert code == 2 and expected in err and "Traceback" not in err


def test_leave_sends_reminders_to_the_deputy_and_shows_in_leads(seeded_cli, capsys):
    run(capsys, "leads", "map", "Service Manager - ICRT", "U0ICRT0001", "--deputy", "U0DEPU0001")
    code, out, _ = run(
        capsys, "leads", "leave", "U0ICRT0001", "--until", "2018-11-30", "--today", "2018-11-20"
    )
    assert code == 0 and "until 30 Nov 2018" in out
    code, out, _ = run(capsys, "leads", "--today", "2018-11-21")
    assert "U0ICRT0001 [on leave until 30 Nov 2018]" in out
    _, out, _ = run(capsys, "remind", "--today", "2018-11-23", "--dry-run", "--json")
    [icrt] = [role for role in json.loads(out) if role["lead"] == "Service Manager - ICRT"]
    assert icrt["users"] == ["U0DEPU0001"]
    assert run(capsys, "leads", "leave", "U0ICRT0001", "--cancel")[0] == 0
    _, out, _ = run(capsys, "remind", "--today", "2018-11-23", "--dry-run", "--json")
    [icrt] = [role for role in json.loads(out) if role["lead"] == "Service Manager - ICRT"]
    assert icrt["users"] == ["U0ICRT0001"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bob", "--until", "2018-12-01"], "not a Slack user id"),
        (["U0ICRT0001"], "--until DATE"),
        (["U0ICRT0001", "--until", "2018-12-01", "--cancel"], "--until DATE"),
        (["U0ICRT0001", "--until", "2018-11-01", "--today", "2018-11-20"], "already past"),
        (["U0ICRT0001", "--cancel"], "no leave recorded"),
    ],
)
def test_leave_bad_input_changes_nothing(seeded_cli, capsys, argv, expected):
    code, _, err = run(capsys, "leads", "leave", *argv)
    assert code == 2 and expected in err
