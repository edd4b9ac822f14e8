"""`planbot shell`: talk to the real app through the local Slack double, in a terminal or a script."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot.clock import FixedClock, SystemClock, local_date
from bot.local.workspace import LocalSlack
from bot.plan.history import PlanArchive
from bot.plan.plan_file import load_bundled_plan
from bot.plan.timing import local_day
from bot.plan.words import counted
from bot.settings import Settings
from store import archive, leads, plan
from store.engine import (
    CopyFailed,
    make_engine,
    migrate,
    snapshot_sqlite,
    sqlite_path,
    transaction,
)

HELP = """\
  /plan …             a slash command from the current user
  :as ROLE-or-user    speak as a lead (a role, a name or a user id); :as admin, the chair
  text                a DM to the bot (in the last thread unless :new)
  :new                the next text starts a new DM
  :submit TEXT        submit the form the bot opened (Add update…, Return), its text fields saying TEXT
  :click N | LABEL    press button N, or the latest button (or menu choice) starting LABEL
  :tick [DATE]        run the scheduler's jobs now, or through DATE's whole day
  :today DATE         move the clock (YYYY-MM-DD)
  :channel            show the committee channel
  :users              list the workspace's users
  :help  :quit"""


class CannotCopy(Exception):
    """The configured database cannot be copied for the shell; the message says why, in one line."""


def scratch_database(
    settings: Settings, folder: Path, today: date | None
) -> tuple[str, str, FixedClock]:
    """A SQLite copy of the configured database's plan (or the bundled plan): its URL, where it
    came from, and a clock at `today` or else at the plan's own date (see plan_clock)."""
    target = folder / "shell.db"
    url = make_url(settings.database_url)
    configured = sqlite_path(settings.database_url)
    tz = settings.planbot_timezone
    source_engine = None
    if configured is not None and configured.exists():
        _copy_sqlite(configured, target)
        engine = make_engine(f"sqlite:///{target}")
        migrate(engine)
        with transaction(engine) as session:
            has_plan = plan.plan_exists(session=session)
            # Real people stay out of the shell: its workspace has fictional users for every role.
            leads.unmap_everyone(session=session)
            copied = archive.export_archive(session=session) if has_plan else None
        engine.dispose()
        if copied is not None:
            return f"sqlite:///{target}", str(configured), plan_clock(copied, today, tz)
        target.unlink()
    elif url.get_backend_name() == "postgresql":
        source_engine = make_engine(settings.database_url)
    engine = make_engine(f"sqlite:///{target}")
    migrate(engine)
    origin, copied = "the bundled plan", PlanArchive(load_bundled_plan())
    if source_engine is not None:
        try:
            with Session(source_engine) as session:
                if plan.plan_exists(session=session):
                    # The plan and its whole history, but not the real people: the shell's
                    # workspace has fictional users of its own for every role.
                    copied = replace(archive.export_archive(session=session), leads=None)
                    origin = "the configured PostgreSQL database"
        finally:
            source_engine.dispose()
    clock = plan_clock(copied, today, tz)
    with transaction(engine) as session:
        archive.load_plan(
            session=session,
            archive=copied,
            loaded_at=clock.now(),
            source="shell copy" if copied.updates is not None else "bundled seed",
            via="import" if copied.updates is not None else "seed",
        )
    engine.dispose()
    return f"sqlite:///{target}", origin, clock


def _copy_sqlite(source: Path, target: Path) -> None:
    if source.is_dir():
        raise CannotCopy(
            f"{source} is a folder, not a SQLite database file; DATABASE_URL should name the file "
            "(sqlite:///path/to/planbot.db)."
        )
    try:
        snapshot_sqlite(source, target)
    except CopyFailed as exc:
        raise CannotCopy(f"the shell cannot copy the database at {source}: {exc}.") from None


def plan_clock(copied: PlanArchive, today: date | None, tz: str) -> FixedClock:
    """The shell's clock: at --today, else at the plan's own date: the newest of its "progress as
    of" and its history (a plan in use has moved on since it was written), else the real today."""
    if today is not None:
        return FixedClock.at_date(today, tz)
    stamps = [copied.spec.progress_as_of]
    for records in (
        copied.updates,
        copied.rag_changes,
        copied.timescale_changes,
        copied.measure_values,
    ):
        stamps += [record.at for record in records or ()]
    newest = max((stamp for stamp in stamps if stamp is not None), default=None)
    if newest is None:
        return FixedClock.at_date(local_date(SystemClock(), tz), tz)
    morning = FixedClock.at_date(local_day(newest, tz), tz)
    # Never before the newest entry, so nothing in the plan is in the clock's future.
    return FixedClock(max(morning.now(), newest))


