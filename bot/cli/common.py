"""What every planbot command shares: the simulated clock, the database, usage errors."""

from __future__ import annotations

import argparse
import re
from datetime import date
from typing import TYPE_CHECKING

from bot.clock import Clock, FixedClock, SystemClock

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


class UsageError(Exception):
    """Bad input on the command line; the message says what is valid."""


def parse_today(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2018-11-20"
        ) from None


def clock_of(args: argparse.Namespace, settings: Settings) -> Clock:
    """The simulated clock of --today (09:00 plan time that day), or the real one."""
    return clock_in(args, settings.planbot_timezone)


def clock_in(args: argparse.Namespace, timezone: str) -> Clock:
    """clock_of for a command that reads the plan's time zone without the settings object."""
    if getattr(args, "today", None):
        return FixedClock.at_date(args.today, timezone)
    return SystemClock()


def require_database(settings: Settings) -> None:
    """Refuse a SQLite file that does not exist: only `init` and `import` create a database, so a
    mistyped DATABASE_URL is said, not silently served as a new, empty plan."""
    from store.engine import sqlite_path

    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        raise UsageError(
            f"There is no planbot database at {path}: run `planbot init` first "
            "(DATABASE_URL says where the database lives; a relative path is relative to this folder)."
        )


def open_database(settings: Settings, *, create: bool = False):
    """The migrated database; only `init` and `import` may create one that does not exist yet."""
    from store.engine import make_engine, migrate

    if not create:
        require_database(settings)
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def safe_url(settings: Settings) -> str:
    """The database for messages: a SQLite file's full path, or the URL without its password."""
    from sqlalchemy.engine import make_url

    from store.engine import sqlite_path

    path = sqlite_path(settings.database_url)
    return (
        str(path) if path else make_url(settings.database_url).render_as_string(hide_password=True)
    )


def parse_port(value: str) -> int:
    # ASCII digits only: int() would also take " 80", "٨٠" or "+80".
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number; use 1–65535")
    return int(value)


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today", type=parse_today, metavar="DATE", help="simulated date (YYYY-MM-DD)"
    )
