"""planbot leads: who leads each role, mapped to Slack users."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.cli.common import UsageError, add_today, clock_of, open_database
from bot.plan.refs import SLACK_USER_ID
from bot.settings import Settings

if TYPE_CHECKING:
    from store.leads import RoleView


def cmd_leads(args: argparse.Namespace, settings: Settings) -> int:
    """List lead roles with their actions and Slack users, or map a role to a user."""
    from sqlmodel import Session

    from store import leads
    from store.engine import transaction

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


def mapped_message(before: RoleView, user: str, deputy: str | None) -> str:
    """What a mapping changed, against who led the role before (never "is led by X" alone when
    others lead it too)."""
    name = before.name
    others = [u for u in before.users if u != user]
    if user in before.users:
        said = [f"{user} already leads {name!r}"]
    elif user in before.deputies:
        said = [f"{user} now leads {name!r} instead of deputising for it"]
    elif others:
        said = [f"{user} now also leads {name!r}, beside {', '.join(others)}"]
    else:
        said = [f"{name!r} is led by {user}"]
    if deputy is None:
        changed = user not in before.users
    else:
        other_deputies = [d for d in before.deputies if d != deputy]
        changed = user not in before.users or deputy not in before.deputies
        if deputy in before.deputies:
            said.append(f"{deputy} already deputises for {name!r}")
        elif deputy in before.users:
            said.append(f"{deputy} now deputises for {name!r} instead of leading it")
        elif other_deputies:
            said.append(f"{deputy} now also deputises for it, beside {', '.join(other_deputies)}")
        elif len(said) == 1 and said[0].endswith(f"is led by {user}"):
            said[0] += f" with deputy {deputy}"
        else:
            said.append(f"{deputy} deputises for {name!r}")
    return ". ".join(said) + ("." if changed else "; nothing changed.")


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
