"""How long `/plan status` takes to handle, against a no-op Bolt command in the same run.

The budget (the product specification's performance section): "`/plan status N`: handling time within 2× of a no-op Bolt command in the same
run, on a plan of 10,000 actions and 100,000 updates." This builds that plan once (bench/make_plan.py)
in a temporary database, assembles the real app against the local Slack double, registers a
`/noop` command on the same app (ack, then respond "ok" through the response_url, as `/plan`
answers), and dispatches signed commands into it, interleaved in a shuffled order each round so
that the machine's noise falls on every command alike. Handling time is `app.dispatch()` of a
signed request with process_before_response=True: signature check, middleware, the listener,
and its respond() over HTTP to the double on loopback.

    python bench/bench_status.py [--database-url URL] [--repeat N] [--profile]

Without --database-url the plan goes into a temporary SQLite file. A PostgreSQL URL gets a fresh
schema of its own, dropped at the end. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import logging
import os
import platform
import pstats
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from make_plan import TODAY, PlanSize, build_plan
from slack_bolt import Ack, Respond
from slack_bolt.context.respond.respond import Respond as RespondClass
from sqlalchemy import Engine, create_engine, func, text
from sqlmodel import Session, select

import handlers.commands
from bot.app import create_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.slack_double import SignedRequests, SlackDouble
from store.engine import make_engine
from store.models import Action, ProgressUpdate, RagChange, TimescaleChange

SIGNING_SECRET = "bench-signing-secret"
TEAM_ID = "T0PLANBOT"
BOT_USER_ID = "U0PLANBOT"
BUDGET = 2.0  # × the no-op command's median


@dataclass(frozen=True)
class Case:
    label: str
    command: str
    text: str
    expect: str  # a string the answer must contain, so a fast wrong answer cannot pass


NOOP = Case("/noop", "/noop", "", '"text": "ok"')
PRIORITY = Case("/plan status 7", "/plan", "status 7", "Priority 7")
CASES = (
    NOOP,
    PRIORITY,
    Case("/plan status 7.3", "/plan", "status 7.3", "Action 7.3"),
    Case("/plan status", "/plan", "status", "Synthetic improvement plan"),
    Case("/plan help", "/plan", "help", "planbot — /plan"),
)
# The stages of a `/plan` answer, timed inside each dispatch; the rest is Bolt and the handler.
# A stage the handler does not call (any more) shows as 0.
STAGES = {
    "query": (handlers.commands, "answer_status"),
    "blocks": (handlers.commands, "answer_blocks"),
    "text": (handlers.commands, "answer_text"),
    "respond": (RespondClass, "__call__"),
}


@dataclass
class Samples:
    total: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answer_bytes: int = 0


# --- The rig: the real app, the double, signed requests ----------------------------------------


class Rig:
    """The real app on the bench database, answering through the Slack double."""

    def __init__(self, database_url: str) -> None:
        clock = FixedClock.at_date(TODAY)
        self.double = SlackDouble(team_id=TEAM_ID, bot_user_id=BOT_USER_ID, clock=clock).start()
        self.user = self.double.add_user("bench.reader", real_name="Bench Reader")
        self.channel = self.double.dm_channel(self.user)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            slack_api_url=self.double.api_url,
            slack_signing_secret=SIGNING_SECRET,
            slack_bot_token=self.double.bot_token,
        )
        self.engine = make_engine(database_url)
        # Chat methods go to the double in-process; respond() still posts over loopback HTTP.
        self.app = create_app(
            settings,
            self.double.in_process_client(),
            engine=self.engine,
            clock=clock,
            process_before_response=True,
        )
        self.app.command(NOOP.command)(_noop)
        self.requests = SignedRequests(
            signing_secret=SIGNING_SECRET, team_id=TEAM_ID, bot_user_id=BOT_USER_ID
        )
        self.stage_ns: dict[str, int] = defaultdict(int)

    def dispatch(self, case: Case) -> float:
        """Handle one signed command; returns milliseconds (signing the request is not timed)."""
        # A fresh response_url each time: Slack allows five uses of one.
        request = self.requests.command(
            self.user,
            case.text,
            command=case.command,
            channel_id=self.channel,
            response_url=self.double.new_response_url(self.user, self.channel),
        )
        self.stage_ns.clear()
        start = time.perf_counter_ns()
        response = request.dispatch(self.app)
        elapsed = time.perf_counter_ns() - start
        if response.status != 200:
            raise RuntimeError(f"{case.label} answered HTTP {response.status}: {response.body}")
        return elapsed / 1e6

    @contextlib.contextmanager
    def timed_stages(self) -> Iterator[None]:
        """Wrap the stages of a `/plan` answer with a stopwatch, for the breakdown columns."""
        originals = {
            name: getattr(owner, attr)
            for name, (owner, attr) in STAGES.items()
            if hasattr(owner, attr)
        }
        for name, function in originals.items():
            owner, attr = STAGES[name]
            setattr(owner, attr, _stopwatch(function, self.stage_ns, name))
        try:
            yield
        finally:
            for name, function in originals.items():
                owner, attr = STAGES[name]
                setattr(owner, attr, function)

    def last_answer(self) -> tuple[str, int]:
        """The last answer posted to a response_url, as readable JSON, and its size in bytes."""
        [*_, answer] = self.double.requests_for("response")
        return json.dumps(json.loads(answer.raw), ensure_ascii=False), len(answer.raw)

    def check_answers(self) -> None:
        """Every answer went through the response_url and was accepted: no fallback was timed."""
        refused = [r for r in self.double.requests_for("response") if r.status != 200]
        dms = self.double.requests_for("chat.postMessage")
        if refused or dms:
            raise RuntimeError(
                f"{len(refused)} answers refused, {len(dms)} fallback DMs: the timings are not valid"
            )

    def close(self) -> None:
        self.double.stop()
        self.engine.dispose()


def _noop(ack: Ack, respond: Respond) -> None:
    """The no-op command: what any command costs before it does any work."""
    ack()
    respond(text="ok", response_type="ephemeral")


def _stopwatch(function: Callable, totals: dict[str, int], name: str) -> Callable:
    def timed(*args, **kwargs):
        start = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter_ns() - start

    return timed


# --- Running ---------------------------------------------------------------------------------


def measure(rig: Rig, *, repeat: int, warmup: int, seed: int) -> dict[str, Samples]:
    """`repeat` rounds, each dispatching every case once in a shuffled order."""
    samples = {case.label: Samples() for case in CASES}
    for (
        case
    ) in CASES:  # warm-up: first-call costs (imports, statement caches), and the answer checked
        for _ in range(warmup):
            rig.dispatch(case)
        answer, size = rig.last_answer()
        if case.expect not in answer:
            raise RuntimeError(f"{case.label}: the answer lacks {case.expect!r}: {answer[:300]}")
        samples[case.label].answer_bytes = size
    rng = random.Random(seed)
    order = list(CASES)
    with rig.timed_stages():
        for _ in range(repeat):
            rng.shuffle(order)
            for case in order:
                ms = rig.dispatch(case)
                stages = {stage: rig.stage_ns.get(stage, 0) / 1e6 for stage in STAGES}
                samples[case.label].total.append(ms)
                for stage, stage_ms in [*stages.items(), ("other", ms - sum(stages.values()))]:
                    samples[case.label].stages[stage].append(stage_ms)
    rig.check_answers()
    return samples


def profile(rig: Rig, case: Case, repeat: int) -> None:
    """cProfile `repeat` dispatches: planbot's own functions by cumulative time, then every function by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        rig.dispatch(case)
    profiler.disable()
    stats = pstats.Stats(
        profiler
    ).stats  # {(file, line, name): (calls, primitive calls, own s, cumulative s, callers)}
    root = Path(__file__).resolve().parents[1]
    ours = {
        key: value
        for key, value in stats.items()
        if _within(key[0], root, ("bot", "handlers", "store"))
    }
    print(
        f"\ncProfile of {repeat} × {case.label}, ms per dispatch (the double's server thread is not seen)"
    )
    for title, table, column in (
        ("planbot's functions, top 10 by cumulative time", ours, 3),
        ("all functions, top 10 by own time", stats, 2),
    ):
        print(f"  {title}:\n  {'cumulative':>10} {'own':>7} {'calls':>7}  function")
        for (file, line, name), (calls, _, own, cumulative, _) in sorted(
            table.items(), key=lambda kv: -kv[1][column]
        )[:10]:
            where = Path(file).relative_to(root) if _within(file, root) else Path(file).name
            print(
                f"  {cumulative * 1e3 / repeat:>10.2f} {own * 1e3 / repeat:>7.2f} {calls / repeat:>7.0f}  "
                f"{name} ({where}:{line})"
            )


