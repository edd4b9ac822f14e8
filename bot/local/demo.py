"""`planbot demo`: the loop, played on the bundled plan against the local Slack double.

Each step is a person doing something in Slack (a signed request into the real app) followed by
what they see. As later features land (reminders, replies, approvals, the digest) they join the
script.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from bot.clock import FixedClock, local_date
from bot.local.workspace import LocalSlack, Person
from bot.plan.history import PlanArchive
from bot.plan.plan_file import load_bundled_plan
from bot.plan.words import counted
from bot.settings import Settings
from store import archive, people
from store import leads as leads_store
from store.engine import make_engine, migrate, transaction

# A Monday inside the plan: the fortnight after it brings reminders, replies and decisions.
DEMO_TODAY = date(2018, 11, 12)


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
            show(world.new_items())

        def show(items: list[dict]) -> None:
            # Each change also refreshes the App Home of whoever acted: not shown here.
            items = [i for i in items if i.get("kind") != "view"]
            say(world.render(items) if items else "(nothing)")

        def reply(who, text: str, caption: str, thread_ts: str | None) -> dict | None:
            say()
            say(f"▶ {caption}")
            say(f"  {who.name} writes{' in the thread' if thread_ts else ''}: {text}")
            world.say(who.user_id, text, thread_ts=thread_ts)
            items = world.new_items()
            show(items)
            # The bot's answer in the conversation (not, say, the App Home it refreshed).
            return next(
                (i for i in reversed(items) if i.get("kind") == "message" and i.get("blocks")), None
            )

        def press(who, label: str, item: dict | None, caption: str) -> None:
            say()
            say(f"▶ {caption}")
            button = _button(item, label)
            if button is None:
                say(f"  (no {label} button to press)")
                return
            say(f"  {who.name} presses {label}.")
            world.click(who.user_id, button, item)
            show(world.new_items())

        chair = world.admin
        icrt = world.find_person("Service Manager - ICRT") or chair
        cla = world.find_person("Service Manager - CLA") or chair
        cwd = world.find_person("Children with Disabilities Team Manager") or chair
        step(chair, "help", "A committee member asks what planbot can do.")
        step(
            chair, "status 7", "A committee member asks about priority 7 (Ofsted recommendation 9)."
        )

        # Leave: the CLA service manager is away; a deputy covers their reminders.
        deputy_id = world.double.add_user("dee.cover", real_name="Dee Cover", title="Deputy, CLA")
        world.people[deputy_id] = Person(deputy_id, "Dee Cover", "Deputy, CLA", "Europe/London", [])
        with transaction(engine) as session:
            leads_store.map_role(
                session=session,
                role_name="Service Manager - CLA",
                user_id=cla.user_id,
                deputy=deputy_id,
                at=clock.now(),
                by="demo",
            )
            people.record_leave(
                session=session,
                user_id=cla.user_id,
                until=day + timedelta(days=14),
                at=clock.now(),
                by="demo",
            )
        say()
        say(
            f"▶ {cla.name} (Service Manager - CLA) is on leave until "
            f"{day + timedelta(days=14):%d %b}; Dee Cover deputises."
        )

        say()
        say(
            "▶ A fortnight of reminders: the scheduler runs each working day, at each lead's 09:00."
        )
        first_shown = False
        start = day
        for offset in range(14):
            when = start + timedelta(days=offset)
            world.run_day(when)
            # DMs only: the committee channel's digest is shown once, at the end.
            items = [
                i
                for i in world.new_items()
                if i.get("kind") == "message" and i.get("channel") != world.committee_channel
            ]
            if not items:
                say(
                    f"  {when:%a %d %b}: nothing due"
                    + (" (weekend)" if when.weekday() >= 5 else "")
                )
                continue
            names = world.names()
            sent = ", ".join(
                f"{names.get(i['channel'], i['channel']).removeprefix('DM with ')} "
                f"({', '.join((i.get('metadata') or {}).get('event_payload', {}).get('actions', [])) or 'alert'})"
                for i in items
            )
            say(f"  {when:%a %d %b}: {counted(len(items), 'DM')} — {sent}")
            if not first_shown:
                show(items[:1])
                first_shown = True
            if when == date(2018, 11, 23) or offset == 13:
                break
        dm_of = lambda person: world.double.dm_channel(person.user_id)  # noqa: E731
        reminder = _latest_reminder(world, icrt.user_id)
        cwd_reminder = _latest_reminder(world, cwd.user_id)

        if cwd_reminder:
            press(
                cwd,
                "Snooze",
                {"channel": dm_of(cwd), **cwd_reminder},
                "The disabilities team manager is mid-review and snoozes 5.7 for three working days.",
            )
        if reminder:
            echo = reply(
                icrt,
                "All managers are collating good examples of pieces of work to place in the "
                "good practice files; running a little late — now expected 14/12/18.",
                "The ICRT service manager answers the reminder in its thread, in the plan's own words.",
                reminder["ts"],
            )
            press(icrt, "Confirm", echo, "They confirm what planbot understood.")
            request = _latest_from_bot(world, chair.user_id, "Action 5.4")
            press(chair, "Accept", request, "The chair accepts the proposal.")
        question = reply(
            cla,
            "Done, minutes are on the shared drive",
            "Back early, the CLA service manager writes a new DM naming no action: planbot asks.",
            None,
        )
        if question and question.get("text", "").startswith("Which action"):
            echo = reply(cla, "8.2", "They answer with the action's number.", question["thread_ts"])
            press(cla, "Confirm", echo, "They confirm: completed, with evidence, to the chair.")
            request = _latest_from_bot(world, chair.user_id, "Action 8.2")
            press(chair, "Accept", request, "The chair accepts.")
        step(chair, "status 5.4", "Anyone can see 5.4 now: Amber, re-timed, with its history.")

        # The week after: Monday's digest in the committee channel, exception first.
        monday = date(2018, 11, 26)
        say()
        say(f"▶ {monday:%A %d %B}: the scheduler posts the weekly digest to the committee channel.")
        world.run_day(monday)
        world.new_items()
        channel = world.committee_channel
        # The Mondays before posted theirs too: this one is the week's.
        for message in world.double.messages(channel)[-1:]:
            show([{"kind": "message", "channel": channel, **message}])
            replies = world.double.thread(channel, message["ts"])[1:]
            if replies:
                say(
                    f"  (and {counted(len(replies), 'reply')} in its thread: by month, by priority, a chart)"
                )

        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            from bot.digest.service import build_digest, prepare_post

            chart = prepare_post(
                build_digest(engine=engine, settings=world.settings, today=monday)
            ).chart
            if chart:
                (out / "digest.png").write_bytes(chart)
                say()
                say(f"▶ The digest's chart: {out / 'digest.png'}")
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


def _button(item: dict | None, label: str) -> dict | None:
    """The first button on a message whose label starts with `label`."""
    for block in (item or {}).get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button" and element["text"]["text"].startswith(label):
                return element
    return None


def _latest_reminder(world: LocalSlack, user_id: str) -> dict | None:
    messages = world.double.messages(world.double.dm_channel(user_id))
    found = [
        m for m in messages if (m.get("metadata") or {}).get("event_type") == "planbot_reminder"
    ]
    return found[-1] if found else None


def _latest_from_bot(world: LocalSlack, user_id: str, starting: str) -> dict | None:
    channel = world.double.dm_channel(user_id)
    found = [m for m in world.double.messages(channel) if m.get("text", "").startswith(starting)]
    return {"channel": channel, **found[-1]} if found else None
