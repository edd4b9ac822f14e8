"""The `planbot` command: set-up and operations.

Exit codes (the README lists them too): 0 done; 1 something failed at run time; 2 bad input or
settings (with a message on stderr saying what is wrong and what is valid); 3 `planbot run
--http`'s port is already in use; 130 interrupted (Ctrl-C). Each failure is one line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.cli import changes, digest, leads, loop, operations, plan
from bot.cli.common import UsageError, safe_url

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it

log = logging.getLogger("planbot")

COMMANDS = {
    **plan.COMMANDS,
    **leads.COMMANDS,
    **loop.COMMANDS,
    **operations.COMMANDS,
    **digest.COMMANDS,
    **changes.COMMANDS,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planbot", description="Runs the progress loop of an improvement plan in Slack."
    )
    parser.add_argument("--version", action=_ShowVersion)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (run, configure) in COMMANDS.items():
        configure(sub.add_parser(name, help=run.__doc__.splitlines()[0], description=run.__doc__))
    return parser


class _ShowVersion(argparse.Action):
    """argparse's "version" action, but the version is looked up only when asked for: reading
    the installed package's metadata costs every command's start-up about 20 ms."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **_: object):
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"planbot {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("planbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "status":
        # A SQLite plan's status is read without pydantic and SQLAlchemy (store/quick.py).
        code = _run(lambda: plan.quick_status(args), settings=None)
        if code is not None:
            return code
    # Imported once the arguments are read: `planbot --help` needs neither pydantic nor the
    # store (its start-up is budgeted: PRODUCT.md §7).
    from bot.settings import SettingsError, load_settings, unknown_variables

    for warning in unknown_variables():
        print(f"planbot: warning: {warning}", file=sys.stderr)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every start at INFO; planbot reports what it did itself.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    # At DEBUG slack_sdk and Bolt log whole request URLs and bodies: a response_url or an upload
    # URL works like a password for a while, so they stay at INFO whatever LOG_LEVEL says.
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
    run, _ = COMMANDS[args.command]
    return _run(lambda: run(args, settings), settings)


def _run(command: Callable[[], int | None], settings: Settings | None) -> int | None:
    """The command's exit code, a failure said in one line (_failed), or a bug's traceback."""
    try:
        return command()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        code = _failed(exc, settings)
        if code is None:
            raise
        return code


def _failed(exc: Exception, settings: Settings | None) -> int | None:
    """Say why a command failed, in one line on stderr, and return its exit code; None for a
    failure planbot does not know (a bug: its traceback is shown). The exception types are
    imported only here, once something failed: importing them costs a command's start-up the
    store and Alembic, which most commands never need."""
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.plan.calendar import UnknownRegion
    from bot.plan.plan_file import PlanFileError
    from store.archive import PlanAlreadyLoaded
    from store.engine import CopyFailed, DatabaseTooNew

    if isinstance(exc, PlanAlreadyLoaded):
        print(
            "Another planbot loaded a plan into this database meanwhile; nothing was changed.",
            file=sys.stderr,
        )
        return 2
    if isinstance(exc, UsageError | PlanFileError):
        print(exc, file=sys.stderr)
        return 2
    if isinstance(exc, UnknownRegion):
        # Settings check the region's shape only; the calendar looks it up when first used.
        print(
            f"planbot cannot start; fix these settings:\n  PLANBOT_HOLIDAY_REGION: {exc}",
            file=sys.stderr,
        )
        return 2
    if isinstance(exc, DatabaseTooNew):
        print(
            f"planbot: the database at {safe_url(settings)} was written by a newer planbot "
            f"(schema revision {exc.revision}); this planbot ({_version()}) knows revisions up "
            f"to {exc.head}. Upgrade planbot; nothing was changed.",
            file=sys.stderr,
        )
        return 1
    if isinstance(exc, CopyFailed):
        # The backup taken before a schema upgrade could not be written (a full disk, say).
        print(
            f"planbot: could not copy the database at {safe_url(settings)}: {exc}", file=sys.stderr
        )
        return 1
    if isinstance(exc, SQLAlchemyError):
        # One line, without the statement (it may hold data) or the URL (it may hold a password).
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"planbot: the database at {safe_url(settings)} failed: {reason}", file=sys.stderr)
        return 1
    if isinstance(exc, SlackApiError):
        print(
            f"planbot: Slack refused {exc.response.api_url}: {exc.response.get('error')}",
            file=sys.stderr,
        )
        return 1
    if isinstance(exc, BrokenPipeError):
        # `planbot status | head` closed the pipe: not an error; keep Python from complaining at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    if isinstance(exc, OSError):
        print(f"planbot: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    return None


if __name__ == "__main__":
    sys.exit(main())
