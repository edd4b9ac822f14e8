"""Reading the plan back as plain views: the whole plan, a priority, an action with its history.

The statements are in store/plan_statements.py; this module names them and needs no SQLAlchemy
itself, so that `planbot status` can read a SQLite plan through the same functions without it
(store/quick.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from bot.plan.rag import RAG_BY_VALUE, Rag
from bot.plan.refs import SLACK_TS, ActionRef
from bot.plan.tallies import Tally
from bot.plan.views import (
    ActionDetail,
    ActionView,
    Closure,
    HistoryEntry,
    MeasureView,
    PlanOutline,
    PlanSummary,
    PriorityCounts,
    PriorityView,
    UpdateView,
)
from store.driver import DriverQuery, day, instant, read_together

if TYPE_CHECKING:
    from sqlmodel import Session


def _named(name: str) -> DriverQuery:
    return DriverQuery(f"store.plan_statements:{name}")


_PLAN_NAME = _named("PLAN_NAME")
_ACTIONS_OF_PRIORITY = _named("ACTIONS_OF_PRIORITY")
_ACTION_BY_REF = _named("ACTION_BY_REF")
_EVERY_ACTION = _named("EVERY_ACTION")
_PRIORITY_BY_NUMBER = _named("PRIORITY_BY_NUMBER")
_PRIORITIES_FOR_RECOMMENDATION = _named("PRIORITIES_FOR_RECOMMENDATION")
_EVERY_PRIORITY = _named("EVERY_PRIORITY")
_PRIORITY_NUMBERS = _named("PRIORITY_NUMBERS")
_OFSTED_RECOMMENDATIONS = _named("OFSTED_RECOMMENDATIONS")
_ACTION_REFS_OF_PRIORITY = _named("ACTION_REFS_OF_PRIORITY")
_PLAN_COUNTS = _named("PLAN_COUNTS")
_HISTORY_OF = _named("HISTORY_OF")
_OPEN_ESCALATION_OF = _named("OPEN_ESCALATION_OF")
_PEOPLE_OF = _named("PEOPLE_OF")
_UNDECIDED_OF = _named("UNDECIDED_OF")
_PRIORITY_WITH_MEASURES = _named("PRIORITY_WITH_MEASURES")
# Every DriverQuery above, for `python -m store.bake` (which compiles them for SQLite).
NAMED_READS = tuple(q for q in globals().values() if isinstance(q, DriverQuery))


# --- Loading -----------------------------------------------------------------------------------


def plan_exists(*, session: Session) -> bool:
    return _PLAN_NAME.first(session) is not None


def plan_name(*, session: Session) -> str | None:
    row = _PLAN_NAME.first(session)
    return row[0] if row else None


# --- Reading -----------------------------------------------------------------------------------


def _action_views(rows: list[tuple]) -> list[tuple[tuple, ActionView]]:
    """Each action's row (its first, of _ACTION_ROWS) and view, in the plan's order."""
    actions: dict[int, tuple[tuple, list[str]]] = {}
    for row in rows:
        action = actions.get(row[0])
        if action is None:
            action = actions[row[0]] = (row, [])
        if row[16] is not None:
            action[1].append(row[16])
    return [(row, _action_view(row, leads)) for row, leads in actions.values()]


def _action_view(row: tuple, leads: list[str]) -> ActionView:
    """An action's view from its row of _ACTION_ROWS."""
    at = instant(row[12])
    return ActionView(
        ref=ActionRef(row[1], row[2]),
        text=row[3],
        leads=tuple(leads),
        timescale=day(row[4]),
        original_timescale=day(row[5]),
        rag=RAG_BY_VALUE[row[6]],
        last_update=UpdateView(at=at, text=row[13], author=row[14], source=row[15])
        if at is not None
        else None,
        is_new=bool(row[7]),
        note=row[8],
        closed=row[9] is not None,
    )


def _priority_view(row: tuple, actions: tuple[ActionView, ...] = ()) -> PriorityView:
    """A priority's view from its row of _PRIORITY_ROWS (its first five columns)."""
    _id, number, recommendation, section, title = row[:5]
    return PriorityView(
        number=number,
        ofsted_recommendation=recommendation,
        section=section,
        title=title,
        actions=actions,
    )


def _with_actions(session: Session, priority: tuple) -> PriorityView:
    views = _action_views(_ACTIONS_OF_PRIORITY.rows(session, number=priority[1]))
    return _priority_view(priority, tuple(view for _, view in views))


def plan_outline(*, session: Session) -> PlanOutline:
    """Every priority with its actions, current RAG and latest update."""
    by_priority: dict[int, list[ActionView]] = defaultdict(list)
    for _, view in _action_views(_EVERY_ACTION.rows(session)):
        by_priority[view.ref.priority].append(view)
    return PlanOutline(
        name=plan_name(session=session) or "",
        priorities=tuple(
            _priority_view(p, tuple(by_priority.get(p[1], ())))
            for p in _EVERY_PRIORITY.rows(session)
        ),
    )


def plan_summary(*, session: Session, today: date) -> PlanSummary:
    """Every priority's actions counted by agreed RAG, new and overdue as of `today`."""
    return PlanSummary(
        name=plan_name(session=session) or "",
        priorities=tuple(
            PriorityCounts(
                number=number,
                ofsted_recommendation=recommendation,
                title=title,
                # PostgreSQL sums as numeric (Decimal); the counts are whole numbers.
                tally=Tally(**dict(zip(_TALLY_FIELDS, map(int, counts[:-1]), strict=True))),
                overdue=int(counts[-1]),
            )
            for number, recommendation, title, *counts in _PLAN_COUNTS.rows(session, today=today)
        ),
    )