class Shell:
    """One shell session: the current user, the clock, and the last message and thread."""

    def __init__(self, world: LocalSlack, out: TextIO) -> None:
        self.world = world
        self.out = out
        self.user = world.admin
        self.buttons: list[dict] = []
        # Each shown button with the message it is on, in the order they were numbered.
        self.pressable: list[tuple[dict, dict]] = []
        self.last_item: dict | None = None
        self.thread_ts: str | None = None
        self.new_thread = False

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show_new(self) -> None:
        items = self.world.new_items()
        if not items:
            self.say("(no answer from planbot)")
            return
        self.show(items)

    def show(self, items: list[dict]) -> None:
        """Print what the bot made visible; remember its buttons (with the message each is on)
        and the thread the current user would reply in."""
        self.buttons, self.pressable = [], []
        for item in items:
            found: list[dict] = []
            self.say(self.world.render([item], found))
            self.buttons += found
            self.pressable += [(button, item) for button in found]
        self.last_item = items[-1]
        dm = self.world.double.dm_channel(self.user.user_id)
        for item in reversed(items):
            if item.get("kind") == "message" and item.get("channel") == dm:
                self.thread_ts = item.get("thread_ts") or item.get("ts")
                break

    def handle(self, line: str) -> bool:
        """Run one line; False when the shell should stop."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        command, *rest = line.split(maxsplit=1)
        if command == "/plan":
            self.world.command(self.user.user_id, rest[0] if rest else "")
            self.show_new()
        elif line.startswith(":"):
            verb, _, arg = line[1:].partition(" ")
            return self.meta(verb.lower(), arg.strip())
        elif line.startswith("/"):
            # Slack would not run "/planx" as "/plan x" either: it is another command.
            self.say(f"{command} is not a command here; planbot answers /plan only.")
        else:
            thread = None if self.new_thread else self.thread_ts
            self.new_thread = False
            self.world.say(self.user.user_id, line, thread_ts=thread)
            self.show_new()
        return True

    def meta(self, verb: str, arg: str) -> bool:
        world = self.world
        if verb in ("quit", "exit", "q"):
            return False
        if verb == "help":
            self.say(HELP)
        elif verb == "as":
            # The plan's admin is also its approver (PLANBOT_APPROVERS defaults to the admins).
            people = (
                [world.admin]
                if arg.lower() in ("admin", "chair", "approver")
                else (world.find_people(arg))
            )
            if len(people) > 1:
                listed = "; ".join(f"{p.name} ({p.title})" for p in people[:8])
                self.say(
                    f"{arg!r} matches {len(people)} people: {listed}. Say which, by name or full role."
                )
            elif not people:
                self.say(
                    f"No one matches {arg!r}; :users lists the workspace (a role, a name or an id)."
                )
            else:
                person = people[0]
                # Plain text from now on answers the latest message the bot sent them, and
                # :click LABEL presses its buttons.
                self.user, self.thread_ts = person, latest_from_bot(world, person.user_id)
                self.pressable = self.pressable_in(person.user_id)
                self.say(f"You are now {person.name} ({person.title}).")
        elif verb == "submit":
            self.submit(arg)
        elif verb == "new":
            self.new_thread = True
            self.say("Your next message starts a new DM.")
        elif verb == "click":
            self.click(arg)
        elif verb in ("today", "tick"):
            day = None
            if arg:
                try:
                    day = date.fromisoformat(arg)
                except ValueError:
                    self.say(f"{arg!r} is not a date; write it as YYYY-MM-DD.")
                    return True
                world.clock.set(FixedClock.at_date(day, world.settings.planbot_timezone).now())
            if verb == "today":
                self.say(f"The clock now reads {self.today():%A %d %B %Y}.")
            else:
                self.tick(day)
        elif verb == "channel":
            # The digest and its thread (per priority, the chart), as a member reads them.
            channel = world.committee_channel
            items = [
                {"kind": "message", "channel": channel, **m}
                for top in world.double.messages(channel)
                for m in world.double.thread(channel, top["ts"]) or [top]
            ]
            self.say(world.render(items) or "(the committee channel is empty)")
        elif verb == "users":
            for person in world.people.values():
                self.say(f"  {person.user_id}  {person.name:<18} {person.title}  [{person.tz}]")
        else:
            self.say(f"I don't know :{verb}. {HELP}")
        return True

    def submit(self, text: str) -> None:
        """Submit the modal the bot last opened for the current user, its text fields saying
        `text` (menus and dates left as they are)."""
        views = [
            i
            for i in self.world.feed_since_start()
            if i.get("kind") == "view" and i.get("user") == self.user.user_id
        ]
        if not views:
            self.say("There is no open form to submit; a button such as Add update… opens one.")
            return
        view = views[-1]["view"]
        values: dict = {}
        for block in view.get("blocks", []):
            element = block.get("element") or {}
            if block.get("type") == "input" and element.get("type") == "plain_text_input":
                values[block["block_id"]] = {
                    element["action_id"]: {"type": "plain_text_input", "value": text}
                }
        request = self.world.requests.view_submission(
            self.user.user_id,
            view.get("callback_id", ""),
            values,
            private_metadata=view.get("private_metadata", ""),
            view_id=view.get("id"),
        )
        request.dispatch(self.world.app)
        self.show_new()

    def pressable_in(self, user_id: str) -> list[tuple[dict, dict]]:
        """The buttons of the bot's latest messages to a person, with the message each is on."""
        dm = self.world.double.dm_channel(user_id)
        found: list[tuple[dict, dict]] = []
        for message in self.world.double.messages(dm)[-5:]:
            item = {"kind": "message", "channel": dm, **message}
            buttons: list[dict] = []
            self.world.render([item], buttons)
            found += [(button, item) for button in buttons]
        return found

    def click(self, arg: str) -> None:
        """`:click N` presses button N; `:click LABEL` the first button (or menu option) whose
        label starts with LABEL, on the latest message that has one."""
        if arg.isdigit():
            if not 1 <= int(arg) <= len(self.pressable):
                self.say(
                    f"There is no button {arg}; the last message has "
                    f"{counted(len(self.pressable), 'button')}."
                )
                return
            button, item = self.pressable[int(arg) - 1]
            self.world.click(self.user.user_id, button, item)
            self.show_new()
            return
        wanted = arg.strip().casefold()
        if not wanted:
            self.say("Say which button: :click N, or :click and the start of its label.")
            return
        for button, item in reversed(self.pressable):
            label = (button.get("text") or button.get("placeholder") or {}).get("text", "")
            if label.casefold().startswith(wanted):
                self.world.click(self.user.user_id, button, item)
                self.show_new()
                return
            for option in button.get("options", ()):
                if option["text"]["text"].casefold().startswith(wanted):
                    self.world.click(self.user.user_id, button, item, option=option)
                    self.show_new()
                    return
        labels = ", ".join(
            (b.get("text") or b.get("placeholder") or {}).get("text", "?")
            for b, _ in self.pressable
        )
        self.say(f"No button starts with {arg!r}; the buttons shown are: {labels or 'none'}.")

    def tick(self, day: date | None = None) -> None:
        """Run the scheduler's jobs: at the clock, or through a whole day (every person's
        reminder time in their own zone, then the plan's), showing what each person got."""
        from scheduler import tick

        world = self.world
        if day is None:
            results = [(world.clock.now(), result) for result in tick(world.deps)]
        else:
            results = world.run_day(day)
        tz = ZoneInfo(world.settings.planbot_timezone)
        for instant, result in results:
            self.say(f"{instant.astimezone(tz):%H:%M} {result}")
        items = world.new_items()
        if items:
            self.show(items)

    def today(self) -> date:
        return local_date(self.world.clock, self.world.settings.planbot_timezone)