def _within(file: str, root: Path, folders: tuple[str, ...] = ("",)) -> bool:
    return any(file.startswith(str(root / folder)) for folder in folders)


# --- Reporting -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report(samples: dict[str, Samples]) -> None:
    """Print the table, the budget's verdict and the spread of the same-round ratio."""
    noop = statistics.median(samples[NOOP.label].total)
    columns = [*STAGES, "other"]
    print(
        f"{'command':<18} {'median ms':>9} {'p10 ms':>7} {'p90 ms':>7} {'× no-op':>8}   "
        + " ".join(f"{stage:>7}" for stage in columns)
        + f"   {'answer KB':>9}"
    )
    for case in CASES:
        s = samples[case.label]
        median = statistics.median(s.total)
        stages = {name: statistics.median(values) for name, values in s.stages.items()}
        print(
            f"{case.label:<18} {median:>9.1f} {percentile(s.total, 10):>7.1f} {percentile(s.total, 90):>7.1f} "
            f"{median / noop:>7.2f}×   "
            + " ".join(f"{stages[stage]:>7.1f}" for stage in columns)
            + f"   {s.answer_bytes / 1024:>9.1f}"
        )
    paired = [
        p / n for p, n in zip(samples[PRIORITY.label].total, samples[NOOP.label].total, strict=True)
    ]
    ratio = statistics.median(samples[PRIORITY.label].total) / noop
    print(
        f"\nbudget: {PRIORITY.label} (100 actions) = {ratio:.2f}× the no-op median (≤ {BUDGET:g}×): "
        f"{'MET' if ratio <= BUDGET else 'NOT MET'}"
    )
    print(
        f"  same-round ratio {PRIORITY.label} / /noop: median {statistics.median(paired):.2f}×, "
        f"p10–p90 {percentile(paired, 10):.2f}–{percentile(paired, 90):.2f}×"
    )


