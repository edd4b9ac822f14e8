"""The `planbot` command under hostile use: one line and a documented exit code, never a traceback."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.main import COMMANDS, main
from tests.cli.conftest import run

# The exit codes the README documents.
DONE, FAILED, BAD_INPUT, PORT_IN_USE = 0, 1, 2, 3


def one_line(err: str) -> bool:
    """What every failure prints: one line (plus warnings about settings), no traceback."""
    lines = [line for line in err.splitlines() if line and "warning" not in line]
    return len(lines) == 1 and "Traceback" not in err


def planbot(*argv: str, env: dict[str, str], cwd: Path, timeout: float = 60):
    """planbot in a process of its own (for `run`, which serves until stopped)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    """A port the OS chose, closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- item 6: planbot shell on a database it cannot copy ----------------------------------------


def _shell(capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("/plan status 1\n"))
    return run(capsys, "shell")


def test_shell_on_a_folder_says_so(sqlite_db, tmp_path, capsys, monkeypatch):
    (tmp_path / "cli.db").mkdir()
    code, _, err = _shell(capsys, monkeypatch)
    assert code == FAILED and one_line(err), err
    assert f"{tmp_path / 'cli.db'} is a folder" in err


def test_shell_on_a_file_that_is_not_a_database_says_so(sqlite_db, tmp_path, capsys, monkeypatch):
    (tmp_path / "cli.db").write_text("these are not the tables you are looking for\n")
    code, _, err = _shell(capsys, monkeypatch)
    assert code == FAILED and one_line(err), err
    assert f"{tmp_path / 'cli.db'}" in err and "not a SQLite database" in err


@pytest.fixture
def read_only_folder(tmp_path) -> Path:
    """A folder on a read-only mount (root), or one without write permission (anyone else)."""
    source, mount = tmp_path / "source", tmp_path / "ro"
    source.mkdir()
    mount.mkdir()
    if os.geteuid() != 0:
        yield source
        source.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(source), str(mount)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip("cannot make a read-only mount here")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        yield mount
    finally:
        # Lazily: a connection this process still holds must not leave the mount behind.
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_shell_reads_a_database_on_a_read_only_mount(
    read_only_folder, sqlite_templates, tmp_path, capsys, monkeypatch
):
    """A WAL database on read-only media cannot be opened the ordinary way (SQLite wants to
    create its -shm file): the shell still copies it, since nothing can be writing to it."""
    monkeypatch.chdir(tmp_path)
    writable = read_only_folder if os.geteuid() != 0 else tmp_path / "source"
    env = {"DATABASE_URL": f"sqlite:///{writable / 'planbot.db'}"}
    # The seeded template (the plan as `planbot init` leaves it, closed), then a command in a
    # process of its own, which closes the database as an operator's commands would.
    sqlite_templates.copy("seeded", writable / "planbot.db")
    assert (
        planbot("leads", "map", "Chair of SSCB", "U0ABCDEF1", env=env, cwd=tmp_path).returncode
        == DONE
    )
    assert not (writable / "planbot.db-shm").exists()
    if os.geteuid() != 0:
        read_only_folder.chmod(0o555)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{read_only_folder / 'planbot.db'}")
    code, out, err = _shell(capsys, monkeypatch)
    assert code == DONE, err
    assert f"on a scratch copy of {read_only_folder / 'planbot.db'}" in out
    assert "PRIORITY 1" in out


# --- item 6: ports ------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "-1", "0", "http"])
def test_a_port_out_of_range_is_refused_by_the_parser(capsys, port):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--http", "--port", port])
    assert exited.value.code == BAD_INPUT
    err = capsys.readouterr().err
    assert f"--port: {port!r} is not a port number; use 1–65535" in err


@pytest.fixture
def run_env(tmp_path, monkeypatch, sqlite_templates):
    """Settings for `planbot run --http` against the local Slack double, on an initialised database
    (the seeded template: the plan as `planbot init` loads it)."""
    from bot.slack_double import SlackDouble

    monkeypatch.chdir(tmp_path)
    url = sqlite_templates.copy("seeded", tmp_path / "run.db")
    monkeypatch.setenv("DATABASE_URL", url)
    with SlackDouble() as double:
        yield (
            double,
            {
                "DATABASE_URL": url,
                "SLACK_BOT_TOKEN": double.bot_token,
                "SLACK_APP_TOKEN": double.app_token,
                "SLACK_SIGNING_SECRET": "run-secret",
                "SLACK_API_URL": double.api_url,
            },
        )


def test_a_port_in_use_is_one_line_and_its_own_exit_code(run_env, tmp_path):
    _, env = run_env
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = planbot(
            "run", "--http", "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path
        )
    assert done.returncode == PORT_IN_USE, done.stderr
    assert one_line(done.stderr), done.stderr
    assert f"127.0.0.1:{port} is already in use" in done.stderr


@pytest.mark.parametrize("mode", [["--http"], []])
def test_a_token_slack_refuses_stops_run_at_start(run_env, tmp_path, mode):
    double, env = run_env
    double.fail_next("auth.test", error="invalid_auth")
    port = _free_port()
    done = planbot("run", *mode, "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path)
    assert done.returncode == FAILED, done.stderr
    assert one_line(done.stderr), done.stderr
    assert "Slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth)" in done.stderr


def test_slack_out_of_reach_stops_run_at_start(run_env, tmp_path):
    _, env = run_env
    closed = _free_port()  # nothing listens there
    env = {**env, "SLACK_API_URL": f"http://127.0.0.1:{closed}/api/"}
    port = next(p for p in iter(_free_port, None) if p != closed)
    done = planbot("run", "--http", "--port", str(port), env=env, cwd=tmp_path)
    assert done.returncode == FAILED, done.stderr
    assert one_line(done.stderr), done.stderr
    assert f"cannot reach Slack at http://127.0.0.1:{closed}/api/" in done.stderr


# --- item 6: a database written by a newer planbot ----------------------------------------------


def test_a_database_from_a_newer_planbot_is_named_not_upgraded(seeded_db, capsys):
    from store.engine import make_engine

    engine = make_engine(seeded_db)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    for argv in (["status"], ["init"], ["leads"]):
        code, _, err = run(capsys, *argv)
        assert code == FAILED and one_line(err), err
        assert "was written by a newer planbot (schema revision 0099)" in err
        assert "this planbot (" in err and "knows revisions up to" in err


# --- item 6: settings that cannot even be read --------------------------------------------------


def test_a_nul_byte_in_the_database_path_is_a_settings_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / ".env").write_bytes(b"DATABASE_URL=sqlite:///plan\x00bot.db\n")
    for argv in (["status"], ["init"], ["shell"]):
        code, _, err = run(capsys, *argv)
        assert code == BAD_INPUT and "Traceback" not in err, err
        assert "DATABASE_URL: the path holds a NUL byte" in err


def test_an_env_file_that_is_not_utf8_is_a_settings_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"PLANBOT_TIMEZONE=Europe/London\nLOG_LEVEL=\xff\xfeINFO\n")
    code, _, err = run(capsys, "status")
    assert code == BAD_INPUT and one_line(err), err
    assert f"{tmp_path / '.env'} is not UTF-8 text (byte 0xff on line 2)" in err


# --- item 7: run never creates a database -------------------------------------------------------


def test_run_at_a_mistyped_database_refuses_and_creates_nothing(run_env, tmp_path):
    _, env = run_env
    env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'rnu.db'}"}
    # Both modes at once, each in a process of its own: should either make the file, the other
    # would start serving and time out, and the file is looked for at the end.
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *mode],
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in (["--http"], [])
    ]
    try:
        for process in processes:
            _, stderr = process.communicate(timeout=30)
            assert process.returncode == BAD_INPUT, stderr
            assert f"There is no planbot database at {tmp_path / 'rnu.db'}" in stderr
            assert "Traceback" not in stderr
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert not (tmp_path / "rnu.db").exists()


# --- item 8: Slack ids by their shape -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["leads", "map", "Chair of SSCB", ""],
        ["leads", "map", "Chair of SSCB", "U0ABCDEF1", "--deputy", ""],
        ["leads", "map", "Chair of SSCB", "U0ABCDEF1\n"],
        ["leads", "map", "Chair of SSCB", "U0ABCDEF1", "--deputy", " U0ABCDEF2"],
        ["leads", "unmap", "Chair of SSCB", ""],
    ],
)
def test_leads_refuse_ids_of_the_wrong_shape(sqlite_seeded_db, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == BAD_INPUT and "is not a Slack user id" in err, (out, err)
    _, listed, _ = run(capsys, "leads", "--json")
    chair = next(r for r in json.loads(listed) if r["name"] == "Chair of SSCB")
    assert chair["users"] == [] and chair["deputies"] == []


# --- item 14: messages --------------------------------------------------------------------------


def test_leads_map_says_who_else_leads_the_role(sqlite_seeded_db, capsys):
    code, out, _ = run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1")
    assert code == DONE and "'Chair of SSCB' is led by U0ABCDEF1." in out
    code, out, _ = run(capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF2")
    assert code == DONE and "U0ABCDEF2 now also leads 'Chair of SSCB', beside U0ABCDEF1." in out
    code, out, _ = run(capsys, "leads", "map", "chair of sscb", "U0ABCDEF2")
    assert code == DONE and "U0ABCDEF2 already leads 'Chair of SSCB'; nothing changed." in out
    code, out, _ = run(
        capsys, "leads", "map", "Chair of SSCB", "U0ABCDEF1", "--deputy", "U0ABCDEF3"
    )
    assert code == DONE
    assert "U0ABCDEF1 already leads 'Chair of SSCB'" in out
    assert "U0ABCDEF3 deputises for 'Chair of SSCB'." in out


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == DONE
    assert capsys.readouterr().out.strip() == f"planbot {version('planbot')}"


@pytest.mark.parametrize("kind", ["file", "unwritable"])
def test_demo_checks_its_out_folder_before_playing(sqlite_db, tmp_path, capsys, kind):
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("not a folder")
        expected = f"--out {out}: it is a file, not a folder"
    else:
        out = tmp_path / "plan.xlsx" / "deeper"
        (tmp_path / "plan.xlsx").write_text("a file in the way")
        expected = f"--out {out}: cannot create that folder"
    code, played, err = run(capsys, "demo", "--out", str(out))
    assert code == BAD_INPUT and one_line(err), err
    assert expected in err
    assert "planbot demo —" not in played  # refused before playing


def test_demo_out_on_a_read_only_folder(read_only_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if os.geteuid() != 0:
        read_only_folder.chmod(0o555)
    code, played, err = run(capsys, "demo", "--out", str(read_only_folder))
    assert code == BAD_INPUT and one_line(err), err
    assert f"--out {read_only_folder}: cannot write there" in err
    assert "planbot demo —" not in played


def test_an_unknown_planbot_variable_is_warned_about(
    sqlite_seeded_db, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PLANBOT_ADMIN", "U0ABCDEF1")
    (tmp_path / ".env").write_text("PLANBOT_TIMEZNE=Europe/London\n")
    code, _, err = run(capsys, "init")
    assert code == DONE
    assert "PLANBOT_ADMIN is not a planbot setting; did you mean PLANBOT_ADMINS?" in err
    assert f"PLANBOT_TIMEZNE (in {tmp_path / '.env'}) is not a planbot setting" in err
    assert "did you mean PLANBOT_TIMEZONE?" in err


# --- the shell ----------------------------------------------------------------------------------


def _shell_script(db: str, script: str, today=None) -> str:
    from bot.local.shell import run_shell
    from bot.settings import Settings

    out = io.StringIO()
    code = run_shell(
        Settings(_env_file=None, database_url=db),
        today=today,
        stdin=io.StringIO(script),
        stdout=out,
    )
    assert code == DONE
    return out.getvalue()


def test_shell_knows_planx_is_not_plan_x(sqlite_db):
    text = _shell_script(sqlite_db, "/planx\n/plan status 1\n/plans\n")
    assert "/planx is not a command here; planbot answers /plan only" in text
    assert "I don't know `/plan x`" not in text
    assert "/plans is not a command here" in text
    assert "PRIORITY 1" in text


def test_shell_clock_starts_at_the_plans_own_date(sqlite_db, tmp_path, capsys):
    from datetime import date

    # The bundled plan's progress texts are as of 31 October 2018.
    assert "the clock reads Wednesday 31 October 2018" in _shell_script(sqlite_db, "")
    # Another plan: a CSV has no "progress as of", so its newest history (the import) sets it.
    plan = tmp_path / "plan.csv"
    plan.write_text("Ref,Action,Lead,Timescale,Progress\n1.1,Do it,Owner,31/03/2031,Begun\n")
    assert run(capsys, "import", str(plan), "--today", "2030-06-12")[0] == DONE
    assert "the clock reads Wednesday 12 June 2030" in _shell_script(sqlite_db, "")
    # --today still wins.
    assert "the clock reads Friday 01 March 2019" in _shell_script(
        sqlite_db, "", today=date(2019, 3, 1)
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_shows_its_help(command, capsys):
    """argparse formats help with %: a literal % in a help text once broke `planbot kpi --help`."""
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: planbot {command}")
