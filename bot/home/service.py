"""What a person's App Home shows, read from the store."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from bot.approvals.service import approvers_of, pending
from bot.home.view import HomeData
from bot.settings import Settings
from store import people
from store import reminders as reminders_store
from store import replies as replies_store


def home_data(*, engine: Engine, settings: Settings, user: str, today: date) -> HomeData:
    is_admin = user in settings.planbot_admins
    is_approver = user in approvers_of(settings)
    with Session(engine) as session:
        states = reminders_store.action_states(session=session, tz=settings.planbot_timezone)
        mine_refs = set(replies_store.actions_of(session=session, user=user))
        escalated = reminders_store.open_escalations(session=session) if is_admin else []
        roles = reminders_store.roles(session=session) if is_admin else []
        known = people.facts(session=session) if is_admin else {}
    by_ref = {str(s.ref): s for s in states}
    mine = [s for ref, s in by_ref.items() if ref in mine_refs and s.is_open]
    overdue = [s for s in states if s.is_open and s.timescale and s.timescale < today]
    unreachable = [
        f'"{r.name}" has no Slack user: `planbot leads map`' for r in roles if not r.members
    ]
    unreachable += [
        f"<@{u}>: {f.unreachable.replace('_', ' ')}" for u, f in known.items() if f.unreachable
    ]
    return HomeData(
        today=today,
        mine=mine,
        is_admin=is_admin,
        is_approver=is_approver,
        queue=pending(engine=engine) if is_approver else (),
        escalated=[
            f"{e.action}: escalated on {e.day:%d %b %Y}, {e.reminders} reminders unanswered"
            for e in escalated
        ],
        overdue=overdue if is_admin else (),
        unreachable=unreachable,
    )
