"""A small plan with hand-counted tallies and a week of recorded history, for the digest tests.

Loaded 1 Nov 2018, progress as of 31 Oct 2018 12:00 UTC (so the tracker starts NOV 2018).

    priority 1: 1.1 red→amber (15 Nov)  1.2 amber  1.3 green  1.4 completed
    priority 2: 2.1 not yet rated  2.2 green→completed (16 Nov)  2.3 red, a New Action (8 Nov)
    priority 3: 3.1 amber, no timescale

Now: P1 amber 2, green 1, completed 1; P2 red 1, completed 1, unrated 1 (new 1); P3 amber 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.plan.history import PlanArchive
from bot.plan.rag import Rag
from bot.plan.specs import ActionSpec, PlanSpec, PrioritySpec
from store import archive
from store.engine import transaction
from store.models import (
    Action,
    Escalation,
    LeadRole,
    Outbox,
    ProgressUpdate,
    RagChange,
    RagProposal,
    ReminderItem,
    RoleMember,
    SlackPerson,
    TimescaleChange,
)

WRITTEN = datetime(2018, 10, 31, 12, 0, tzinfo=UTC)
LOADED = datetime(2018, 11, 1, 9, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def small_spec() -> PlanSpec:
    def action(ref, rag, timescale=date(2019, 3, 31), lead="Lead A", **kw):
        return ActionSpec(ref, f"Action {ref} text", [lead], timescale, rag=rag, **kw)

    return PlanSpec(
        name="Small plan",
        progress_as_of=WRITTEN,
        priorities=[
            PrioritySpec(
                1,
                "help_and_protection",
                "Recommendation one",
                actions=[
                    action("1.1", Rag.RED, date(2018, 11, 1)),
                    action("1.2", Rag.AMBER, date(2018, 11, 30)),
                    action("1.3", Rag.GREEN, date(2018, 12, 31)),
                    action("1.4", Rag.COMPLETED, date(2018, 10, 1)),
                ],
            ),
            PrioritySpec(
                2,
                "looked_after",
                "Recommendation two",
                actions=[
                    action("2.1", Rag.UNRATED, date(2018, 11, 25), lead="Lead B"),
                    action("2.2", Rag.GREEN, date(2018, 11, 10)),
                ],
            ),
            PrioritySpec(
                3,
                "leadership",
                "Recommendation three",
                actions=[action("3.1", Rag.AMBER, None, lead="Lead C")],
            ),
        ],
    )


def load_small(engine: Engine) -> None:
    with transaction(engine) as session:
        archive.load_plan(
            session=session, archive=PlanArchive(small_spec()), loaded_at=LOADED, source="test"
        )


def ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return dict(session.exec(select(Action.ref, Action.id)).all())


def change_rag(engine: Engine, ref: str, to: Rag, when: datetime, by: str = "U0CHAIR001") -> None:
    with transaction(engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        session.add(
            RagChange(
                action_id=action.id,
                from_rag=action.rag,
                to_rag=to.value,
                at=when,
                by=by,
                via="test",
            )
        )
        action.rag = to.value
        session.add(action)


def add_new_action(engine: Engine, ref: str, rag: Rag, when: datetime) -> None:
    priority, number = (int(n) for n in ref.split("."))
    with transaction(engine) as session:
        other = session.exec(select(Action).where(Action.ref == f"{priority}.1")).one()
        session.add(
            Action(
                ref=ref,
                priority_id=other.priority_id,
                number=number,
                text=f"New action {ref}",
                timescale=date(2019, 6, 30),
                original_timescale=date(2019, 6, 30),
                rag=rag.value,
                is_new=True,
                created_at=when,
            )
        )


def the_week(engine: Engine) -> None:
    """What happened around 13–19 Nov 2018, for a digest on Tue 20 Nov 2018."""
    change_rag(engine, "1.1", Rag.AMBER, at("2018-11-15T10:00:00+00:00"))
    change_rag(engine, "2.2", Rag.COMPLETED, at("2018-11-16T10:00:00+00:00"))
    # Before the week: a change not listed under "this week".
    add_new_action(engine, "2.3", Rag.RED, at("2018-11-08T10:00:00+00:00"))
    action = ids(engine)
    with transaction(engine) as session:
        row = session.get(Action, action["1.2"])
        row.timescale = date(2019, 1, 31)
        session.add(row)
        session.add(
            TimescaleChange(
                action_id=action["1.2"],
                from_date=date(2018, 11, 30),
                to_date=date(2019, 1, 31),
                at=at("2018-11-14T12:00:00+00:00"),
                via="test",
            )
        )
        for ref, status, rag, decided in (
            ("1.2", "awaiting_approval", "green", None),
            ("1.3", "evidence_pending", "completed", None),
            ("2.1", "returned", "green", at("2018-11-14T15:00:00+00:00")),
        ):
            session.add(
                RagProposal(
                    action_id=action[ref],
                    proposed_rag=rag,
                    proposed_by="U0LEADA001",
                    proposed_at=at("2018-11-13T09:00:00+00:00"),
                    status=status,
                    decided_at=decided,
                    reason="no evidence yet" if decided else None,
                )
            )
        session.add(
            Escalation(
                action_id=action["1.1"],
                since=date(2018, 11, 1),
                day=date(2018, 11, 15),
                reminders=2,
                leads=["U0LEADA001"],
                at=at("2018-11-15T09:00:00+00:00"),
            )
        )
        role = session.exec(select(LeadRole).where(LeadRole.name == "Lead C")).one()
        session.add(
            RoleMember(role_id=role.id, slack_user_id="U0GONE0001", mapped_at=LOADED, mapped_by="t")
        )
        session.add(
            SlackPerson(slack_user_id="U0GONE0001", unreachable="user_disabled", checked_at=LOADED)
        )
        # Participation in November: A answered in 2 days, B the same day, C not (C's update
        # came before the reminder reached them).
        for n, (user, ref, day, sent) in enumerate(
            (
                ("U0LEADA001", "1.1", date(2018, 11, 5), "2018-11-05T09:00:00+00:00"),
                ("U0LEADB001", "2.1", date(2018, 11, 12), "2018-11-12T09:00:00+00:00"),
                ("U0LEADC001", "3.1", date(2018, 11, 13), "2018-11-13T09:00:00+00:00"),
                ("U0LEADC001", "3.1", date(2018, 10, 29), "2018-10-29T09:00:00+00:00"),
            )
        ):
            box = Outbox(
                key=f"reminder:{user}:{n}",
                kind="reminder",
                recipient=user,
                status="sent",
                sent_at=at(sent),
                created_at=at(sent),
            )
            session.add(box)
            session.flush()
            session.add(
                ReminderItem(
                    outbox_id=box.id,
                    action_id=action[ref],
                    slack_user_id=user,
                    day=day,
                    reason="due",
                    days=0,
                )
            )
        for user, ref, when in (
            ("U0LEADA001", "1.1", "2018-11-07T16:00:00+00:00"),
            ("U0LEADB001", "2.1", "2018-11-12T15:00:00+00:00"),
            ("U0LEADC001", "3.1", "2018-11-13T08:00:00+00:00"),
        ):
            session.add(
                ProgressUpdate(
                    action_id=action[ref], text="update", author=user, at=at(when), source="reply"
                )
            )
