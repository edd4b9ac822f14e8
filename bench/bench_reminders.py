"""How long a day's reminders take to compute: 10,000 actions, 1,000 lead roles.

The product's budget: "A reminder run for 10,000 actions and 1,000 leads computes its DMs in under
0.5 s." This is the computing half: the plan is built as plain reminder records (no database,
no Slack), then each round times `reminders_for_day` (who gets which actions) and the Block Kit
of every DM and of the admins' list, on an ordinary working day and on the monthly round's day
(when every open action not updated that month is chased, the heaviest day of a month).

    python bench/bench_reminders.py [--repeat N] [--seed N]

Figures are printed, never asserted. The time zones and the outbox are the sending half's.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

from bot.plan.calendar import WorkingCalendar
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.day import DayPlan, reminders_for_day
from bot.reminders.message import reminder_message, unreachable_message
from bot.reminders.records import ActionState, Leave, Role
from bot.reminders.rules import ReminderRules

BUDGET_S = 0.5
DAYS = {
    "ordinary day (Wed 12 Jun 2019)": date(2019, 6, 12),
    "monthly round (Mon 24 Jun 2019)": date(2019, 6, 24),
}


@dataclass(frozen=True)
class SyntheticPlan:
    actions: list[ActionState]
    roles: list[Role]
    leave: list[Leave]


def build(seed: int, actions: int = 10_000, roles: int = 1_000) -> SyntheticPlan:
    """A deterministic plan: 100 actions a priority, one or two lead roles each from `roles`.

    Roles: 97% mapped, to one user (80%) or two, a third with a deputy; 3% unmapped. 2% of
    users on leave. Timescales over 2018-2020 (1% missing, 15% revised), RAG as in
    bench/make_plan.py (20% completed), last updates in the 90 days before mid-June 2019
    (10% never), 2% snoozed.
    """
    rng = random.Random(seed)
    names = [f"Lead role {n:04d}" for n in range(roles)]
    role_records, users = [], []
    for n, name in enumerate(names):
        if rng.random() < 0.03:
            role_records.append(Role(name))
            continue
        members = tuple(f"U{n:04d}{k:04d}" for k in range(1 if rng.random() < 0.8 else 2))
        deputies = (f"U{n:04d}DEPU",) if rng.random() < 0.33 else ()
        role_records.append(Role(name, members, deputies))
        users += members
    leave = [Leave(user, date(2019, 7, 1)) for user in rng.sample(users, len(users) // 50)]
    start, span = date(2018, 11, 1), (date(2020, 12, 31) - date(2018, 11, 1)).days
    updated_from = date(2019, 3, 15)
    rags = [Rag.RED] * 20 + [Rag.AMBER] * 25 + [Rag.GREEN] * 25 + [Rag.COMPLETED] * 20
    rags += [Rag.UNRATED] * 10
    records = []
    for n in range(actions):
        timescale = None if rng.random() < 0.01 else start + timedelta(days=rng.randrange(span))
        original = timescale - timedelta(days=rng.randrange(30, 200)) if timescale else None
        revised = timescale is not None and rng.random() < 0.15
        lead_count = 1 if rng.random() < 0.8 else 2
        records.append(
            ActionState(
                ref=ActionRef(1 + n // 100, 1 + n % 100),
                text=f"Synthetic action {n}: "
                + "improve the quality of practice " * rng.randint(1, 8),
                leads=tuple(rng.sample(names, lead_count)),
                timescale=timescale,
                original_timescale=original if revised else None,
                rag=rng.choice(rags),
                last_update=(
                    None if rng.random() < 0.1 else updated_from + timedelta(days=rng.randrange(90))
                ),
                snoozed_until=date(2019, 6, 25) if rng.random() < 0.02 else None,
            )
        )
    return SyntheticPlan(records, role_records, leave)


def run_once(plan: SyntheticPlan, today: date, calendar: WorkingCalendar, rules: ReminderRules):
    """(compute s, blocks s, CPU s, the day's plan, blocks built) for one day's run."""
    cpu0, t0 = time.process_time(), time.perf_counter()
    day = reminders_for_day(plan.actions, plan.roles, plan.leave, today, calendar, rules)
    t1 = time.perf_counter()
    messages = [reminder_message(person) for person in day.people]
    if day.unreachable:
        messages.append(unreachable_message(today, day.unreachable))
    t2, cpu2 = time.perf_counter(), time.process_time()
    return t1 - t0, t2 - t1, cpu2 - cpu0, day, sum(len(m.blocks) for m in messages)


def describe(day: DayPlan, blocks: int) -> str:
    items = sum(len(person.items) for person in day.people)
    return (
        f"{len(day.people):,} DMs listing {items:,} action-reminders ({blocks:,} blocks); "
        f"{len(day.unreachable):,} unreachable, {len(day.not_reminded):,} held back"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per day (median kept)")
    parser.add_argument("--seed", type=int, default=20181101)
    args = parser.parse_args()

    t0 = time.perf_counter()
    plan = build(args.seed)
    built = time.perf_counter() - t0
    calendar = WorkingCalendar(range(5), "GB-ENG")
    t0 = time.perf_counter()
    calendar.check()  # load the holidays package once, as the process's first run would
    loaded = time.perf_counter() - t0
    rules = ReminderRules()

    print("planbot bench_reminders — computing a day's reminders")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        f"plan: {len(plan.actions):,} actions, {len(plan.roles):,} lead roles, "
        f"{len(plan.leave):,} people on leave; built in {built:.2f} s (not timed); "
        f"holidays loaded in {loaded * 1000:.0f} ms (once a process, not timed)"
    )
    print(f"{args.repeat} timed runs per day after one warm-up; ms per run (wall clock, and")
    print("this process's CPU time, which other processes on a shared machine disturb less)\n")
    print(
        f"{'day':33} {'compute':>8} {'blocks':>7} {'total':>7} {'p10-p90':>12} {'CPU':>7}"
        "  × budget (500 ms)"
    )
    worst = 0.0
    for label, today in DAYS.items():
        run_once(plan, today, calendar, rules)  # warm-up: a first run pays for imports and caches
        runs = [run_once(plan, today, calendar, rules) for _ in range(args.repeat)]
        totals = [c + b for c, b, _, _, _ in runs]
        deciles = statistics.quantiles(totals, n=10) if len(totals) > 1 else totals * 9
        total = statistics.median(totals)
        worst = max(worst, total)
        compute = statistics.median(c for c, _, _, _, _ in runs)
        blocks = statistics.median(b for _, b, _, _, _ in runs)
        cpu = statistics.median(u for _, _, u, _, _ in runs)
        print(
            f"{label:33} {compute * 1000:8.1f} {blocks * 1000:7.1f} {total * 1000:7.1f} "
            f"{deciles[0] * 1000:5.0f}-{deciles[-1] * 1000:<6.0f} {cpu * 1000:7.1f}"
            f"  {total / BUDGET_S:.2f}×"
        )
        print(f"    {describe(runs[-1][3], runs[-1][4])}")
    verdict = "MET" if worst < BUDGET_S else "NOT MET"
    print(f"\nbudget: the slower day's median {worst * 1000:.1f} ms (< 500 ms): {verdict}")


if __name__ == "__main__":
    main()
