"""Answering `/plan` from the store; a status question is shared with `planbot status`.

answer_status reads only through store.plan's functions, which take a session or store.quick's
reader of a SQLite file, so that `planbot status` answers without importing SQLAlchemy
(PRODUCT.md §7's start-up budget): this module imports the store's engine and sessions only in
the functions that use them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.changes.args import AddAction, Close, RecordMeasure, Retime
from bot.plan.permissions import may_use, refusal
from bot.plan.timing import uk_date
from bot.plan.views import ActionDetail, PlanOutline, PlanSummary
from bot.plan.words import counted
from bot.slack.blocks import MAX_BLOCKS, Answer, context, escape, header
from bot.status import grammar, views
from bot.status.answers import StatusAnswer, answer_blocks, answer_text
from bot.status.grammar import (
    ActionStatus,
    Away,
    Help,
    Invalid,
    Lead,
    Leads,
    ListActions,
    Pending,
    PlanCommand,
    PlanStatus,
    PriorityStatus,
    RecommendationStatus,
    Who,
)
from store import plan

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from bot.settings import Settings
    from store.plan_cache import PlanCache
    from store.quick import QuickReader


def answer_status(
    *, session: Session | QuickReader, command: PlanCommand, today: date, detailed: bool = False
) -> StatusAnswer:
    """The view a status command asks for. The whole plan is its counts as of `today` (a table
    needs no more), or with `detailed` every action in full (`planbot status --json`)."""
    if isinstance(command, PlanStatus):
        if detailed:
            whole: PlanOutline | PlanSummary = plan.plan_outline(session=session)
        else:
            whole = plan.plan_summary(session=session, today=today)
        if not whole.priorities:
            return StatusAnswer(error=grammar.no_such_priority(0, []))
        return StatusAnswer(view=whole)
    if isinstance(command, PriorityStatus):
        view = plan.priority_view(session=session, number=command.number)
        if view is None:
            numbers = plan.priority_numbers(session=session)
            return StatusAnswer(error=grammar.no_such_priority(command.number, numbers))
        return StatusAnswer(view=view)
    if isinstance(command, ActionStatus):
        detail = plan.action_detail(session=session, ref=str(command.ref))
        if detail is None:
            refs = plan.action_refs(session=session, priority=command.ref.priority)
            numbers = plan.priority_numbers(session=session)
            return StatusAnswer(error=grammar.no_such_action(command.ref, refs, numbers))
        return StatusAnswer(view=detail)
    if isinstance(command, RecommendationStatus):
        views = plan.priorities_for_recommendation(
            session=session, recommendation=command.recommendation
        )
        if not views:
            recs = plan.ofsted_recommendations(session=session)
            return StatusAnswer(error=grammar.no_such_recommendation(command.recommendation, recs))
        return StatusAnswer(view=views, title=f"Ofsted recommendation {command.recommendation}")
    raise TypeError(f"not a status command: {command!r}")


def _weight(answer: StatusAnswer) -> int:
    """What a kept answer weighs (store.plan_cache's capacity): the actions and the history
    entries it holds, about a KB each."""
    view = answer.view
    if isinstance(view, ActionDetail):
        return 1 + len(view.history)
    views = view if isinstance(view, list) else [view]
    return sum(len(getattr(v, "actions", ())) or len(getattr(v, "priorities", ())) for v in views)


def _read_status(engine: Engine, command: PlanCommand, today: date) -> StatusAnswer:
    from store.engine import reading

    with reading(engine) as session:
        return answer_status(session=session, command=command, today=today)


def answer_command(
    *,
    engine: Engine,
    settings: Settings,
    user: str,
    text: str,
    today: date,
    now: datetime,
    cache: PlanCache | None = None,
) -> Answer:
    """What `/plan <text>` answers: help, a status view, a list, an admin's change, or what is
    wrong and what is valid. Who may use which verb is decided in bot/plan/permissions.py.
    A status answer's views come from `cache` while the plan is unchanged."""
    # Imported here: `planbot status`, the commonest command, needs none of it.
    from bot.approvals.service import approvers_of

    tz = settings.planbot_timezone
    parsed = grammar.parse(text)
    if isinstance(parsed, Help):
        return Answer(views.help_blocks(), views.help_text)
    if isinstance(parsed, Invalid):
        return Answer.message(parsed.message)
    verb = grammar.verb_of(text)
    if verb is not None and not may_use(
        verb.who, user, admins=settings.planbot_admins, approvers=approvers_of(settings)
    ):
        return Answer.message(refusal(verb.who, verb.name))
    if isinstance(parsed, ListActions):
        return _list(engine, user, parsed, today)
    if isinstance(parsed, Who):
        return _who(engine, parsed)
    if isinstance(parsed, Leads):
        return _leads(engine, today)
    if isinstance(parsed, Lead):
        return _lead(engine, parsed, by=user, now=now)
    if isinstance(parsed, Away):
        return _away(engine, parsed, by=user, today=today, now=now)
    if isinstance(parsed, Pending):
        return _pending(engine)
    if isinstance(parsed, AddAction | Retime | Close | RecordMeasure):
        return _change(engine, parsed, by=user, now=now)
    answer = (
        cache.get((parsed, today), lambda: _read_status(engine, parsed, today), size=_weight)
        if cache
        else _read_status(engine, parsed, today)
    )
    if answer.error:
        return Answer.message(answer.error)
    return Answer(answer_blocks(answer, today, tz), lambda: answer_text(answer, today, tz))


# More than a Slack answer shows (about fifty lines fit): the rest of a long list is counted.
LIST_READ = 100


def _list(engine: Engine, user: str, asked: ListActions, today: date) -> Answer:
    from sqlmodel import Session

    from bot.status.lists import action_list
    from store import reminders as reminders_store

    # Overdue and due read only the open actions whose timescale falls in their window, and
    # for the whole plan only as many as an answer can show (by timescale): the rest are counted.
    window = {
        "overdue": (None, today - timedelta(days=1)),
        "due": (today, today + timedelta(days=asked.days)),
    }
    due_from, due_to = window.get(asked.which, (None, None))
    with Session(engine) as session:
        listed = reminders_store.open_actions(
            session=session,
            due_from=due_from,
            due_to=due_to,
            user=user if asked.mine else None,
            first=None if asked.mine else LIST_READ,
        )
    states, total = listed.actions, listed.total
    whose = "Your" if asked.mine else "The plan's"
    if asked.which == "mine":
        chosen = sorted(states, key=lambda s: (s.timescale or date.max, s.ref))
        return action_list(
            "Your open actions",
            chosen,
            today,
            empty="You lead or deputise for no open actions.",
            hint="`/plan status 7.3` for one with its history.",
        )
    # Both windows leave out actions without a timescale, and the store gives the rest by
    # timescale, priority and number.
    if asked.which == "due":
        return action_list(
            f"{whose} actions due in the next {counted(asked.days, 'day')}",
            states,
            today,
            empty="None: nothing falls due in that time.",
            hint="`/plan overdue` for those past their timescale.",
            total=total,
        )
    return action_list(
        f"{whose} overdue actions",
        states,
        today,
        empty="None: every open action is within its timescale.",
        hint="`/plan due` for those coming up.",
        total=total,
    )


def _who(engine: Engine, asked: Who) -> Answer:
    from sqlmodel import Session

    from bot.status.lists import people_answer
    from store import leads
    from store import replies as replies_store

    with Session(engine) as session:
        if asked.user:
            refs = replies_store.actions_of(session=session, user=asked.user)
            roles = [
                r for r in leads.roles(session=session) if asked.user in (*r.users, *r.deputies)
            ]
            lines = [
                f"*{escape(r.name)}*"
                + (" (deputy)" if asked.user in r.deputies else "")
                + f": {', '.join(r.actions) or 'no actions'}"
                for r in roles
            ]
            title = "Who leads what"
            note = (
                f"<@{asked.user}> leads or deputises for {counted(len(refs), 'action')}."
                if roles
                else f"<@{asked.user}> leads no role in the plan."
            )
            return people_answer(title, lines, note)
        try:
            role = leads.members(session=session, name=asked.role)
        except leads.UnknownRole as exc:
            return Answer.message(escape(str(exc)).replace("`planbot leads`", "`/plan leads`"))
        actions = next((r.actions for r in leads.roles(session=session) if r.name == role.name), [])
    who = ", ".join(f"<@{u}>" for u in role.users) or "nobody mapped"
    deputies = ", ".join(f"<@{u}>" for u in role.deputies) or "none"
    lines = [
        f"*{escape(role.name)}*",
        f"Led by: {who}",
        f"Deputy: {deputies}",
        f"Actions: {', '.join(actions) or 'none'}",
    ]
    return people_answer("Who leads it", lines)


def _leads(engine: Engine, today: date) -> Answer:
    from sqlmodel import Session

    from bot.status.lists import people_answer
    from store import leads, people

    with Session(engine) as session:
        roles = leads.roles(session=session)
        away = people.on_leave(session=session, day=today)

    def named(user: str) -> str:
        return f"<@{user}>" + (
            f" (on leave until {uk_date(away[user].until)})" if user in away else ""
        )

    lines = []
    for role in roles:
        who = ", ".join(named(u) for u in role.users) or "*nobody mapped*"
        if role.deputies:
            who += f"; deputy {', '.join(named(u) for u in role.deputies)}"
        lines.append(f"• *{escape(role.name)}* — {who} · {', '.join(role.actions) or 'no actions'}")
    unmapped = [r.name for r in roles if not r.users]
    note = (
        f"{counted(len(unmapped), 'role')} nobody is mapped to: "
        + "; ".join(escape(name) for name in unmapped[:20])
        + '. `/plan lead "ROLE" @someone` maps one.'
        if unmapped
        else "Every role has someone mapped."
    )
    return people_answer("Lead roles", lines, note)


def _lead(engine: Engine, asked: Lead, *, by: str, now: datetime) -> Answer:
    from bot.plan.roles import mapped_message
    from store import leads
    from store.engine import transaction

    try:
        with transaction(engine) as session:
            before = leads.members(session=session, name=asked.role)
            if asked.remove:
                removed = leads.unmap_role(
                    session=session, role_name=asked.role, user_id=asked.user
                )
                if not removed:
                    return Answer.message(
                        f"<@{asked.user}> does not lead or deputise for {escape(before.name)}; nothing changed."
                    )
                return Answer.message(
                    f"<@{asked.user}> no longer leads or deputises for {escape(removed)}."
                )
            if asked.deputy == asked.user:
                return Answer.message(
                    "A role's lead cannot be their own deputy; name someone else."
                )
            leads.map_role(
                session=session,
                role_name=asked.role,
                user_id=asked.user,
                deputy=asked.deputy,
                at=now,
                by=by,
            )
    except leads.UnknownRole as exc:
        return Answer.message(escape(str(exc)).replace("`planbot leads`", "`/plan leads`"))
    said = mapped_message(before, asked.user, asked.deputy)
    return Answer.message(_mentions(escape(said), [asked.user, asked.deputy]))


def _mentions(text: str, users: list[str | None]) -> str:
    for user in filter(None, users):
        text = text.replace(user, f"<@{user}>")
    return text


def _away(engine: Engine, asked: Away, *, by: str, today: date, now: datetime) -> Answer:
    from store import people
    from store.engine import transaction

    with transaction(engine) as session:
        if asked.until is None:
            if not people.cancel_leave(session=session, user_id=asked.user, at=now):
                return Answer.message(f"<@{asked.user}> has no leave recorded; nothing changed.")
            return Answer.message(f"<@{asked.user}> is back: their reminders go to them again.")
        if asked.until < today:
            return Answer.message(
                f"{uk_date(asked.until)} is already past; give the last day they are away."
            )
        if asked.until > today + timedelta(days=366):
            return Answer.message(
                f"{uk_date(asked.until)} is more than a year away; record leave of a year at most "
                "(and `cancel` it when they are back)."
            )
        people.record_leave(session=session, user_id=asked.user, until=asked.until, at=now, by=by)
    return Answer.message(
        f"<@{asked.user}> is on leave until {uk_date(asked.until)}: their reminders go to their "
        "roles' deputies meanwhile, and they are not counted as not answering."
    )


def _pending(engine: Engine) -> Answer:
    from bot.approvals import service as approvals
    from bot.approvals.messages import approval_request

    waiting = approvals.pending(engine=engine)
    if not waiting:
        return Answer.message("Nothing is waiting for a decision.")
    blocks = [header(f"Waiting for a decision: {counted(len(waiting), 'proposal')}")]
    shown = 0
    for proposed in waiting:
        part = approval_request(proposed).blocks[1:]
        if len(blocks) + len(part) > MAX_BLOCKS - 1:
            break
        blocks += part
        shown += 1
    if shown < len(waiting):
        blocks.append(context(f"…and {len(waiting) - shown} more; the App Home lists them too."))
    return Answer(blocks, lambda: "\n".join(f"{p.ref}: {p.update_text or ''}" for p in waiting))


def export_workbook(*, engine: Engine, settings: Settings, now: datetime) -> tuple[str, bytes]:
    """The plan's workbook as `planbot export` writes it: a file name and its bytes."""
    import tempfile
    from pathlib import Path

    from sqlmodel import Session

    from bot.spreadsheet import write_workbook
    from store import archive

    with Session(engine) as session:
        exported = archive.export_archive(session=session)
    name = f"plan-{now.astimezone(ZoneInfo(settings.planbot_timezone)):%Y-%m-%d}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write_workbook(path, exported, timezone=settings.planbot_timezone)
        return name, path.read_bytes()


def _change(engine: Engine, asked, *, by: str, now: datetime) -> Answer:
    """An admin's change to the plan, recorded with who, when and why, as the CLI's are."""
    from bot.changes import service as changes
    from bot.changes.records import ChangeRefused, confirmation

    try:
        if isinstance(asked, AddAction):
            done = changes.add_action(
                engine=engine,
                priority=asked.priority,
                text=asked.text,
                lead_roles=asked.leads,
                due=asked.due,
                by=by,
                at=now,
            )
        elif isinstance(asked, Retime):
            done = changes.retime(
                engine=engine, ref=asked.ref, to=asked.to, reason=asked.reason, by=by, at=now
            )
        elif isinstance(asked, Close):
            done = changes.close(engine=engine, ref=asked.ref, reason=asked.reason, by=by, at=now)
        else:
            done = changes.record_measure(
                engine=engine,
                priority=asked.priority,
                kind=asked.kind,
                name_or_number=asked.measure,
                value=asked.value,
                by=by,
                at=now,
            )
    except ChangeRefused as refused:
        return Answer.message(escape(refused.message))
    return Answer.message(escape(confirmation(done)))
