"""planbot leads: who leads each role, mapped to Slack users."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, clock_of, open_database, parse_today
from bot.clock import local_date
from bot.plan.refs import SLACK_USER_ID
from bot.plan.roles import mapped_message

if TYPE_CHECKING:
    from bot.settings import Settings  # pydantic: imported by the commands that need it


def cmd_leads(args: argparse.Namespace, settings: Settings) -> int:
    """List lead roles with their actions and Slack users, or map a role to a user."""
    from sqlmodel import Session

    from store import leads
    from store.engine import transaction

    if args.leads_command == "leave":
        return _leave(args, settings)
    if args.leads_command in ("map", "unmap"):
        # Checked before anything else: "" or "bob" would be mapped to no one at all.
        for user in (args.user, getattr(args, "deputy", None)):
            if user is not None and not SLACK_USER_ID.match(user):
                raise UsageError(
                    f"{user!r} is not a Slack user id; ids look like U0123ABCD "
                    "(in Slack: the person's profile, ⋮, Copy member ID)"
                )
    engine = open_database(settings)
    if args.leads_command == "unmap":
        try:
            with transaction(engine) as session:
                removed = leads.unmap_role(session=session, role_name=args.role, user_id=args.user)
        except leads.UnknownRole as exc:
            raise UsageError(str(exc)) from None
        if not removed:
            raise UsageError(
                f"{args.user} does not lead or deputise for {args.role!r}; nothing changed."
            )
        print(f"{args.user} no longer leads or deputises for {removed!r}.")
        return 0
    if args.leads_command == "map":
        if args.deputy and args.deputy == args.user:
            raise UsageError(
                "A role's lead cannot be their own deputy; name someone else with --deputy."
            )
        try:
            with transaction(engine) as session:
                before = leads.members(session=session, name=args.role)
                leads.map_role(
                    session=session,
                    role_name=args.role,
                    user_id=args.user,
                    deputy=args.deputy,
                    at=clock_of(args, settings).now(),
                    by="cli",
                )
        except leads.UnknownRole as exc:
            raise UsageError(str(exc)) from None
        print(mapped_message(before, args.user, args.deputy))
        return 0
    from store import people

    today = local_date(clock_of(args, settings), settings.planbot_timezone)
    with Session(engine) as session:
        roles = leads.roles(session=session)
        away = people.on_leave(session=session, day=today)
    if args.json:
        rows = [
            {
                **role.__dict__,
                # Who of the role's people is away, and until when (inclusive).
                "on_leave": {
                    u: away[u].until.isoformat() for u in (*role.users, *role.deputies) if u in away
                },
            }
            for role in roles
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not roles:
        print("No lead roles: load a plan with `planbot init`.")
    for role in roles:
        mapped = ", ".join(_named(u, away) for u in role.users) or "not mapped"
        if role.deputies:
            mapped += f" (deputy {', '.join(_named(u, away) for u in role.deputies)})"
        print(f"{role.name}\n    actions: {', '.join(role.actions) or 'none'}\n    slack: {mapped}")
    if away:
        print("\nOn leave (reminders go to the role's deputy, else the admins hear of it):")
        for user, leave in sorted(away.items()):
            print(f"    {user} until {leave.until:%d %b %Y}")
    return 0


def _named(user: str, away: dict) -> str:
    return f"{user} [on leave until {away[user].until:%d %b %Y}]" if user in away else user


def _leave(args: argparse.Namespace, settings: Settings) -> int:
    """`planbot leads leave USER_ID --until DATE` / `--cancel`."""
    from store import people
    from store.engine import transaction

    if not SLACK_USER_ID.match(args.user):
        raise UsageError(f"{args.user!r} is not a Slack user id; ids look like U0123ABCD")
    if bool(args.until) == bool(args.cancel):
        raise UsageError("Say --until DATE (the last day away, YYYY-MM-DD) or --cancel.")
    engine = open_database(settings)
    clock = clock_of(args, settings)
    today = local_date(clock, settings.planbot_timezone)
    with transaction(engine) as session:
        if args.cancel:
            if not people.cancel_leave(session=session, user_id=args.user, at=clock.now()):
                raise UsageError(f"{args.user} has no leave recorded; nothing changed.")
            print(f"{args.user} is back: reminders go to them again.")
            return 0
        if args.until < today:
            raise UsageError(
                f"{args.until:%d %b %Y} is already past (today is {today:%d %b %Y}); "
                "give the last day they are away."
            )
        if (args.until - today).days > 366:
            raise UsageError(
                f"{args.until:%d %b %Y} is more than a year away; record leave of a year at most "
                "(and --cancel it when they are back)."
            )
        people.record_leave(
            session=session, user_id=args.user, until=args.until, at=clock.now(), by="cli"
        )
    print(
        f"{args.user} is on leave until {args.until:%d %b %Y} (inclusive): their reminders go to "
        "their roles' deputies meanwhile, and they are not counted as not answering."
    )
    return 0


def configure_leads(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    add_today(p)
    leads_sub = p.add_subparsers(dest="leads_command", metavar="map | unmap | leave")
    m = leads_sub.add_parser(
        "map",
        help="map a lead role to a Slack user",
        description="Map a lead role to a Slack user.",
    )
    m.add_argument("role", metavar="ROLE")
    m.add_argument("user", metavar="USER_ID")
    m.add_argument("--deputy", metavar="USER_ID", help="who covers the role on leave")
    add_today(m)
    u = leads_sub.add_parser(
        "unmap",
        help="stop mapping a Slack user to a lead role",
        description="Stop mapping a Slack user (lead or deputy) to a lead role.",
    )
    u.add_argument("role", metavar="ROLE")
    u.add_argument("user", metavar="USER_ID")
    v = leads_sub.add_parser(
        "leave",
        help="record that someone is away (their deputy is reminded instead)",
        description="Record that a Slack user is on leave until a date, or cancel it.",
    )
    v.add_argument("user", metavar="USER_ID")
    v.add_argument("--until", type=parse_today, metavar="DATE", help="last day away, YYYY-MM-DD")
    v.add_argument("--cancel", action="store_true", help="they are back")
    add_today(v)


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "leads": (cmd_leads, configure_leads),
}
