"""planbot add, retime, close, kpi and qa: the admins' changes to the plan, as /plan makes them.

Both go through bot/changes/service.py; here they are recorded as by "cli", via "cli".
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, clock_of, open_database

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it

BY = VIA = "cli"


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add a New Action to a priority, with its lead role(s) and timescale."""
    from bot.changes import service

    priority = _priority(args.priority)
    due = _date(args.due, "--due")
    return _change(
        settings,
        lambda engine, at: service.add_action(
            engine=engine,
            priority=priority,
            text=args.text,
            lead_roles=args.lead,
            due=due,
            by=BY,
            at=at,
        ),
        args,
    )


def configure_add(p: argparse.ArgumentParser) -> None:
    p.add_argument("priority", metavar="PRIORITY", help="the priority's number, e.g. 3")
    p.add_argument("text", metavar="TEXT", help="what is to be done (in quotes)")
    p.add_argument(
        "--lead",
        action="append",
        required=True,
        metavar="ROLE",
        help="a lead role of the plan (again for a second role)",
    )
    p.add_argument("--due", required=True, metavar="DATE", help="31/03/2019 or 2019-03-31")
    add_today(p)


def cmd_retime(args: argparse.Namespace, settings: Settings) -> int:
    """Move an action's timescale to a new date; the original date is kept beside it."""
    from bot.changes import service

    to = _date(args.date, "DATE")
    return _change(
        settings,
        lambda engine, at: service.retime(
            engine=engine, ref=args.action, to=to, reason=args.reason, by=BY, at=at, via=VIA
        ),
        args,
    )


def configure_retime(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", metavar="N.M", help="the action's number, e.g. 3.4")
    p.add_argument("date", metavar="DATE", help="the new timescale: 30/06/2019 or 2019-06-30")
    p.add_argument("--reason", metavar="TEXT", help="why it moves (kept in the history)")
    add_today(p)


def cmd_close(args: argparse.Namespace, settings: Settings) -> int:
    """Close an action (superseded or withdrawn): no more reminders; it stays in the history."""
    from bot.changes import service

    return _change(
        settings,
        lambda engine, at: service.close(
            engine=engine, ref=args.action, reason=args.reason, by=BY, at=at
        ),
        args,
    )


def configure_close(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", metavar="N.M", help="the action's number, e.g. 3.4")
    p.add_argument(
        "--reason", required=True, metavar="TEXT", help="why it is closed (kept in the history)"
    )
    add_today(p)


def cmd_kpi(args: argparse.Namespace, settings: Settings) -> int:
    """Record a KPI's value for a priority, by the KPI's name or its number in the list."""
    return _measure(args, settings, "kpi")


def cmd_qa(args: argparse.Namespace, settings: Settings) -> int:
    """Record a quality measure's QA rating for a priority, by its name or number."""
    return _measure(args, settings, "quality")


def _measure(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    from bot.changes import service

    priority = _priority(args.priority)
    return _change(
        settings,
        lambda engine, at: service.record_measure(
            engine=engine,
            priority=priority,
            kind=kind,
            name_or_number=args.measure,
            value=" ".join(args.value),
            by=BY,
            at=at,
            via=VIA,
        ),
        args,
    )


def _configure_measure(
    what: str, value: str, example: str
) -> Callable[[argparse.ArgumentParser], None]:
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("priority", metavar="PRIORITY", help="the priority's number, e.g. 1")
        p.add_argument(
            "measure", metavar="NAME-or-NUMBER", help=f"the {what}'s name, or its number (1..n)"
        )
        # argparse formats help with %: a literal one is written %%.
        p.add_argument("value", nargs="+", metavar=value, help=f"e.g. {example.replace('%', '%%')}")
        add_today(p)

    return configure


configure_kpi = _configure_measure("KPI", "VALUE", "82%")
configure_qa = _configure_measure("quality measure", "RATING", "Good")


def _change(settings: Settings, make, args: argparse.Namespace) -> int:
    """Make a change now (or at --today), print what it did; a refused one is bad input."""
    from bot.changes.records import ChangeRefused, confirmation

    engine = open_database(settings)
    try:
        done = make(engine, clock_of(args, settings).now())
    except ChangeRefused as refused:
        raise UsageError(refused.message) from None
    print(confirmation(done))
    return 0


def _priority(written: str) -> int:
    if not (written.isascii() and written.isdigit()):
        raise UsageError(f"{written!r} is not a priority number; give one like 3.")
    return int(written)


def _date(written: str, name: str) -> date:
    from bot.changes.dates import read_date

    read = read_date(written)
    if isinstance(read, str):
        raise UsageError(f"{name}: {read}")
    return read


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "add": (cmd_add, configure_add),
    "retime": (cmd_retime, configure_retime),
    "close": (cmd_close, configure_close),
    "kpi": (cmd_kpi, configure_kpi),
    "qa": (cmd_qa, configure_qa),
}
