"""Lead roles and the Slack users mapped to them (leads and deputies)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from bot.plan.roles import role_key
from store.models import Action, ActionLead, LeadRole, RoleMember


@dataclass
class UnknownRole(Exception):
    name: str
    suggestions: list[str]
    empty: bool = False

    def __str__(self) -> str:
        if self.empty:
            return f"There is no lead role {self.name!r}: the database holds no plan yet; run `planbot init` first."
        hint = (
            f" Did you mean: {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else ""
        )
        return f"There is no lead role {self.name!r}.{hint} `planbot leads` lists every role."


@dataclass
class RoleView:
    name: str
    actions: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    deputies: list[str] = field(default_factory=list)


# --- Leads -------------------------------------------------------------------------------------


def roles(*, session: Session) -> list[RoleView]:
    """Every lead role with its actions and mapped Slack users, by name."""
    views = {
        role.id: RoleView(name=role.name)
        for role in session.exec(select(LeadRole).order_by(LeadRole.name))
    }
    query = (
        select(ActionLead.role_id, Action.ref)
        .join(Action, Action.id == ActionLead.action_id)
        .order_by(Action.priority_id, Action.number)
    )
    for role_id, ref in session.exec(query):
        views[role_id].actions.append(ref)
    for member in session.exec(select(RoleMember).order_by(RoleMember.id)):
        target = views[member.role_id].deputies if member.is_deputy else views[member.role_id].users
        target.append(member.slack_user_id)
    return list(views.values())


def members(*, session: Session, name: str) -> RoleView:
    """One role (case and dashes forgiven) with its mapped users; UnknownRole if there is none."""
    role = find_role(session=session, name=name)
    view = RoleView(name=role.name)
    for member in session.exec(
        select(RoleMember).where(RoleMember.role_id == role.id).order_by(RoleMember.id)
    ):
        (view.deputies if member.is_deputy else view.users).append(member.slack_user_id)
    return view


def find_role(*, session: Session, name: str) -> LeadRole:
    """The role called `name` (case and dashes forgiven), or UnknownRole with the closest names."""
    wanted = role_key(name)
    all_roles = list(session.exec(select(LeadRole)))
    for role in all_roles:
        if role_key(role.name) == wanted:
            return role
    if not all_roles:
        raise UnknownRole(name, [], empty=True)
    names = [role.name for role in all_roles]
    by_fold = {role_key(n): n for n in names}
    close = difflib.get_close_matches(wanted, list(by_fold), n=3, cutoff=0.5)
    contains = [n for n in names if wanted and wanted in role_key(n)]
    suggestions = list(dict.fromkeys([by_fold[c] for c in close] + contains))[:5]
    raise UnknownRole(name, suggestions)


def map_role(
    *,
    session: Session,
    role_name: str,
    user_id: str,
    deputy: str | None,
    at: datetime,
    by: str | None,
) -> LeadRole:
    """Map a Slack user (and optionally a deputy) to a lead role; mapping twice changes nothing."""
    role = find_role(session=session, name=role_name)
    for slack_user, is_deputy in ((user_id, False), (deputy, True)):
        if not slack_user:
            continue
        existing = session.exec(
            select(RoleMember).where(
                RoleMember.role_id == role.id, RoleMember.slack_user_id == slack_user
            )
        ).first()
        if existing is None:
            session.add(
                RoleMember(
                    role_id=role.id,
                    slack_user_id=slack_user,
                    is_deputy=is_deputy,
                    mapped_at=at,
                    mapped_by=by,
                )
            )
        elif existing.is_deputy != is_deputy:
            existing.is_deputy = is_deputy
            session.add(existing)
    session.flush()
    return role


def unmap_role(*, session: Session, role_name: str, user_id: str) -> str | None:
    """Stop mapping a user (lead or deputy) to a role; the role's name, or None if they were not mapped."""
    role = find_role(session=session, name=role_name)
    member = session.exec(
        select(RoleMember).where(RoleMember.role_id == role.id, RoleMember.slack_user_id == user_id)
    ).first()
    if member is None:
        return None
    session.delete(member)
    session.flush()
    return role.name


def unmap_everyone(*, session: Session) -> None:
    """Forget every role's Slack users (for a scratch copy whose people are fictional)."""
    session.exec(delete(RoleMember))
