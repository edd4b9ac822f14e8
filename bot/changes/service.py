"""The admins' changes against the store, shared by `/plan` and the CLI.

Each function checks the change first and makes it in one transaction, recording who (`by`: a
Slack user id, or "cli"), when (`at`), how (`via`: "command" for /plan, "cli", where the
history has a column for it) and why. A change
that cannot be made raises ChangeRefused with a message naming what is valid, and changes
nothing. Whether the caller may make the change (admins only) is the caller's to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.changes.args import MAX_VALUE_CHARS, MEASURE_WORDS, VALUE_WORDS, MeasureKind
from bot.changes.matching import find_measure
from bot.changes.records import (
    ActionFacts,
    Added,
    ChangeRefused,
    Closed,
    Recorded,
    Retimed,
)
from bot.plan.refs import ActionRef
from bot.plan.specs import CELL_TEXT_LIMIT
from bot.plan.timing import uk_date
from bot.status.grammar import no_such_action, no_such_priority
from store import changes as store
from store import plan
from store.engine import transaction
from store.leads import UnknownRole

__all__ = ["ChangeRefused", "add_action", "close", "record_measure", "retime"]


def add_action(
    *,
    engine: Engine,
    priority: int,
    text: str,
    lead_roles: Sequence[str],
    due: date,
    by: str | None,
    at: datetime,
) -> Added:
    """A New Action in `priority` with its next number, led by `lead_roles`, due on `due`;
    `by` (a Slack user, or "cli") is kept on the action as who added it."""
    text = text.strip()
    if not text:
        raise ChangeRefused("The new action's text is empty; say what is to be done.")
    if not lead_roles:
        raise ChangeRefused("Say which lead role leads the new action.")
    with transaction(engine) as session:
        # The priority is held until the end, so that two additions to it take turns.
        priority_id = store.priority_id(session=session, number=priority, lock=True)
        if priority_id is None:
            raise ChangeRefused(_no_priority(session, priority))
        roles = _roles(session, list(lead_roles))
        ref = store.add_action(
            session=session,
            priority_id=priority_id,
            priority_number=priority,
            text=text,
            role_ids=list(roles),
            due=due,
            at=at,
            by=by,
        )
        # An export writes "3.9 text" into one cell, which must hold it whole (raising here
        # rolls the addition back).
        if len(f"{ref} {text}") > CELL_TEXT_LIMIT:
            raise ChangeRefused(
                f"The action's text is {len(text):,} characters long; with its number, at most "
                f"{CELL_TEXT_LIMIT:,} fit a spreadsheet cell. Shorten it."
            )
    return Added(ref=ref, text=text, leads=tuple(roles.values()), due=due)


def retime(
    *,
    engine: Engine,
    ref: str | ActionRef,
    to: date,
    reason: str | None,
    by: str | None,
    at: datetime,
    via: str = "command",
) -> Retimed:
    """Move action `ref`'s timescale to `to`; the date first agreed stays as its original."""
    reason = _reason(reason, required=False)
    with transaction(engine) as session:
        action = _action(session, ref)
        if action.closed_at is not None:
            raise ChangeRefused(
                f"Action {action.ref} is closed, so its timescale stays as it was; nothing changed."
            )
        if action.timescale == to:
            raise ChangeRefused(
                f"Action {action.ref} is already due on {uk_date(to)}; nothing changed."
            )
        original = store.retime(
            session=session, action=action, to=to, reason=reason, at=at, by=by, via=via
        )
    return Retimed(action.ref, action.timescale, to, original, reason)


