"""The `planbot` command: set-up and operations.

Exit codes: 0 done, 1 something failed at run time, 2 bad input or settings (with a message on
stderr saying what is wrong and what is valid).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.cli import leads, operations, plan
from bot.cli.common import UsageError, safe_url
from bot.settings import SettingsError, load_settings

log = logging.getLogger("planbot")

COMMANDS = {**plan.COMMANDS, **leads.COMMANDS, **operations.COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planbot", description="Runs the progress loop of an improvement plan in Slack."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (run, configure) in COMMANDS.items():
        configure(sub.add_parser(name, help=run.__doc__.splitlines()[0], description=run.__doc__))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.plan.plan_file import PlanFileError
    from store.archive import PlanAlreadyLoaded

    try:
        run, _ = COMMANDS[args.command]
        return run(args, settings)
    except PlanAlreadyLoaded:
        print(
            "Another planbot loaded a plan into this database meanwhile; nothing was changed.",
            file=sys.stderr,
        )
        return 2
    except (UsageError, PlanFileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        # One line, without the statement (it may hold data) or the URL (it may hold a password).
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"planbot: the database at {safe_url(settings)} failed: {reason}", file=sys.stderr)
        return 1
    except SlackApiError as exc:
        print(
            f"planbot: Slack refused {exc.response.api_url}: {exc.response.get('error')}",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        # `planbot status | head` closed the pipe: not an error; keep Python from complaining at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:
        print(f"planbot: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
