"""planbot run, shell and demo: running the bot, for real or against the local Slack double."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import add_today
from bot.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot: Socket Mode by default, or an HTTP endpoint at /slack/events with --http."""
    from bot.runner import run

    return run(settings, http=args.http, port=args.port, host=args.host)


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    """Talk to the real app through the local Slack double, on a scratch copy of the database."""
    from bot.local.shell import run_shell

    return run_shell(settings, today=args.today, stdin=sys.stdin, stdout=sys.stdout)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play the plan's loop on the bundled plan against the local Slack double, and print it."""
    from bot.local.demo import run_demo

    return run_demo(
        settings, today=args.today, out=Path(args.out) if args.out else None, stdout=sys.stdout
    )


def configure_run(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP instead of Socket Mode"
    )
    p.add_argument("--port", type=int, default=3000)
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
