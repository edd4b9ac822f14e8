"""The tracker's months: which months it has, when each ends, and each month's tallies at its end.

A month is a calendar month of the plan's time zone, so a change at 00:30 BST on 1 October
(23:30 UTC on 30 September) belongs to October, and 23:30 on 31 October (GMT again) still does.

The tracker starts with the month after the plan's progress was written: the seed's progress is
as of 31 October 2018, and its own tracker's first column is NOV 2018. Precisely, the first tracked
month is the month of the day after `progress_as_of` (plan time), so a plan written on the last
day of a month starts with the next month, and one written mid-month starts with that month.
A plan that does not say when its progress was written is tracked from the month it was loaded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.records import ActionHistory, ActionOrigin
from bot.plan.rag import Rag
from bot.plan.tallies import Tally
from bot.plan.timing import local_day

MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def month_key(day: date) -> str:
    """ "2018-11" for any day of November 2018."""
    return f"{day.year:04d}-{day.month:02d}"


def month_of(at: datetime, tz: str | ZoneInfo) -> str:
    """The plan-time month an instant falls in."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return month_key(at.astimezone(zone).date())


def parse_month(text: str) -> date | None:
    """The first day of a "YYYY-MM" month, or None when the text is not one."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def month_label(month: str) -> str:
    """ "NOV 2018", as the plan's own tracker heads its columns."""
    first = parse_month(month)
    return f"{MONTH_NAMES[first.month - 1]} {first.year}" if first else month


def next_month(month: str) -> str:
    first = parse_month(month)
    return month_key((first + timedelta(days=32)).replace(day=1))


def months_from(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included (empty when last is before first)."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def month_end(month: str, tz: str) -> datetime:
    """The instant a month ends: midnight starting the next month, in the plan's time zone."""
    start_of_next = parse_month(next_month(month))
    return datetime.combine(start_of_next, datetime.min.time(), tzinfo=ZoneInfo(tz))


def first_tracked_month(progress_as_of: datetime | None, loaded_at: datetime, tz: str) -> str:
    """The tracker's first month (see the module's docstring)."""
    if progress_as_of is None:
        return month_of(loaded_at, tz)
    written = local_day(progress_as_of, tz)
    return month_key(written + timedelta(days=1))


def months_to_freeze(first: str, today: date, frozen: Iterable[str]) -> list[str]:
    """Past months of the tracker not frozen yet, oldest first (the current month is live)."""
    last_past = month_key(today.replace(day=1) - timedelta(days=1))
    done = set(frozen)
    return [month for month in months_from(first, last_past) if month not in done]


_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETED, Rag.UNRATED)
_INDEX = {rag: n for n, rag in enumerate(_ORDER)}


def month_end_tallies(
    histories: Iterable[ActionHistory],
    months: list[str],
    priorities: Iterable[int],
    tz: str,
) -> Iterator[tuple[str, dict[int, Tally]]]:
    """Each month's tallies per priority as they stood at the month's end, month by month,
    oldest first (`months` are consecutive, oldest first).

    An action's RAG at a month end is the last change before it; an action with no change
    before it stood at its first change's "from" (or, with no change at all, at its RAG now).
    An action counts from the month it was created; New Actions counts the new actions created
    in that month. Months before `months[0]` fold into it; months after the last are ignored.

    The histories (each action's changes oldest first) are walked once, as +1/-1 moves per
    month, then summed month by month: the cost grows with actions plus changes, not with
    actions times months, and nothing of an action is kept once it is walked, so the histories
    may be streamed from the store. A month's column is built only when it is asked for.
    """
    if not months:
        return
    zone = ZoneInfo(tz)
    # The instants the months start, and the last one ends (midnight, plan time), in UTC as
    # the store's instants are, so that placing an instant is a bisection, not a zone lookup.
    starts = [
        datetime.combine(parse_month(month), datetime.min.time(), tzinfo=zone).astimezone(UTC)
        for month in months
    ]
    end = month_end(months[-1], tz).astimezone(UTC)

    def slot(at: datetime) -> int | None:
        """The month an instant counts in: before the first month, the first; None after the
        last month."""
        if at >= end:
            return None
        return max(bisect_right(starts, at) - 1, 0)

    # moves[month][priority] = [red, amber, green, completed, unrated, total] changes that month
    moves: list[dict[int, list[int]]] = [defaultdict(lambda: [0] * 6) for _ in months]
    new_in: list[dict[int, int]] = [defaultdict(int) for _ in months]
    for history in histories:
        start = slot(history.created_at)
        if start is None:
            continue  # created after the last month asked for
        changes = history.changes
        state = changes[0][0] if changes else history.rag
        row = moves[start][history.priority]
        row[_INDEX[state]] += 1
        row[5] += 1
        if history.is_new and history.created_at >= starts[0]:
            new_in[start][history.priority] += 1
        for _, to_rag, changed_at in changes:
            at = slot(changed_at)
            if at is None:
                break  # this change and every later one fall after the last month
            # A change recorded before the action's creation (a clock skew) counts from it.
            row = moves[max(at, start)][history.priority]
            row[_INDEX[state]] -= 1
            row[_INDEX[to_rag]] += 1
            state = to_rag

    numbers = sorted(set(priorities) | {p for month in moves for p in month})
    running = {p: [0] * 6 for p in numbers}
    for n, month in enumerate(months):
        column = {}
        for p in numbers:
            counts = running[p]
            for i, delta in enumerate(moves[n].get(p, (0,) * 6)):
                counts[i] += delta
            red, amber, green, completed, unrated, total = counts
            column[p] = Tally(
                red=red,
                amber=amber,
                green=green,
                completed=completed,
                unrated=unrated,
                new_actions=new_in[n].get(p, 0),
                total=total,
            )
        yield month, column


def live_month(
    now: dict[int, Tally], new_actions: Iterable[ActionOrigin], month: str, tz: str
) -> dict[int, Tally]:
    """The current month's column: the agreed RAGs now (`now`, per priority), and New Actions
    counting the new actions created this month."""
    zone = ZoneInfo(tz)
    added: dict[int, int] = defaultdict(int)
    for origin in new_actions:
        if origin.is_new and month_of(origin.created_at, zone) == month:
            added[origin.priority] += 1
    return {p: replace(t, new_actions=added.get(p, 0)) for p, t in sorted(now.items())}
