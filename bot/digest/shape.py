"""The digest as JSON: the shape `planbot digest --json` prints (the issue's contract)."""

from __future__ import annotations

from typing import Any

from bot.digest.digest import Digest
from bot.plan.tallies import Tally


def tally_json(t: Tally) -> dict[str, int]:
    return {
        "red": t.red,
        "amber": t.amber,
        "green": t.green,
        "completed": t.completed,
        "unrated": t.unrated,
        "new": t.new_actions,
        "total": t.total,
    }


def digest_json(digest: Digest) -> dict[str, Any]:
    """by_priority, totals, by_month (past months frozen, the current one live), the exceptions,
    this week's changes and this month's participation."""
    p = digest.participation
    return {
        "by_priority": {str(n): tally_json(t) for n, t in sorted(digest.by_priority.items())},
        "totals": tally_json(digest.totals),
        "by_month": {column.month: tally_json(column.total) for column in digest.months},
        "overdue": [{"action": str(f.ref), "days": f.days} for f in digest.overdue],
        "due_soon": [{"action": str(f.ref), "days": f.days} for f in digest.due_soon],
        "pending": [
            {
                "action": str(x.ref),
                "status": x.status,
                "rag": x.rag.value if x.rag else None,
                "revised_timescale": x.revised_timescale.isoformat()
                if x.revised_timescale
                else None,
                "since": x.since.isoformat(),
                "by": x.by,
            }
            for x in digest.pending
        ],
        "escalated": [
            {"action": str(e.ref), "day": e.day.isoformat(), "reminders": e.reminders}
            for e in digest.escalated
        ],
        "unreachable": [
            {"user": u.user, "error": u.error, "roles": list(u.roles)} for u in digest.unreachable
        ],
        "changes": [
            {
                "kind": c.kind,
                "action": str(c.ref),
                "priority": c.ref.priority,
                "at": c.at.isoformat(),
                "from": c.before,
                "to": c.after,
                "by": c.by,
                "reason": c.reason,
            }
            for c in digest.changes
        ],
        "participation": {
            "month": p.month,
            "reminded": len(p.reminded),
            "answered": len(p.answered),
            "not_answered": len(p.not_answered),
            "median_days_to_answer": p.median_days,
            "not_answered_people": list(p.not_answered),
        },
    }