def close(
    *,
    engine: Engine,
    ref: str | ActionRef,
    reason: str,
    by: str | None,
    at: datetime,
) -> Closed:
    """Close action `ref` (superseded, withdrawn): no more reminders; it stays in the history.

    Only /plan and the CLI close actions, so `by` (a Slack user, or "cli") also says how."""
    reason = _reason(reason, required=True)
    assert reason is not None
    with transaction(engine) as session:
        action = _action(session, ref)
        if action.closed_at is not None:
            by_whom = f" by {action.closed_by}" if action.closed_by else ""
            raise ChangeRefused(f"Action {action.ref} is already closed{by_whom}; nothing changed.")
        store.close(session=session, action=action, reason=reason, at=at, by=by)
    return Closed(action.ref, at, by, reason)


def record_measure(
    *,
    engine: Engine,
    priority: int,
    kind: MeasureKind,
    name_or_number: str,
    value: str,
    by: str | None,
    at: datetime,
    via: str = "command",
) -> Recorded:
    """Record a KPI value (`kind` "kpi") or a QA rating ("quality") for one of a priority's
    measures, named or numbered as in its list (1..n)."""
    if kind not in MEASURE_WORDS:
        raise ChangeRefused(f"{kind!r} is not a kind of measure: use kpi or quality.")
    value = " ".join(value.split())
    if not value:
        raise ChangeRefused(f"Give the {VALUE_WORDS[kind]} to record.")
    if len(value) > MAX_VALUE_CHARS:
        raise ChangeRefused(
            f"That {VALUE_WORDS[kind]} is {len(value):,} characters long; at most "
            f"{MAX_VALUE_CHARS} fit."
        )
    with transaction(engine) as session:
        priority_id = store.priority_id(session=session, number=priority)
        if priority_id is None:
            raise ChangeRefused(_no_priority(session, priority))
        found = store.measures(session=session, priority_id=priority_id, kind=kind)
        index = find_measure(
            name_or_number, [name for _, name in found], kind=kind, priority=priority
        )
        if isinstance(index, str):
            raise ChangeRefused(index)
        measure_id, name = found[index]
        previous = store.latest_value(session=session, measure_id=measure_id)
        store.record_value(
            session=session, measure_id=measure_id, value=value, at=at, by=by, via=via
        )
    return Recorded(priority, kind, index + 1, name, value, previous)


def _no_priority(session: Session, number: int) -> str:
    return no_such_priority(number, plan.priority_numbers(session=session))


def _action(session: Session, ref: str | ActionRef) -> ActionFacts:
    parsed = ref if isinstance(ref, ActionRef) else ActionRef.parse(ref)
    if parsed is None:
        raise ChangeRefused(f"{str(ref)[:40]!r} is not an action number like 3.4.")
    action = store.action_facts(session=session, ref=str(parsed))
    if action is None:
        refs = plan.action_refs(session=session, priority=parsed.priority)
        numbers = plan.priority_numbers(session=session)
        raise ChangeRefused(no_such_action(parsed, refs, numbers))
    return action


def _roles(session: Session, names: list[str]) -> dict[int, str]:
    try:
        return store.role_names(session=session, names=names)
    except UnknownRole as unknown:
        if unknown.empty:
            raise ChangeRefused(
                "The database holds no plan yet, so no lead roles: load one first."
            ) from None
        hint = f" Did you mean {_either(unknown.suggestions)}?" if unknown.suggestions else ""
        raise ChangeRefused(
            f"There is no lead role {unknown.name!r}.{hint} A new action is led by one of the "
            "plan's roles: `/plan leads` (or `planbot leads`) lists them all."
        ) from None


def _either(names: list[str]) -> str:
    """ "'A'", "'A' or 'B'", "'A', 'B' or 'C'"."""
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _reason(reason: str | None, *, required: bool) -> str | None:
    reason = " ".join((reason or "").split()) or None
    if required and reason is None:
        raise ChangeRefused("Say why: the reason is kept in the plan's history.")
    if reason is not None and len(reason) > CELL_TEXT_LIMIT:
        raise ChangeRefused(
            f"The reason is {len(reason):,} characters long; at most {CELL_TEXT_LIMIT:,} fit a "
            "spreadsheet cell. Shorten it."
        )
    return reason
