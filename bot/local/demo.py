"""`planbot demo`: the loop, played on the bundled plan against the local Slack double.

Each step is a person doing something in Slack (a signed request into the real app) followed by
what they see. As later features land (reminders, replies, approvals, the digest) they join the
script.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from bot.clock import FixedClock, local_date
from bot.local.workspace import LocalSlack
from bot.plan.history import PlanArchive
from bot.plan.plan_file import load_bundled_plan
from bot.settings import Settings
from bot.status.grammar import counted
from store import archive
from store.engine import make_engine, migrate, transaction

DEMO_TODAY = date(2018, 11, 20)


def run_demo(settings: Settings, *, today: date | None, out: Path | None, stdout: TextIO) -> int:
    folder = Path(tempfile.mkdtemp(prefix="planbot-demo-"))
    clock = FixedClock.at_date(today or DEMO_TODAY, settings.planbot_timezone)
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    world = None

    def say(text: str = "") -> None:
        print(text, file=stdout, flush=True)

    try:
        migrate(engine)
        spec = load_bundled_plan()
        with transaction(engine) as session:
            archive.load_plan(
                session=session,
                archive=PlanArchive(spec),
                loaded_at=clock.now(),
                source="bundled seed",
                via="seed",
            )
        world = LocalSlack(settings, engine=engine, clock=clock)
        leads = world.add_lead_users()
        day = local_date(clock, settings.planbot_timezone)

        say(f"planbot demo — {spec.name}")
        say(
            f"The clock reads {day:%A %d %B %Y}; Slack is the local double at {world.double.base_url}."
        )
        say(
            f"Loaded {counted(len(spec.priorities), 'priority')} and "
            f"{counted(len(spec.actions), 'action')}; {counted(len(leads), 'lead role')}, "
            "each mapped to a fictional Slack user:"
        )
        for person in leads:
            say(f"  {person.name:<18} {person.title}  [{person.tz}]")

        def step(who, text: str, caption: str) -> None:
            say()
            say(f"▶ {caption}")
            say(f"  {who.name} types: /plan {text}")
            world.command(who.user_id, text)
            items = world.new_items()
            say(world.render(items) if items else "(no answer)")

        chair = world.admin
        icrt = world.find_person("Service Manager - ICRT")
        step(chair, "help", "A committee member asks what planbot can do.")
        step(chair, "status", "The plan owner asks for the whole plan: tallies by priority.")
        step(
            chair, "status 7", "A committee member asks about priority 7 (Ofsted recommendation 9)."
        )
        step(
            icrt or chair,
            "status 1.4",
            "The ICRT service manager looks up one of their actions, with its history.",
        )
        step(chair, "status rec 1", "Which priority answers Ofsted recommendation 1?")
        step(chair, "status 99", "A typo gets a clear answer and changes nothing.")

        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            from bot.spreadsheet import write_workbook

            with Session(engine) as session:
                exported = archive.export_archive(session=session)
            path = out / "plan.xlsx"
            write_workbook(path, exported)
            say()
            say(f"▶ The plan owner exports the plan for the board: {path}")

        calls = world.double.requests
        refused = [r for r in calls if r.status != 200 or (r.response or {}).get("ok") is False]
        say()
        say(
            f"Done: {counted(len(calls), 'call')} to Slack, {len(refused)} refused by Slack's checks."
        )
        say("Next: `planbot shell` to try it yourself.")
        return 0
    finally:
        if world is not None:
            world.close()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