def latest_from_bot(world: LocalSlack, user_id: str) -> str | None:
    """The ts of the newest top-level message the bot sent to a person (a reminder, say)."""
    messages = world.double.messages(world.double.dm_channel(user_id))
    ours = [
        m for m in messages if m.get("bot_id") and m.get("ts") == m.get("thread_ts", m.get("ts"))
    ]
    return ours[-1]["ts"] if ours else None


def run_shell(settings: Settings, *, today: date | None, stdin: TextIO, stdout: TextIO) -> int:
    folder = Path(tempfile.mkdtemp(prefix="planbot-shell-"))
    try:
        url, origin, clock = scratch_database(settings, folder, today)
        engine = make_engine(url)
        world = LocalSlack(settings, engine=engine, clock=clock)
        try:
            world.add_lead_users()
            shell = Shell(world, stdout)
            interactive = stdin.isatty()
            shell.say(
                f"planbot shell — on a scratch copy of {origin}, so nothing you do here reaches it; "
                f"the clock reads {shell.today():%A %d %B %Y}."
            )
            shell.say(
                f"You are {world.admin.name} ({world.admin.title}). :help lists what you can do."
            )
            while True:
                if interactive:
                    print(f"{shell.user.name}> ", end="", file=stdout, flush=True)
                line = stdin.readline()
                if not line:
                    break
                if not interactive:
                    shell.say(f"{shell.user.name}> {line.rstrip()}")
                if not shell.handle(line):
                    break
        finally:
            world.close()
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
