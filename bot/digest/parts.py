"""The digest's content as titled lists of lines, each in plain text (the CLI) and in mrkdwn
(Slack), so that both say the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.digest.digest import Change, Digest, Flagged
from bot.digest.months import month_label
from bot.plan.rag import Rag
from bot.plan.timing import local_day, uk_date
from bot.plan.views import ActionView, PriorityView
from bot.plan.words import counted
from bot.slack.blocks import RAG_EMOJI, by_whom, escape, shorten

TEXT_SHOWN = 90  # characters of an action's text in a line


@dataclass(frozen=True)
class Line:
    plain: str
    mrkdwn: str


@dataclass(frozen=True)
class Part:
    """A titled list; `hidden` lines were left out for length (the title counts them all)."""

    key: str
    title: str
    lines: tuple[Line, ...]
    hidden: int = 0
    more: str = ""  # where the reader finds what is hidden


def _who(user: str | None) -> tuple[str, str]:
    return (f" by {user}" if user else ""), by_whom(user)


def _leads(leads: tuple[str, ...]) -> str:
    return "; ".join(leads) or "no lead recorded"


def _timescale(flag: Flagged) -> str:
    text = uk_date(flag.timescale)
    if flag.original_timescale and flag.original_timescale != flag.timescale:
        text += f", originally {uk_date(flag.original_timescale)}"
    return text


def _flag_line(flag: Flagged, what: str) -> Line:
    rest = f"{what} — {_leads(flag.leads)} — {shorten(flag.text, TEXT_SHOWN)}"
    return Line(f"{flag.ref}  {rest}", f"{RAG_EMOJI[flag.rag]} *{flag.ref}* {escape(rest)}")


def _days(n: int, past: bool) -> str:
    if n == 0:
        return "due today"
    return f"{counted(n, 'day')} overdue" if past else f"due in {counted(n, 'day')}"


def _rag_label(value: str | None) -> str:
    return Rag(value).label if value else "—"


def attention_parts(digest: Digest, limit: int | None = None) -> list[Part]:
    """What needs the committee's attention, most pressing first; empty parts are left out."""
    parts = [
        _part(
            "overdue",
            "Overdue",
            digest.overdue,
            lambda f: _flag_line(f, f"{_days(f.days, True)} (due {_timescale(f)})"),
            limit,
            "`/plan overdue` lists them all",
        ),
        _part(
            "due_soon",
            "Due in the next 14 days",
            digest.due_soon,
            lambda f: _flag_line(f, f"{_days(f.days, False)} ({_timescale(f)})"),
            limit,
            "`/plan due 14` lists them all",
        ),
        _part(
            "awaiting_approval",
            "Awaiting approval",
            digest.awaiting_approval,
            _pending_line,
            limit,
            "the approvers' App Home lists them all",
        ),
        _part(
            "evidence_pending",
            "Completed — evidence pending",
            digest.evidence_pending,
            _pending_line,
            limit,
            "`/plan status N.M` shows each",
        ),
        _part(
            "escalated",
            "Escalated: lead not answering",
            digest.escalated,
            _escalation_line,
            limit,
            "`/plan status N.M` shows each",
        ),
        _part(
            "unreachable",
            "Leads Slack cannot reach",
            digest.unreachable,
            _unreachable_line,
            limit,
            "`planbot leads` lists them all",
        ),
        _part(
            "no_timescale",
            "No timescale",
            digest.no_timescale,
            lambda f: _flag_line(f, "no timescale in the plan"),
            limit,
            "`/plan status N.M` shows each",
        ),
    ]
    return [part for part in parts if part.lines or part.hidden]


def _part(key: str, title: str, items, line, limit: int | None, more: str) -> Part:
    """Only the lines shown are written: on a large plan thousands may be overdue."""
    items = list(items)
    shown = items if limit is None else items[:limit]
    return Part(
        key, f"{title} ({len(items)})", tuple(line(i) for i in shown), len(items) - len(shown), more
    )


def _pending_line(p) -> Line:
    what = []
    if p.rag is not None:
        what.append(p.rag.label)
    if p.revised_timescale is not None:
        what.append(f"timescale to {uk_date(p.revised_timescale)}")
    plain_by, mrkdwn_by = _who(p.by)
    text = f"→ {', '.join(what) or 'no change'}, proposed {uk_date(p.since)}"
    return Line(f"{p.ref}  {text}{plain_by}", f"*{p.ref}* {escape(text)}{mrkdwn_by}")


def _escalation_line(e) -> Line:
    text = (
        f"escalated {uk_date(e.day)}: {counted(e.reminders, 'reminder')} unanswered — "
        f"{_leads(e.leads)}"
    )
    return Line(f"{e.ref}  {text}", f":rotating_light: *{e.ref}* {escape(text)}")


def _unreachable_line(u) -> Line:
    roles = "; ".join(u.roles)
    return Line(
        f"{u.user} ({u.error}) — leads {roles}",
        f"<@{u.user}> ({escape(u.error)}) — leads {escape(roles)}",
    )