def describe_plan(engine: Engine) -> str:
    with Session(engine) as session:
        actions = session.exec(select(func.count()).select_from(Action)).one()
        updates = session.exec(select(func.count()).select_from(ProgressUpdate)).one()
        action_id = session.exec(select(Action.id).where(Action.ref == "7.3")).one()
        history = sum(
            session.exec(
                select(func.count()).select_from(table).where(table.action_id == action_id)
            ).one()
            for table in (ProgressUpdate, RagChange, TimescaleChange)
        )
        own = session.exec(
            select(func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.action_id == action_id)
        ).one()
    return f"{actions:,} actions, {updates:,} updates; action 7.3 has {own} updates ({history} history entries)"


# --- Databases -------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database(url: str | None) -> Iterator[tuple[str, str]]:
    """An empty database for the run: a temp SQLite file, or a fresh schema in PostgreSQL."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="planbot-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}", "SQLite (temp file, WAL)"
        return
    if not url.startswith("postgresql"):
        yield url, url.split(":", 1)[0]
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        version = connection.execute(text("SHOW server_version")).scalar()
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield (
            f"{url}{separator}options=-csearch_path%3D{schema}",
            f"PostgreSQL {version} (schema {schema}, loopback)",
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def code_version() -> str:
    """The commit measured, and whether the work tree differed from it."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git work tree)"
    return f"{commit}" + (f" with {len(changed)} changed files uncommitted" if changed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to run on (a schema is made and dropped); default: SQLite",
    )
    parser.add_argument("--repeat", type=int, default=30, help="measured rounds (default 30)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="unmeasured dispatches of each command first"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seeds the order of commands in each round"
    )
    parser.add_argument("--profile", action="store_true", help=f"then cProfile {PRIORITY.label}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with bench_database(args.database_url) as (url, database):
        engine = make_engine(url)
        built = build_plan(engine, size=PlanSize())
        plan = describe_plan(engine)
        engine.dispose()
        rig = Rig(url)
        try:
            print(f"planbot bench_status — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
            print(
                f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                f"Python {platform.python_version()}"
            )
            print(f"code: {code_version()}")
            print(f"database: {database}; plan built in {built.seconds:.1f} s: {plan}")
            print(
                f"{args.repeat} rounds of {len(CASES)} commands in shuffled order, after {args.warmup} warm-up "
                f"dispatches each; times are ms per dispatch\n"
            )
            samples = measure(rig, repeat=args.repeat, warmup=args.warmup, seed=args.seed)
            report(samples)
            if args.profile:
                profile(rig, PRIORITY, args.repeat)
        finally:
            rig.close()


if __name__ == "__main__":
    main()
