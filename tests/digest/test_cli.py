"""planbot digest and planbot snapshot on the seed plan, without Slack."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import run


@pytest.fixture
def seeded_cli(seeded, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", seeded.url.render_as_string(hide_password=False))
    for name in ("SLACK_BOT_TOKEN", "SLACK_API_URL", "PLANBOT_COMMITTEE_CHANNEL"):
        monkeypatch.delenv(name, raising=False)


def test_digest_prints_the_tables_without_slack(seeded_cli, capsys):
    code, out, err = run(capsys, "digest", "--today", "2019-01-09", "--dry-run")
    assert code == 0, err
    assert "Committee digest · 9 Jan 2019" in out
    assert (
        "CURRENT RAG RATINGS" in out and "RAG RATINGS    NOV 2018  DEC 2018  JAN 2019 (live)" in out
    )
    assert "Overdue (" in out and "15.4" in out
    code, same, _ = run(capsys, "digest", "--today", "2019-01-09")  # --dry-run is the default
    assert same == out


def test_digest_json(seeded_cli, capsys):
    code, out, err = run(capsys, "digest", "--today", "2019-01-09", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["totals"] == {
        "red": 0,
        "amber": 0,
        "green": 0,
        "completed": 0,
        "unrated": 93,
        "new": 0,
        "total": 93,
    }
    assert list(data["by_month"]) == ["2018-11", "2018-12", "2019-01"]
    assert {"action": "3.1", "days": 162} in data["overdue"]


def test_digest_post_needs_a_token(seeded_cli, capsys):
    code, _, err = run(capsys, "digest", "--post", "--today", "2019-01-09")
    assert code == 2 and "SLACK_BOT_TOKEN" in err


def test_snapshot(seeded_cli, capsys):
    code, out, _ = run(capsys, "snapshot", "--today", "2019-01-09")
    assert code == 0 and out.strip() == "Froze NOV 2018, DEC 2018."
    code, out, _ = run(capsys, "snapshot", "--today", "2019-01-09")
    assert "frozen already" in out and "NOV 2018" in out
    code, out, _ = run(capsys, "snapshot", "--today", "2019-01-09", "--month", "2018-12")
    assert code == 0 and "DEC 2018 was frozen already" in out
    code, _, err = run(capsys, "snapshot", "--today", "2019-01-09", "--month", "2019-01")
    assert code == 2 and "not over yet" in err
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "snapshot", "--month", "2019-13")
    assert exit_.value.code == 2 and "YYYY-MM" in capsys.readouterr().err
