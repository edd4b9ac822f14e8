"""planbot remind: the loop's jobs run by hand, at a chosen date."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, clock_of, open_database
from bot.clock import local_date
from bot.plan.refs import ActionRef

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    """Compute (and unless --dry-run send) the day's reminders: who is chased about what."""
    from bot.reminders.service import day_plan

    engine = open_database(settings)
    clock = clock_of(args, settings)
    day = local_date(clock, settings.planbot_timezone)
    plan = day_plan(engine=engine, settings=settings, day=day)
    if args.dry_run:
        print(json.dumps(plan.as_json(), indent=2) if args.json else _describe(plan))
        return 0
    if settings.slack_bot_token is None:
        raise UsageError(
            "planbot remind sends DMs, which needs SLACK_BOT_TOKEN (xoxb-…); "
            "`planbot remind --dry-run` shows what it would send without Slack."
        )
    from bot.deps import make_deps
    from bot.reminders.service import mapped_users, plan_reminders
    from bot.slack.people import time_zones
    from bot.slack.sender import LOOP_KINDS, deliver

    deps = make_deps(settings, engine=engine, clock=clock)
    zones = time_zones(deps, mapped_users(engine=engine))
    planned = plan_reminders(
        engine=engine, settings=settings, now=clock.now(), people_tz=zones, everyone_due=day
    )
    delivered = deliver(deps, kinds=LOOP_KINDS, pacer=deps.pacer)
    if args.json:
        print(json.dumps(plan.as_json(), indent=2))
    else:
        print(_describe(plan))
        print(f"{planned.summary()}; {delivered.summary()}.")
    return 1 if delivered.retry_later else 0


def _describe(plan) -> str:
    """The day's reminders for a person to read."""
    from bot.plan.timing import uk_date
    from bot.reminders.message import days_phrase

    if not plan.is_working_day:
        return f"{uk_date(plan.day)} is not a working day: no reminders."
    count = len(plan.people)
    lines = [f"Reminders for {uk_date(plan.day)}: {count} {'person' if count == 1 else 'people'}."]
    for role in plan.roles:
        if not role.actions:
            continue
        who = ", ".join(role.users) or "no one to remind"
        lines.append(f"\n{role.role} ({who})")
        for action, due in role.actions:
            lines.append(f"  {str(action.ref):<6} {due.reason.label:<22} {days_phrase(due.days)}")
    if plan.unreachable:
        lines.append("\nReaching nobody (the admins are told):")
        lines += [f"  {str(entry.action.ref):<6} {entry.why}" for entry in plan.unreachable]
    if plan.not_reminded:
        lines.append("\nDue but held back:")
        lines += [f"  {str(held.action.ref):<6} {held.why}" for held in plan.not_reminded]
    return "\n".join(lines)


def configure_remind(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send nothing")
    p.add_argument("--json", action="store_true")
    add_today(p)


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    """Print what the bot would understand of a reply: actions, RAG, revised timescale."""
    from bot.replies.service import read
    from bot.replies.understand import as_json

    engine = open_database(settings)
    today = local_date(clock_of(args, settings), settings.planbot_timezone)
    refs = [ref.strip() for ref in (args.actions or "").split(",") if ref.strip()]
    bad = [ref for ref in refs if ActionRef.parse(ref) is None]
    if bad:
        raise UsageError(f"{', '.join(bad)}: --actions takes action numbers like 1.4,1.13")
    text = " ".join(args.text)
    if not text.strip():
        raise UsageError('Give the reply\'s text, e.g. planbot parse "1.4 slipped to April 2019"')
    try:
        understood = read(engine=engine, text=text, context_refs=refs, today=today)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    data = as_json(understood)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if data["clarify"]:
        print("The bot would ask which action this is about.")
    for update in data["updates"]:
        rag = update["rag"] or "no RAG change"
        moved = (
            f", timescale → {update['revised_timescale']}" if update["revised_timescale"] else ""
        )
        evidence = ", evidence given" if update["evidence"] else ""
        print(f"{update['action']}: {rag}{moved}{evidence} — {update['text']}")
    for warning in data["warnings"]:
        print(f"Warning: {warning}")
    return 0


def configure_parse(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="+", metavar="TEXT", help="the reply, as a lead would write it")
    p.add_argument(
        "--actions", metavar="1.4,1.13", help="the actions of the reminder being answered"
    )
    p.add_argument("--json", action="store_true")
    add_today(p)


# Each command: what it runs, and the arguments it takes.
COMMANDS = {"remind": (cmd_remind, configure_remind), "parse": (cmd_parse, configure_parse)}
