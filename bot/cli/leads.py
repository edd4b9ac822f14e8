"""planbot leads: who leads each role, mapped to Slack users."""

from __future__ import annotations

import argparse
import json

from bot.cli.common import UsageError, add_today, clock_of, open_database
from bot.settings import Settings


def cmd_leads(args: argparse.Namespace, settings: Settings) -> int:
    """List lead roles with their actions and Slack users, or map a role to a user."""
    from sqlmodel import Session

    from bot.plan.refs import SLACK_USER_ID
    from store import leads
    from store.engine import transaction

    engine = open_database(settings)
    if args.leads_command in ("map", "unmap"):
        for user in filter(None, (args.user, getattr(args, "deputy", None))):
            if not SLACK_USER_ID.match(user):
                raise UsageError(f"{user!r} is not a Slack user id; ids look like U0123ABCD")
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
                role = leads.map_role(
                    session=session,
                    role_name=args.role,
                    user_id=args.user,
                    deputy=args.deputy,
                    at=clock_of(args, settings).now(),
                    by="cli",
                )
                name = role.name
        except leads.UnknownRole as exc:
            raise UsageError(str(exc)) from None
        deputy = f" with deputy {args.deputy}" if args.deputy else ""
        print(f"{name!r} is led by {args.user}{deputy}.")
        return 0
    with Session(engine) as session:
        roles = leads.roles(session=session)
    if args.json:
        print(json.dumps([r.__dict__ for r in roles], indent=2))
        return 0
    if not roles:
        print("No lead roles: load a plan with `planbot init`.")
    for role in roles:
        people = ", ".join(role.users) or "not mapped"
        if role.deputies:
            people += f" (deputy {', '.join(role.deputies)})"
        print(f"{role.name}\n    actions: {', '.join(role.actions) or 'none'}\n    slack: {people}")
    return 0


def configure_leads(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    leads_sub = p.add_subparsers(dest="leads_command", metavar="map | unmap")
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


# Each command: what it runs, and the arguments it takes.
COMMANDS = {
    "leads": (cmd_leads, configure_leads),
}