def attention_counts(digest: Digest) -> list[str]:
    """ "5 overdue", "2 awaiting approval", …: the headline's figures, the zero ones left out."""
    figures = (
        (len(digest.overdue), "overdue"),
        (len(digest.due_soon), "due in the next 14 days"),
        (len(digest.awaiting_approval), "awaiting approval"),
        (len(digest.evidence_pending), "completed, evidence pending"),
        (len(digest.escalated), "escalated"),
        (len(digest.unreachable), ("lead unreachable", "leads unreachable")),
        (len(digest.no_timescale), ("without a timescale", "without a timescale")),
    )
    return [
        counted(n, what) if isinstance(what, tuple) else f"{n} {what}" for n, what in figures if n
    ]


# --- This week ---------------------------------------------------------------------------------


def week_title(digest: Digest) -> str:
    start, end = digest.week_start, digest.week_end
    return f"This week ({uk_date(start)} – {uk_date(end)})"


def week_counts(digest: Digest) -> list[str]:
    return [
        counted(len(digest.changes_of("rag")), "RAG change"),
        f"{len(digest.changes_of('completed'))} completed",
        counted(len(digest.changes_of("new")), "new action"),
        counted(len(digest.changes_of("timescale")), ("timescale revised", "timescales revised")),
        counted(len(digest.changes_of("returned")), ("proposal returned", "proposals returned")),
    ]


def week_parts(digest: Digest, limit: int | None = None) -> list[Part]:
    """This week's changes by kind; RAG changes grouped by priority."""
    text_of = {a.ref: a.text for p in digest.outline.priorities for a in p.actions}
    parts = [
        _part("rag", "RAG changes", digest.changes_of("rag"), _rag_line, limit, ""),
        _part(
            "completed",
            "Completed",
            digest.changes_of("completed"),
            _rag_line,
            limit,
            "",
        ),
        _part(
            "new",
            "New actions",
            digest.changes_of("new"),
            lambda c: _new_line(c, text_of.get(c.ref, "")),
            limit,
            "",
        ),
        _part(
            "timescale",
            "Revised timescales (original → new)",
            digest.changes_of("timescale"),
            _timescale_line,
            limit,
            "",
        ),
        _part(
            "returned",
            "Proposals returned",
            digest.changes_of("returned"),
            _returned_line,
            limit,
            "",
        ),
    ]
    return [part for part in parts if part.lines or part.hidden]


def _rag_line(c: Change) -> Line:
    text = f"{_rag_label(c.before)} → {_rag_label(c.after)}"
    plain_by, mrkdwn_by = _who(c.by)
    emoji = RAG_EMOJI[Rag(c.after)] if c.after else ""
    return Line(
        f"Priority {c.ref.priority}: {c.ref}  {text}{plain_by}",
        f"{emoji} Priority {c.ref.priority}: *{c.ref}* {escape(text)}{mrkdwn_by}",
    )


def _new_line(c: Change, text: str) -> Line:
    short = shorten(text, TEXT_SHOWN)
    return Line(f"{c.ref}  {short}", f":new: *{c.ref}* {escape(short)}")


def _iso(value: str | None) -> str:
    return uk_date(date.fromisoformat(value)) if value else "none"


def _timescale_line(c: Change) -> Line:
    text = f"{_iso(c.before)} → {_iso(c.after)}"
    return Line(f"{c.ref}  {text}", f"*{c.ref}* {escape(text)}")


def _returned_line(c: Change) -> Line:
    text = f"proposed {_rag_label(c.after)}" + (f" — returned: {c.reason}" if c.reason else "")
    plain_by, mrkdwn_by = _who(c.by)
    return Line(
        f"{c.ref}  {text}{plain_by}",
        f":leftwards_arrow_with_hook: *{c.ref}* {escape(text)}{mrkdwn_by}",
    )


# --- Participation -----------------------------------------------------------------------------


def participation_part(digest: Digest, limit: int | None = None) -> Part:
    p = digest.participation
    median = (
        "no answers yet"
        if p.median_days is None
        else f"median {p.median_days:g} day{'s' if p.median_days != 1 else ''} to answer"
    )
    figures = (
        f"{counted(len(p.reminded), ('person', 'people'))} reminded, "
        f"{len(p.answered)} answered, {len(p.not_answered)} not answered; {median}"
    )
    lines = [Line(figures, escape(figures))]
    waiting = list(p.not_answered)
    shown = waiting if limit is None else waiting[:limit]
    if waiting:
        lines.append(
            Line(
                "Not answered: " + ", ".join(shown),
                "Not answered: " + ", ".join(f"<@{u}>" for u in shown),
            )
        )
    return Part(
        "participation",
        f"Participation ({month_label(p.month)} so far)",
        tuple(lines),
        len(waiting) - len(shown),
    )


# --- Per priority ------------------------------------------------------------------------------


def priority_title(priority: PriorityView) -> str:
    rec = (
        f" · Ofsted recommendation {priority.ofsted_recommendation}"
        if priority.ofsted_recommendation
        else ""
    )
    return f"Priority {priority.number}{rec}"


def action_line(action: ActionView, tz: str) -> Line:
    """An action with its RAG and last update, for the thread's per-priority detail."""
    update = action.last_update
    updated = (
        f"last update {uk_date(local_day(update.at, tz))}: {shorten(update.text, 60)}"
        if update
        else "no update yet"
    )
    text = shorten(action.text, TEXT_SHOWN)
    return Line(
        f"{action.ref}  {action.rag.label} · {text} · {updated}",
        f"{RAG_EMOJI[action.rag]} *{action.ref}* {escape(text)}\n"
        f"      {action.rag.label} · {escape(updated)}",
    )
