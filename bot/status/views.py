"""What `/plan status` and `planbot status` show: plain text, JSON and Block Kit from the same views.

Block Kit stays inside Slack's limits by construction: at most 50 blocks, section texts under
3000 characters, one table per message; anything longer is cut with a pointer to the detail.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.plan.tallies import tally
from bot.plan.timing import is_overdue, local_day, uk_date, when_text
from bot.plan.views import (
    ActionDetail,
    ActionView,
    Closure,
    MeasureView,
    PlanOutline,
    PlanSummary,
    PriorityCounts,
    PriorityView,
)
from bot.plan.words import counted
from bot.slack.blocks import (
    MAX_BLOCKS,
    RAG_EMOJI,
    SECTION_LIMIT,
    TABLE_MAX_ROWS,
    by_whom,
    context,
    escape,
    header,
    section,
    shorten,
    shorten_keep_lines,
    table,
)
from bot.status.grammar import HELP_LINES

# --- JSON --------------------------------------------------------------------------------------


def action_json(action: ActionView) -> dict[str, Any]:
    update = action.last_update
    return {
        "id": str(action.ref),
        "text": action.text,
        "leads": list(action.leads),
        "timescale": action.timescale.isoformat() if action.timescale else None,
        "original_timescale": action.original_timescale.isoformat()
        if action.original_timescale
        else None,
        "rag": action.rag.value,
        "new": action.is_new,
        "last_update": {"at": update.at.isoformat(), "text": update.text} if update else None,
    }


def priority_json(priority: PriorityView) -> dict[str, Any]:
    return {
        "number": priority.number,
        "ofsted_recommendation": priority.ofsted_recommendation,
        "section": priority.section,
        "title": priority.title,
        "actions": [action_json(action) for action in priority.actions],
        "measures": [
            {
                "kind": m.kind,
                "name": m.name,
                "value": m.value,
                "at": m.at.isoformat() if m.at else None,
            }
            for m in priority.measures
        ],
    }


def plan_json(outline: PlanOutline) -> dict[str, Any]:
    return {"plan": outline.name, "priorities": [priority_json(p) for p in outline.priorities]}


def action_detail_json(detail: ActionDetail) -> dict[str, Any]:
    data = action_json(detail.action)
    data["priority"] = detail.priority.number
    data["escalation"] = detail.escalation
    data["slack_users"] = {"leads": list(detail.leads), "deputies": list(detail.deputies)}
    data["pending"] = list(detail.pending)
    closure = detail.closure
    data["closed"] = (
        {"at": closure.at.isoformat(), "by": closure.by, "reason": closure.reason}
        if closure
        else None
    )
    data["history"] = [
        {
            "at": entry.at.isoformat(),
            "kind": entry.kind,
            "text": entry.text,
            "by": entry.by,
            "via": entry.via,
            "link": entry.link,
        }
        for entry in detail.history
    ]
    return data


# --- Plain text (the CLI) ----------------------------------------------------------------------


def summarise(outline: PlanOutline, today: date) -> PlanSummary:
    """The whole-plan counts of an outline in memory: what store.plan.plan_summary counts in
    the database (a test keeps the two in step)."""
    return PlanSummary(
        name=outline.name,
        priorities=tuple(
            PriorityCounts(
                number=priority.number,
                ofsted_recommendation=priority.ofsted_recommendation,
                title=priority.title,
                tally=tally(priority.actions),
                overdue=sum(is_overdue(a, today) for a in priority.actions),
            )
            for priority in outline.priorities
        ),
    )


def _summary(plan: PlanSummary | PlanOutline, today: date) -> PlanSummary:
    return plan if isinstance(plan, PlanSummary) else summarise(plan, today)


def plan_text(plan: PlanSummary | PlanOutline, today: date) -> str:
    summary = _summary(plan, today)
    lines = [summary.name, f"As of {uk_date(today)}: {summary.tally.summary()}", ""]
    width = max((len(str(p.number)) for p in summary.priorities), default=1)
    for priority in summary.priorities:
        overdue = priority.overdue
        rec = (
            f" (Ofsted rec {priority.ofsted_recommendation})"
            if priority.ofsted_recommendation
            else ""
        )
        lines.append(f"Priority {priority.number:>{width}}{rec}: {shorten(priority.title, 70)}")
        lines.append(
            f"    {priority.tally.summary()}" + (f"; {overdue} overdue" if overdue else "")
        )
    return "\n".join(lines)


def priority_text(priority: PriorityView, today: date, tz: str) -> str:
    rec = (
        f" — Ofsted recommendation {priority.ofsted_recommendation}"
        if priority.ofsted_recommendation
        else ""
    )
    lines = [
        f"Priority {priority.number}{rec}",
        priority.section,
        priority.title,
        tally(priority.actions).summary(),
        "",
    ]
    for action in priority.actions:
        lines.extend(_action_lines(action, today, tz))
    for kind, title in (("kpi", "KPIs"), ("quality", "Quality measures")):
        measures = [m for m in priority.measures if m.kind == kind]
        if measures:
            lines += ["", f"{title}:"]
            lines += [
                f"  {m.name} — {m.value if m.value is not None else 'no value yet'}"
                + (f" ({uk_date(local_day(m.at, tz))})" if m.at else "")
                for m in measures
            ]
    return "\n".join(lines)


def _action_lines(action: ActionView, today: date, tz: str) -> list[str]:
    lead = "; ".join(action.leads) or "no lead recorded"
    updated = (
        f"last update {uk_date(local_day(action.last_update.at, tz))}"
        if action.last_update
        else "no update yet"
    )
    return [
        f"{action.ref}  {shorten(action.text, 90)}",
        f"      {action.rag.label} · {when_text(action, today)} · {lead} · {updated}",
    ]


def action_text(detail: ActionDetail, today: date, tz: str) -> str:
    action = detail.action
    lines = [
        f"Action {action.ref} (priority {detail.priority.number})",
        action.text,
        f"Lead: {'; '.join(action.leads) or 'no lead recorded'}",
        f"Timescale: {when_text(action, today)}",
        f"RAG: {action.rag.label}",
    ]
    if action.note:
        lines.append(f"Note: {action.note}")
    if detail.escalation:
        lines.append(detail.escalation)
    if detail.leads or detail.deputies:
        lines.append(
            "In Slack: " + ", ".join([*detail.leads, *(f"{u} (deputy)" for u in detail.deputies)])
        )
    lines += [f"Waiting: {pending}" for pending in detail.pending]
    if detail.closure:
        lines.append(closure_text(detail.closure, tz))
    lines.append("History:" if detail.history else "History: none yet")
    for entry in detail.history:
        who = f" by {entry.by}" if entry.by else ""
        link = f" <{entry.link}>" if entry.link else ""
        lines.append(
            f"  {local_day(entry.at, tz).isoformat()} ({entry.via}{who}) {entry.text}{link}"
        )
    return "\n".join(lines)


def closure_text(closure: Closure, tz: str) -> str:
    """ "Closed on 3 Dec 2018 by U0123ABCD: superseded by 3.9" (plain text)."""
    by = f" by {closure.by}" if closure.by else ""
    why = f": {closure.reason}" if closure.reason else ""
    return f"Closed on {uk_date(local_day(closure.at, tz))}{by}{why}"


def help_text() -> str:
    return "\n".join(f"{usage:<22} {what}" for usage, what in HELP_LINES)


# --- Block Kit ---------------------------------------------------------------------------------


def help_blocks() -> list[dict[str, Any]]:
    lines = "\n".join(f"`{usage}` — {what}" for usage, what in HELP_LINES)
    return [header("planbot — /plan"), section(lines), context("Anyone may read the plan.")]


def plan_blocks(plan: PlanSummary | PlanOutline, today: date) -> list[dict[str, Any]]:
    summary = _summary(plan, today)
    rows = [["Priority", "Red", "Amber", "Green", "Done", "Unrated", "Total", "Overdue"]]
    for priority in summary.priorities:
        t = priority.tally
        rows.append(
            [
                str(v)
                for v in (
                    priority.number,
                    t.red,
                    t.amber,
                    t.green,
                    t.completed,
                    t.unrated,
                    t.total,
                    priority.overdue,
                )
            ]
        )
    blocks: list[dict[str, Any]] = [
        header(shorten(summary.name or "Plan status", 150)),
        section(f"*As of {uk_date(today)}:* {summary.tally.summary()}; {summary.overdue} overdue."),
    ]
    # One table per message (Slack's rule) and at most 100 rows: a larger plan is cut with a note.
    blocks.append(table(rows[:TABLE_MAX_ROWS], ["left"] + ["right"] * 7))
    if len(rows) > TABLE_MAX_ROWS:
        blocks.append(context(f"Showing the first 99 of {counted(len(rows) - 1, 'priority')}."))
    blocks.append(
        context(
            "`/plan status 7` shows priority 7; `/plan status 7.3` one action with its history."
        )
    )
    return blocks


def priority_blocks(
    priority: PriorityView, today: date, tz: str, *, title: str | None = None
) -> list[dict[str, Any]]:
    rec = (
        f" · Ofsted recommendation {priority.ofsted_recommendation}"
        if priority.ofsted_recommendation
        else ""
    )
    blocks: list[dict[str, Any]] = [
        header(title or f"Priority {priority.number}{rec}"),
        section(f"*{escape(shorten(priority.title, 600))}*"),
        context(f"{escape(priority.section)} · {tally(priority.actions).summary()}"),
        {"type": "divider"},
    ]
    # Pack actions into sections under the 3000-character limit, leaving room for a closing note.
    chunk: list[str] = []
    size = 0  # of the chunk joined by blank lines
    shown = 0
    for action in priority.actions:
        entry = _action_mrkdwn(action, today, tz)
        if chunk and size + 2 + len(entry) > SECTION_LIMIT - 50:
            if len(blocks) >= MAX_BLOCKS - 2:
                break
            blocks.append(section("\n\n".join(chunk)))
            chunk = []
        size = size + 2 + len(entry) if chunk else len(entry)
        chunk.append(entry)
        shown += 1
    if chunk:
        blocks.append(section("\n\n".join(chunk)))
    if shown < len(priority.actions):
        blocks.append(
            context(
                f"Showing {shown} of {counted(len(priority.actions), 'action')}; "
                f"ask for one with `/plan status {priority.number}.N`."
            )
        )
    for kind, title in (("kpi", "KPIs"), ("quality", "Quality measures")):
        measures = [m for m in priority.measures if m.kind == kind]
        if measures and len(blocks) < MAX_BLOCKS:
            blocks.append(
                section(f"*{title}*\n" + "\n".join(_measure_line(m, tz) for m in measures))
            )
    return blocks


def _measure_line(measure: MeasureView, tz: str) -> str:
    if measure.value is None:
        return f"• {escape(shorten(measure.name, 160))} — _no value yet_"
    when = f" ({uk_date(local_day(measure.at, tz))})" if measure.at else ""
    return f"• {escape(shorten(measure.name, 160))} — *{escape(shorten(measure.value, 80))}*{when}"


def _action_mrkdwn(action: ActionView, today: date, tz: str) -> str:
    lead = escape("; ".join(action.leads)) or "_no lead recorded_"
    updated = (
        f"last update {uk_date(local_day(action.last_update.at, tz))}"
        if action.last_update
        else "no update yet"
    )
    return (
        f"{RAG_EMOJI[action.rag]} *{action.ref}* {escape(shorten(action.text, 200))}\n"
        f"{lead} · {when_text(action, today)} · {action.rag.label} · {updated}"
    )


def _mentioned(text: str) -> str:
    # Slack user ids in a line of the store's words, as the names Slack shows ("proposed by U…").
    return re.sub(r"\b([UW][A-Z0-9]{6,})\b", r"<@\1>", text)


def flag_text(action: ActionView) -> str:
    """What is missing from an action as the plan gives it (never filled in by guessing)."""
    gaps = []
    if action.timescale is None:
        gaps.append("The plan gives no timescale for this action.")
    if not action.leads:
        gaps.append("The plan names no lead for this action.")
    return " ".join(gaps)


def action_blocks(detail: ActionDetail, today: date, tz: str) -> list[dict[str, Any]]:
    action = detail.action
    fields = [
        f"*Lead*\n{escape('; '.join(action.leads)) or '_no lead recorded_'}",
        f"*Timescale*\n{when_text(action, today)}",
        f"*RAG*\n{RAG_EMOJI[action.rag]} {action.rag.label}",
        f"*Priority*\n{detail.priority.number}"
        + (
            f" (Ofsted recommendation {detail.priority.ofsted_recommendation})"
            if detail.priority.ofsted_recommendation
            else ""
        ),
    ]
    blocks: list[dict[str, Any]] = [
        header(f"Action {action.ref}"),
        section(escape(action.text)),
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": shorten_keep_lines(f, 2000)} for f in fields],
        },
    ]
    # The plan file's notes explain its transcription; in Slack only the gaps a reader must know about show.
    flags = flag_text(action)
    if flags:
        blocks.append(context(f":warning: {flags}"))
    if detail.escalation:
        blocks.append(context(f":rotating_light: {escape(detail.escalation)}"))
    people = [f"<@{user}>" for user in detail.leads]
    people += [f"<@{user}> (deputy)" for user in detail.deputies]
    if people:
        blocks.append(context("In Slack: " + ", ".join(people)))
    for pending in detail.pending:
        blocks.append(context(f":hourglass_flowing_sand: {_mentioned(escape(pending))}"))
    if closure := detail.closure:
        why = f": {escape(shorten_keep_lines(closure.reason, 2000))}" if closure.reason else ""
        day = uk_date(local_day(closure.at, tz))
        blocks.append(context(f":no_entry: Closed on {day}{by_whom(closure.by)}{why}"))
    blocks.append({"type": "divider"})
    if not detail.history:
        blocks.append(context("No history yet."))
    # Newest first, as many as fit; each entry is one section.
    entries = list(reversed(detail.history))
    room = MAX_BLOCKS - len(blocks) - 1
    for entry in entries[:room]:
        blocks.append(
            section(
                f"*{uk_date(local_day(entry.at, tz))}* ({entry.via}{by_whom(entry.by)})"
                + (f" <{entry.link}|in Slack>" if entry.link else "")
                + f"\n{escape(shorten_keep_lines(entry.text, 2800))}"
            )
        )
    if len(entries) > room:
        blocks.append(
            context(
                f"{counted(len(entries) - room, 'older entry')} not shown; "
                f"`planbot status {action.ref}` prints them all."
            )
        )
    return blocks