_TALLY_FIELDS = (*(rag.value for rag in Rag), "new_actions", "total")


def priority_numbers(*, session: Session) -> list[int]:
    return [number for (number,) in _PRIORITY_NUMBERS.rows(session)]


def priority_view(*, session: Session, number: int) -> PriorityView | None:
    """Priority N with its actions, and its KPIs and quality measures with their latest values."""
    # The priority comes in one row a measure (or one row, without measures).
    rows, actions = read_together(
        session,
        (_PRIORITY_WITH_MEASURES, {"number": number}),
        (_ACTIONS_OF_PRIORITY, {"number": number}),
    )
    if not rows:
        return None
    measures = tuple(
        MeasureView(kind, name, value, instant(at))
        for *_, kind, name, value, at in rows
        if kind is not None
    )
    views = tuple(view for _, view in _action_views(actions))
    return replace(_priority_view(rows[0], views), measures=measures)


def priorities_for_recommendation(*, session: Session, recommendation: int) -> list[PriorityView]:
    """The priorities that answer Ofsted recommendation M."""
    return [
        _with_actions(session, priority)
        for priority in _PRIORITIES_FOR_RECOMMENDATION.rows(session, recommendation=recommendation)
    ]


def ofsted_recommendations(*, session: Session) -> list[int]:
    return [number for (number,) in _OFSTED_RECOMMENDATIONS.rows(session)]


def action_refs(*, session: Session, priority: int) -> list[str]:
    return [ref for (ref,) in _ACTION_REFS_OF_PRIORITY.rows(session, number=priority)]


def _history(rows: list[tuple]) -> list[HistoryEntry]:
    """An action's updates, RAG changes and timescale changes, oldest first (_HISTORY_OF's rows)."""
    history: list[HistoryEntry] = []
    for row in rows:
        kind, at, _id, text, old, new, old_day, new_day, reason, by, via, channel, ts, retracted = (
            row
        )
        if kind == 0:
            text = text if retracted is None else f"(retracted) {text}"
            entry = HistoryEntry(instant(at), "update", text, by, via, permalink(channel, ts))
        elif kind == 1:
            said = f"RAG {Rag(old).label} → {Rag(new).label}" + (f" ({reason})" if reason else "")
            entry = HistoryEntry(instant(at), "rag", said, by, via)
        else:
            old, new = (day(d).isoformat() if d else "none" for d in (old_day, new_day))
            said = f"Timescale {old} → {new}" + (f" ({reason})" if reason else "")
            entry = HistoryEntry(instant(at), "timescale", said, by, via)
        history.append(entry)
    return history


def action_detail(*, session: Session, ref: str) -> ActionDetail | None:
    """One action with its priority and whole history, oldest first."""
    asked = ActionRef.parse(ref)
    if asked is None:
        return None
    # Every part is read by the action's ref, so that all go together (one round trip on
    # PostgreSQL).
    found, priority, escalation, people, undecided, history = read_together(
        session,
        (_ACTION_BY_REF, {"ref": ref}),
        (_PRIORITY_BY_NUMBER, {"number": asked.priority}),
        (_OPEN_ESCALATION_OF, {"ref": ref}),
        (_PEOPLE_OF, {"ref": ref}),
        (_UNDECIDED_OF, {"ref": ref}),
        (_HISTORY_OF, {"ref": ref}),
    )
    if not found:
        return None
    [(row, view)] = _action_views(found)
    closed_at, closed_by, closed_reason = instant(row[9]), row[10], row[11]
    return ActionDetail(
        priority=_priority_view(priority[0], (view,)),
        action=view,
        history=tuple(_history(history)),
        leads=tuple(dict.fromkeys(user for user, deputy in people if not deputy)),
        deputies=tuple(dict.fromkeys(user for user, deputy in people if deputy)),
        pending=tuple(
            _pending_text(proposed_rag, day(revised), status, proposed_by)
            for proposed_rag, revised, status, proposed_by in undecided
        ),
        escalation=_escalation_text(day(escalation[0][0]), escalation[0][1])
        if escalation
        else None,
        closure=Closure(closed_at, closed_by, closed_reason) if closed_at else None,
    )


def _pending_text(
    proposed_rag: str | None, revised_timescale: date | None, status: str, proposed_by: str | None
) -> str:
    what = []
    if proposed_rag:
        what.append(f"RAG {Rag(proposed_rag).label}")
    if revised_timescale:
        what.append(f"timescale {revised_timescale.isoformat()}")
    state = (
        "completed — evidence pending"
        if status == "evidence_pending"
        else "awaiting the approvers' decision"
    )
    return f"{', '.join(what) or 'An update'} proposed by {proposed_by or 'a lead'}: {state}"


def permalink(channel: str | None, ts: str | None) -> str | None:
    """A link to a Slack message (Slack sends a signed-in reader on to their workspace), or None
    when the update did not come from one (an import, a button, a command)."""
    if not channel or not ts or not SLACK_TS.match(ts) or channel[0] not in "CDG":
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def _escalation_text(day_: date, reminders: int) -> str:
    count = f"{reminders} reminder{'s' if reminders != 1 else ''}"
    return f"Escalated to the approvers on {day_.isoformat()}: {count} unanswered"
