"""planbot run, shell and demo: running the bot, for real or against the local Slack double."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, parse_port, require_database

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot: Socket Mode by default, or an HTTP endpoint at /slack/events with --http."""
    from bot.reminders.service import calendar_of
    from bot.runner import missing_credentials, run

    if not missing_credentials(settings, http=args.http):  # else run() says what is missing
        require_database(settings)
    # Settings check only the holiday region's shape; an unknown region stops the bot here, at
    # start, not at its first reminder (UnknownRegion: one line, exit 2, from main).
    calendar_of(settings).check()
    return run(settings, http=args.http, port=args.port, host=args.host)


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    """Talk to the real app through the local Slack double, on a scratch copy of the database."""
    from bot.local.shell import CannotCopy, run_shell

    try:
        return run_shell(settings, today=args.today, stdin=sys.stdin, stdout=sys.stdout)
    except CannotCopy as exc:
        print(f"planbot: {exc}", file=sys.stderr)
        return 1


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play the plan's loop on the bundled plan against the local Slack double, and print it."""
    from bot.local.demo import run_demo

    out = Path(args.out) if args.out else None
    if out is not None:
        writable_folder(out, "--out")
    return run_demo(settings, today=args.today, out=out, stdout=sys.stdout)


def writable_folder(folder: Path, option: str) -> None:
    """Make sure files can be written into `folder` (creating it), before any work is done."""
    if "\x00" in str(folder):
        raise UsageError(f"{option} {str(folder)!r}: a folder name cannot hold a NUL byte.")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} {folder}: it is a file, not a folder; name a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"{option} {folder}: cannot create that folder ({exc.strerror or exc})."
        ) from None
    try:
        # Trying is the only sure test: permissions and a read-only mount both show (and, unlike
        # os.access, for root too).
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(
            f"{option} {folder}: cannot write there ({exc.strerror or exc})."
        ) from None


def configure_run(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP instead of Socket Mode"
    )
    p.add_argument("--port", type=parse_port, default=3000, help="1–65535 (default 3000)")
    p.add_argument("--host", default="0.0.0.0")


def configure_shell(p: argparse.ArgumentParser) -> None:
    add_today(p)


def configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="where the demo's files go")
    add_today(p)


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "run": (cmd_run, configure_run),
    "shell": (cmd_shell, configure_shell),
    "demo": (cmd_demo, configure_demo),
}
