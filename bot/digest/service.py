"""The committee digest and the month-end snapshots, read from and written to the store.

Nothing here talks to Slack: bot/slack/digest_post.py posts what `prepare_post` returns.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.digest.digest import Digest, MonthColumn, assemble, week_window
from bot.digest.messages import PreparedDigest, prepare
from bot.digest.months import (
    first_tracked_month,
    live_month,
    month_end_tallies,
    month_key,
    months_from,
    months_to_freeze,
    parse_month,
)
from bot.digest.shape import digest_json as _digest_json
from bot.plan.tallies import tally
from bot.settings import Settings
from store import digest as digest_store
from store import plan as plan_store
from store import snapshots
from store.engine import transaction


class NoPlan(LookupError):
    """The database holds no plan yet."""


def digest_json(digest: Digest) -> dict:
    """The digest in `planbot digest --json`'s shape."""
    return _digest_json(digest)


def _facts(session: Session) -> digest_store.PlanFacts:
    facts = digest_store.plan_facts(session=session)
    if facts is None:
        raise NoPlan("There is no plan in the database yet: run `planbot init` first.")
    return facts


def tracker_start(*, engine: Engine, settings: Settings) -> str:
    """The tracker's first month ("YYYY-MM"); see bot/digest/months.py for the rule."""
    with Session(engine) as session:
        facts = _facts(session)
    return first_tracked_month(facts.progress_as_of, facts.loaded_at, settings.planbot_timezone)


def build_digest(*, engine: Engine, settings: Settings, today: date) -> Digest:
    """The digest as of `today` (a plan-time date). Reads only: a past month not frozen yet is
    worked out from the history, as freezing it would."""
    tz = settings.planbot_timezone
    zone = ZoneInfo(tz)
    with Session(engine) as session:
        facts = _facts(session)
        outline = plan_store.plan_outline(session=session)
        news = digest_store.action_origins(session=session, new_only=True)
        numbers = [p.number for p in outline.priorities]
        first = first_tracked_month(facts.progress_as_of, facts.loaded_at, tz)
        current = month_key(today)
        past = [m for m in months_from(first, current) if m != current]
        frozen: dict[str, dict] = {}
        for row in snapshots.snapshots(session=session, months=past):
            frozen.setdefault(row.month, {})[row.priority] = row.tally
        missing = [m for m in past if m not in frozen]
        if missing:
            wanted = set(missing)
            worked_out = month_end_tallies(
                digest_store.action_histories(session=session),
                months_from(missing[0], missing[-1]),
                numbers,
                tz,
            )
            frozen.update((m, column) for m, column in worked_out if m in wanted)
        columns = [MonthColumn(m, frozen[m]) for m in past]
        if current >= first:
            now = {p.number: tally(p.actions) for p in outline.priorities}
            columns.append(MonthColumn(current, live_month(now, news, current, tz), True))
        start, end = week_window(today, tz)
        reminders = digest_store.reminders_sent(
            session=session, first_day=today.replace(day=1), last_day=today
        )
        month_start = datetime.combine(today.replace(day=1), time.min, tzinfo=zone)
        answers = digest_store.updates_by(
            session=session, users=sorted({r.user for r in reminders}), since=month_start
        )
        return assemble(
            plan_name=facts.name,
            today=today,
            tz=tz,
            outline=outline,
            new_actions=news,
            months=columns,
            first_month=first,
            week_rag=digest_store.rag_events(session=session, since=start, until=end),
            week_timescales=digest_store.timescale_events(session=session, since=start, until=end),
            week_returned=digest_store.returned_proposals(session=session, since=start, until=end),
            pending=digest_store.pending_proposals(session=session),
            escalated=digest_store.open_escalations(session=session),
            unreachable=digest_store.unreachable_leads(session=session),
            reminders=reminders,
            answers=answers,
        )


def prepare_post(digest: Digest, *, chart: bool = True) -> PreparedDigest:
    """The messages (text, blocks, and their fallback) and the chart's PNG, ready to post."""
    png = None
    if chart:
        from bot.digest.chart import render_chart

        png = render_chart(digest)
    return prepare(digest, png)


def _midnight(today: date, tz: str) -> datetime:
    return datetime.combine(today, time.min, tzinfo=ZoneInfo(tz))


def freeze_months(
    *, engine: Engine, settings: Settings, today: date, now: datetime | None = None
) -> list[str]:
    """Freeze every past month of the tracker not frozen yet, as it stood at its end (a month
    missed while the bot was down included); the months frozen now, oldest first.

    Idempotent and cheap when there is nothing to do: one read of the frozen months.
    """
    tz = settings.planbot_timezone
    with Session(engine) as session:
        facts = _facts(session)
        done = snapshots.frozen_months(session=session)
    first = first_tracked_month(facts.progress_as_of, facts.loaded_at, tz)
    due = months_to_freeze(first, today, done)
    if not due:
        return []
    return _freeze(engine, tz, due, now or _midnight(today, tz))


def freeze_month(
    *, engine: Engine, settings: Settings, month: str, today: date, now: datetime | None = None
) -> bool:
    """Freeze one past month by hand; False when it was frozen already (nothing changes).

    Raises ValueError for a month that is not over yet or is before the tracker starts.
    """
    tz = settings.planbot_timezone
    if parse_month(month) is None:
        raise ValueError(f"{month!r} is not a month; write it as YYYY-MM, e.g. 2018-11")
    first = tracker_start(engine=engine, settings=settings)
    if month >= month_key(today):
        raise ValueError(
            f"{month} is not over yet (today is {today.isoformat()}): only a past month is frozen"
        )
    if month < first:
        raise ValueError(f"The tracker starts in {first}; {month} is before it")
    return bool(_freeze(engine, tz, [month], now or _midnight(today, tz)))


def _freeze(engine: Engine, tz: str, months: list[str], at: datetime) -> list[str]:
    # The history is streamed and each month written as soon as it is summed: a fresh database
    # of 50,000 actions freezes years of months without holding all of them, or the history.
    wanted = set(months)
    with transaction(engine) as session:
        numbers = plan_store.priority_numbers(session=session)
        columns = month_end_tallies(
            digest_store.action_histories(session=session),
            months_from(months[0], months[-1]),
            numbers,
            tz,
        )
        return [
            month
            for month, tallies in columns
            if month in wanted
            and snapshots.freeze(session=session, month=month, tallies=tallies, at=at)
        ]
