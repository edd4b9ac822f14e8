"""planbot digest and planbot snapshot: the committee digest and the month-end tallies by hand."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, clock_of, open_database
from bot.clock import local_date

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Show the committee digest (tracker tables, changes, exceptions), or post it to Slack."""
    from bot.digest.service import NoPlan, build_digest, digest_json

    engine = open_database(settings)
    clock = clock_of(args, settings)
    today = local_date(clock, settings.planbot_timezone)
    try:
        digest = build_digest(engine=engine, settings=settings, today=today)
    except NoPlan as exc:
        raise UsageError(str(exc)) from None
    if args.post and args.dry_run:
        raise UsageError("--post and --dry-run contradict each other; give one of them")
    if not args.post:
        if args.json:
            print(json.dumps(digest_json(digest), indent=2, ensure_ascii=False))
        else:
            from bot.digest.text import digest_text

            print(digest_text(digest))
        return 0
    if settings.slack_bot_token is None:
        raise UsageError(
            "planbot digest --post posts to Slack, which needs SLACK_BOT_TOKEN (xoxb-…); "
            "`planbot digest` shows the digest without Slack."
        )
    if not settings.planbot_committee_channel:
        raise UsageError(
            "planbot digest --post needs PLANBOT_COMMITTEE_CHANNEL, the committee channel's id "
            "(C…)."
        )
    from bot.deps import make_deps
    from bot.slack.digest_post import post_digest

    deps = make_deps(settings, engine=engine, clock=clock)
    posted = post_digest(deps, today=today)
    if args.json:
        print(json.dumps(digest_json(digest), indent=2, ensure_ascii=False))
    print(f"{posted.summary()}.")
    return 0 if posted.ok else 1


def configure_digest(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the digest, post nothing (the default without --post; needs no Slack token)",
    )
    p.add_argument(
        "--post",
        action="store_true",
        help="post it to PLANBOT_COMMITTEE_CHANNEL (this ISO week's digest is updated if posted)",
    )
    p.add_argument("--json", action="store_true", help="print the digest as JSON")
    add_today(p)


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a month; write it as YYYY-MM, e.g. 2018-11"
        )
    return value


def cmd_snapshot(args: argparse.Namespace, settings: Settings) -> int:
    """Freeze month-end RAG tallies: every past month not frozen yet, or one --month."""
    from bot.digest.months import month_label
    from bot.digest.service import NoPlan, freeze_month, freeze_months, tracker_start

    engine = open_database(settings)
    clock = clock_of(args, settings)
    today = local_date(clock, settings.planbot_timezone)
    try:
        if args.month:
            try:
                frozen = freeze_month(
                    engine=engine, settings=settings, month=args.month, today=today, now=clock.now()
                )
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            label = month_label(args.month)
            print(f"Froze {label}." if frozen else f"{label} was frozen already; nothing changed.")
            return 0
        months = freeze_months(engine=engine, settings=settings, today=today, now=clock.now())
        start = tracker_start(engine=engine, settings=settings)
    except NoPlan as exc:
        raise UsageError(str(exc)) from None
    if months:
        print(f"Froze {', '.join(month_label(m) for m in months)}.")
    else:
        print(
            f"Every month that has ended is frozen already (the tracker starts {month_label(start)})."
        )
    return 0


def configure_snapshot(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", type=_month, metavar="YYYY-MM", help="freeze this past month only")
    add_today(p)


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "digest": (cmd_digest, configure_digest),
    "snapshot": (cmd_snapshot, configure_snapshot),
}
