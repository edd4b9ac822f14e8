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
from bot.settings import Settings
from bot.status.grammar import counted
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
  :as ROLE-or-user    speak as a lead (a role, a name or a user id)
  text                a DM to the bot (in the last thread unless :new)
  :new                the next text starts a new DM
  :click N            press button N of the last message
  :tick [DATE]        run the scheduler's jobs (at DATE)
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
    morning = FixedClock.at_date(newest.astimezone(ZoneInfo(tz)).date(), tz)
    # Never before the newest entry, so nothing in the plan is in the clock's future.
    return FixedClock(max(morning.now(), newest))


class Shell:
    """One shell session: the current user, the clock, and the last message and thread."""

    def __init__(self, world: LocalSlack, out: TextIO) -> None:
        self.world = world
        self.out = out
        self.user = world.admin
        self.buttons: list[dict] = []
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
        self.buttons = []
        self.say(self.world.render(items, self.buttons))
        self.last_item = items[-1]
        for item in reversed(items):
            if item.get("kind") == "message" and item.get(
                "channel"
            ) == self.world.double.dm_channel(self.user.user_id):
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
            people = world.find_people(arg)
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
                self.user, self.thread_ts = person, None
                self.say(f"You are now {person.name} ({person.title}).")
        elif verb == "new":
            self.new_thread = True
            self.say("Your next message starts a new DM.")
        elif verb == "click":
            if not arg.isdigit() or not 1 <= int(arg) <= len(self.buttons):
                self.say(
                    f"There is no button {arg or '?'}; the last message has "
                    f"{counted(len(self.buttons), 'button')}."
                )
            else:
                world.click(self.user.user_id, self.buttons[int(arg) - 1], self.last_item or {})
                self.show_new()
        elif verb in ("today", "tick"):
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
                self.tick()
        elif verb == "channel":
            messages = world.double.messages(world.committee_channel)
            self.say(
                world.render(
                    [{"kind": "message", "channel": world.committee_channel, **m} for m in messages]
                )
                or "(the committee channel is empty)"
            )
        elif verb == "users":
            for person in world.people.values():
                self.say(f"  {person.user_id}  {person.name:<18} {person.title}  [{person.tz}]")
        else:
            self.say(f"I don't know :{verb}. {HELP}")
        return True

    def tick(self) -> None:
        from scheduler import tick

        results = tick(self.world.deps)
        self.say(
            "\n".join(results)
            if results
            else "The scheduler has no jobs yet: reminders and the digest come with later releases."
        )
        items = self.world.new_items()
        if items:
            self.say(self.world.render(items, self.buttons))

    def today(self) -> date:
        return local_date(self.world.clock, self.world.settings.planbot_timezone)


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
