"""How long `/plan` answers take, against a floor command, on plans of three sizes.

The budgets (PRODUCT.md §7 and issue 10, "Performance — the budget restated"):

2. `/plan status N` and `N.M` within 2× the **floor** command: a command that posts the same
   prepared answer (the same blocks, through the same `answer_privately`), so that the ratio is
   the cost of reading the store and drawing the blocks, not of posting a large answer.
3. One priority's answer costs the same on 50,000 actions as on the seed plan (within 1.3×); the
   whole-plan answer (and `/plan overdue` / `due`, when the grammar has them) grows at most
   linearly and stays under 50 ms at 50,000 actions.

Each plan is the bundled seed plan (15 priorities, 93 actions, given 5-15 updates each) plus
synthetic priorities of 100 actions numbered after it (bench/make_plan.py, `on_seed`): so
priority 7 and action 7.3 are the same answer in every size, and priority 16 is a synthetic one of
100 actions (a 29 KB answer). Each plan has a fresh database and the real app assembled against
a local Slack double of its own, with `/noop` and `/floor` registered on the same app. Every
round dispatches every command on every plan once, in a shuffled order, so that the machine's
noise falls on every command and every plan alike (budget 3 compares plans). Status answers are
kept while the plan is unchanged (store/plan_cache.py), so each status question is measured
twice: asked again (the kept answer) and right after a change to the plan (read): budget 2 is
judged on the first, as a repeated question; budget 3, what reading costs at scale, on the
second. Handling time is `app.dispatch()` of a signed request with
process_before_response=True: signature check, middleware, the listener, and its respond() over
HTTP to the double on loopback.

    python bench/bench_status.py [--database-url URL] [--sizes 10000,50000] [--repeat N]
                                 [--profile TEXT] [--pause-ms MS]

Without --database-url the plans go into temporary SQLite files. A PostgreSQL URL gets a fresh
schema for each plan, dropped after it. Figures are printed, never asserted.
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
from slack_sdk import WebClient
from sqlalchemy import Engine, create_engine, func, text
from sqlmodel import Session, select

import bot.status.service
from bot.app import create_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.slack.blocks import Answer
from bot.slack.respond import answer_privately
from bot.slack_double import SignedRequests, SlackDouble
from bot.status import grammar
from bot.status.service import answer_command
from store.engine import make_engine
from store.models import Action, ProgressUpdate

SIGNING_SECRET = "bench-signing-secret"
TEAM_ID = "T0PLANBOT"
BOT_USER_ID = "U0PLANBOT"
SEED_ACTIONS = 93  # the bundled seed plan's
SEED_PRIORITIES = 15
BIG = SEED_PRIORITIES + 1  # the first synthetic priority: 100 actions
FLOOR_BUDGET = 2.0  # budget 2: × the floor command's median
SCALE_BUDGET = 1.3  # budget 3: one priority at 50,000 actions ÷ on the seed plan
WHOLE_PLAN_MS = 50.0  # budget 3: the whole plan at 50,000 actions


@dataclass(frozen=True)
class Case:
    label: str
    command: str
    text: str
    expect: str  # a string the answer must contain, so a fast wrong answer cannot pass
    floor_of: str | None = None  # the /plan text whose prepared answer a /floor posts
    # The plan changes just before (not timed), so the answer is read, not kept
    # (store/plan_cache.py): what the first question after any change costs.
    changed: bool = False


def plan_case(text: str, expect: str) -> Case:
    return Case(f"/plan {text}", "/plan", text, expect)


CHANGED = " after a change"


def changed_case(text: str, expect: str) -> Case:
    return Case(f"/plan {text}{CHANGED}", "/plan", text, expect, changed=True)


def floor_case(text: str, expect: str) -> Case:
    return Case(f"/floor {text}", "/floor", text, expect, floor_of=text)


NOOP = Case("/noop", "/noop", "", '"text": "ok"')
# (the /plan text, what its answer must contain): each with its floor.
FLOORED = (
    ("status 7", "Priority 7"),
    ("status 7.3", "Action 7.3"),
    (f"status {BIG}", f"Priority {BIG}"),
    (f"status {BIG}.3", f"Action {BIG}.3"),
)


def cases_for(priorities: int) -> tuple[Case, ...]:
    """The commands measured on a plan of `priorities` priorities."""
    cases = [NOOP]
    for asked, expect in FLOORED:
        number = int(asked.split()[1].split(".")[0])
        if number <= priorities:
            cases += [
                floor_case(asked, expect),
                plan_case(asked, expect),
                changed_case(asked, expect),
            ]
    cases.append(plan_case("status", "Learning and Improvement Plan"))
    cases.append(changed_case("status", "Learning and Improvement Plan"))
    # The whole-plan scans the grammar is gaining (issue 10); measured once it parses them.
    for verb in ("overdue", "due"):
        if not isinstance(grammar.parse(verb), grammar.Invalid):
            cases.append(plan_case(verb, ""))
    cases.append(plan_case("help", "planbot — /plan"))
    return tuple(cases)


# The stages of a `/plan` answer, timed inside each dispatch; the rest is Bolt and the handler.
# A stage the handler does not call (any more) shows as 0.
STAGES = {
    "query": (bot.status.service, "answer_status"),
    "blocks": (bot.status.service, "answer_blocks"),
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

    def __init__(self, database_url: str, stage_ns: dict[str, int]) -> None:
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
        # The floor: the same answers, prepared once, posted as /plan posts them.
        self.prepared: dict[str, Answer] = {
            asked: answer_command(
                engine=self.engine,
                settings=settings,
                user=self.user,
                text=asked,
                today=TODAY,
                now=clock.now(),
            )
            for asked, _ in FLOORED
        }

        def floor(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
            ack()
            answer_privately(respond, client, command["user_id"], self.prepared[command["text"]])

        self.app.command("/floor")(floor)
        self.requests = SignedRequests(
            signing_secret=SIGNING_SECRET, team_id=TEAM_ID, bot_user_id=BOT_USER_ID
        )
        self.stage_ns = stage_ns  # shared by the rigs: one dispatch runs at a time

    def dispatch(self, case: Case) -> float:
        """Handle one signed command; returns milliseconds (signing the request and the change
        before a `changed` case are not timed)."""
        if case.changed:
            # A committed write to a table every answer reads: SQLite's data version moves and
            # PostgreSQL's trigger notifies, as for any change to the plan.
            with self.engine.begin() as connection:
                connection.execute(text("UPDATE plan SET name = name"))
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
        self.double.reset_requests()

    def close(self) -> None:
        self.double.stop()
        self.engine.dispose()


def _noop(ack: Ack, respond: Respond) -> None:
    """The no-op command: what any command costs before it does any work."""
    ack()
    respond(text="ok", response_type="ephemeral")


@contextlib.contextmanager
def timed_stages(stage_ns: dict[str, int]) -> Iterator[None]:
    """Wrap the stages of a `/plan` answer with a stopwatch, for the breakdown columns."""
    originals = {
        name: getattr(owner, attr) for name, (owner, attr) in STAGES.items() if hasattr(owner, attr)
    }
    for name, function in originals.items():
        owner, attr = STAGES[name]
        setattr(owner, attr, _stopwatch(function, stage_ns, name))
    try:
        yield
    finally:
        for name, function in originals.items():
            owner, attr = STAGES[name]
            setattr(owner, attr, function)


def _stopwatch(function: Callable, totals: dict[str, int], name: str) -> Callable:
    def timed(*args, **kwargs):
        start = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter_ns() - start

    return timed


# --- Running ---------------------------------------------------------------------------------


def measure(
    plans: dict[str, tuple[Rig, tuple[Case, ...]]],
    *,
    repeat: int,
    warmup: int,
    seed: int,
    pause_ms: float = 0,
) -> dict[str, dict[str, Samples]]:
    """`repeat` rounds, each dispatching every case on every plan once, in a shuffled order.

    The plans are measured in the same rounds, so that a comparison across plans (budget 3) sees
    the same machine: on a shared machine the load of one minute is not the next one's. With
    `pause_ms` each dispatch comes after that long idle, as Slack's commands come: seconds apart,
    to a process (and a database server) that has been waiting.
    """
    samples = {
        plan: {case.label: Samples() for case in cases} for plan, (_, cases) in plans.items()
    }
    # Warm-up: first-call costs (imports, statement caches), and each answer checked.
    for plan, (rig, cases) in plans.items():
        for case in cases:
            for _ in range(warmup):
                rig.dispatch(case)
            answer, size = rig.last_answer()
            if case.expect not in answer:
                raise RuntimeError(
                    f"{plan}, {case.label}: the answer lacks {case.expect!r}: {answer[:300]}"
                )
            samples[plan][case.label].answer_bytes = size
        rig.check_answers()
    rng = random.Random(seed)
    order = [(plan, case) for plan, (_, cases) in plans.items() for case in cases]
    stage_ns = next(iter(plans.values()))[0].stage_ns
    with timed_stages(stage_ns):
        for _ in range(repeat):
            rng.shuffle(order)
            for plan, case in order:
                if pause_ms:
                    time.sleep(pause_ms / 1000)
                ms = plans[plan][0].dispatch(case)
                stages = {stage: stage_ns.get(stage, 0) / 1e6 for stage in STAGES}
                taken = samples[plan][case.label]
                taken.total.append(ms)
                for stage, stage_ms in [*stages.items(), ("other", ms - sum(stages.values()))]:
                    taken.stages[stage].append(stage_ms)
                if case.changed:
                    # The change made every kept answer of this plan stale: ask each again
                    # (not timed), so that the kept cases measure kept answers.
                    rig, cases = plans[plan]
                    for again in cases:
                        if again.command == "/plan" and not again.changed:
                            rig.dispatch(again)
    for rig, _ in plans.values():
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


def report(cases: tuple[Case, ...], samples: dict[str, Samples]) -> None:
    """Print one plan's table: each command's times, against the no-op and against its floor."""
    noop = statistics.median(samples[NOOP.label].total)
    columns = [*STAGES, "other"]
    print(
        f"{'command':<32} {'median ms':>9} {'p10 ms':>7} {'p90 ms':>7} {'× no-op':>8} {'× floor':>8}  "
        + " ".join(f"{stage:>7}" for stage in columns)
        + f"   {'answer KB':>9}"
    )
    for case in cases:
        s = samples[case.label]
        median = statistics.median(s.total)
        stages = {name: statistics.median(values) for name, values in s.stages.items()}
        floor = samples.get(f"/floor {case.text}") if case.command == "/plan" else None
        versus = f"{median / statistics.median(floor.total):>7.2f}×" if floor else f"{'':>8}"
        print(
            f"{case.label:<32} {median:>9.1f} {percentile(s.total, 10):>7.1f} {percentile(s.total, 90):>7.1f} "
            f"{median / noop:>7.2f}× {versus}  "
            + " ".join(f"{stages[stage]:>7.1f}" for stage in columns)
            + f"   {s.answer_bytes / 1024:>9.1f}"
        )


def median_of(results: dict[str, dict[str, Samples]], plan: str, label: str) -> float | None:
    samples = results.get(plan, {}).get(label)
    return statistics.median(samples.total) if samples else None


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def summarise(results: dict[str, dict[str, Samples]], actions: dict[str, int]) -> None:
    """Budgets 2 and 3 across the plans of this run."""
    plans = list(results)
    print("\n=== budgets, this run ===")
    print(
        f"budget 2: /plan status N and N.M ÷ the floor posting the same prepared answer (≤ {FLOOR_BUDGET:g}×)"
    )
    print(f"  {'plan':<16}" + "".join(f"{asked:>16}" for asked, _ in FLOORED))
    worst = 0.0
    for plan in plans:
        cells = []
        for asked, _ in FLOORED:
            own = median_of(results, plan, f"/plan {asked}")
            floor = median_of(results, plan, f"/floor {asked}")
            if own is None or floor is None:
                cells.append(f"{'—':>16}")
                continue
            worst = max(worst, own / floor)
            cells.append(f"{own / floor:>15.2f}×")
        print(f"  {plan:<16}" + "".join(cells))
    print(f"  worst {worst:.2f}×: {verdict(worst <= FLOOR_BUDGET)}")
    print("  the first question after a change (read, not kept), ÷ the same floor:")
    for plan in plans:
        cells = []
        for asked, _ in FLOORED:
            own = median_of(results, plan, f"/plan {asked}{CHANGED}")
            floor = median_of(results, plan, f"/floor {asked}")
            cells.append(f"{own / floor:>15.2f}×" if own and floor else f"{'—':>16}")
        print(f"  {plan:<16}" + "".join(cells))

    seed, largest = plans[0], plans[-1]
    # Budget 3 is what reading costs at scale: the answers read after a change, not kept ones.
    print(
        f"budget 3: one priority's answer at {largest} ÷ on the {seed} (≤ {SCALE_BUDGET:g}×; "
        f"read after a change)"
    )
    for asked in ("status 7", "status 7.3"):
        small = median_of(results, seed, f"/plan {asked}{CHANGED}")
        big = median_of(results, largest, f"/plan {asked}{CHANGED}")
        if small and big:
            print(
                f"  /plan {asked:<12} {small:7.1f} ms → {big:7.1f} ms = {big / small:.2f}×: "
                f"{verdict(big / small <= SCALE_BUDGET)}"
            )
    sized = [plan for plan in plans if plan != seed]
    if len(sized) >= 2:
        low, high = sized[0], sized[-1]
        asked = f"status {BIG}"
        a = median_of(results, low, f"/plan {asked}{CHANGED}")
        b = median_of(results, high, f"/plan {asked}{CHANGED}")
        if a and b:
            print(f"  /plan {asked:<12} {a:7.1f} ms → {b:7.1f} ms = {b / a:.2f}× ({low} → {high})")
    print(
        f"budget 3: whole-plan scans grow at most linearly, under {WHOLE_PLAN_MS:g} ms at {largest}"
    )
    for verb in (f"status{CHANGED}", "overdue", "due"):
        label = f"/plan {verb}"
        row = [(plan, median_of(results, plan, label)) for plan in plans]
        row = [(plan, ms) for plan, ms in row if ms is not None]
        if not row:
            continue
        figures = ", ".join(f"{plan} {ms:.1f} ms" for plan, ms in row)
        line = f"  {label:<28} {figures}"
        grow = [(plan, ms) for plan, ms in row if plan != seed]
        if len(grow) >= 2:
            (p1, m1), (p2, m2) = grow[0], grow[-1]
            growth, scale = m2 / m1, actions[p2] / actions[p1]
            line += f"; × {growth:.2f} for × {scale:.2f} the actions ({verdict(growth <= scale)})"
        last = row[-1][1]
        line += f"; at {largest}: {verdict(last <= WHOLE_PLAN_MS)}"
        print(line)


def describe_plan(engine: Engine) -> tuple[int, str]:
    with Session(engine) as session:
        actions = session.exec(select(func.count()).select_from(Action)).one()
        updates = session.exec(select(func.count()).select_from(ProgressUpdate)).one()
    return actions, f"{actions:,} actions, {updates:,} updates"


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


def plan_size(total: int) -> PlanSize:
    """The synthetic part of a plan of about `total` actions on top of the seed plan's 93."""
    priorities = max(0, round((total - SEED_ACTIONS) / 100))
    return PlanSize(priorities=priorities, updates=priorities * 100 * 10)


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


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to run on (a schema is made and dropped per plan); default: SQLite",
    )
    parser.add_argument(
        "--sizes",
        default="10000,50000",
        help="plan sizes in actions, after the seed plan itself (default 10000,50000)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="measured rounds (default 20)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured dispatches of each command first"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seeds the order of commands in each round"
    )
    parser.add_argument(
        "--profile", metavar="TEXT", help="then cProfile `/plan TEXT` on the largest plan"
    )
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0,
        help="idle this long before each measured dispatch, as between Slack's commands "
        "(default 0: back to back)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [0, *(int(n) for n in args.sizes.split(",") if n.strip())]

    print(f"planbot bench_status — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    print(f"code: {code_version()}")
    print(
        f"{args.repeat} rounds of every command on every plan in one shuffled order, after "
        f"{args.warmup} warm-up dispatches each; times are ms per dispatch"
        + (f", each after {args.pause_ms:g} ms idle" if args.pause_ms else "")
    )
    actions: dict[str, int] = {}
    plans: dict[str, tuple[Rig, tuple[Case, ...]]] = {}
    described: dict[str, str] = {}
    stage_ns: dict[str, int] = defaultdict(int)
    with contextlib.ExitStack() as stack:
        for size in sizes:
            url, database = stack.enter_context(bench_database(args.database_url))
            engine = make_engine(url)
            built = build_plan(engine, size=plan_size(size), on_seed=True)
            count, plan = describe_plan(engine)
            engine.dispose()
            name = "seed plan" if size == 0 else f"{count:,} actions"
            rig = Rig(url, stage_ns)
            stack.callback(rig.close)
            plans[name] = (rig, cases_for(SEED_PRIORITIES + built.size.priorities))
            actions[name] = count
            described[name] = f"{database}; built in {built.seconds:.1f} s: {plan}"
        results = measure(
            plans, repeat=args.repeat, warmup=args.warmup, seed=args.seed, pause_ms=args.pause_ms
        )
        for name, (_, cases) in plans.items():
            print(f"\n--- {name}: {described[name]}")
            report(cases, results[name])
        if args.profile:
            rig, _ = plans[list(plans)[-1]]
            profile(rig, plan_case(args.profile, ""), args.repeat)
    summarise(results, actions)


if __name__ == "__main__":
    main()
