"""Sending 1,000 DMs through the Slack double with its rate limits on: none lost, none repeated,
and at least 90% of the rate Slack allows.

The budget (the product specification's performance section): "sending 1,000 DMs through the
double with Slack's rate limits on loses or repeats none and reaches at least 90% of the allowed
rate." The allowed rate is the double's assumed workspace-wide limit on chat.postMessage
(RateLimits().post_message_per_workspace: 300 a minute, bursts of 10).

How: 1,000 people are added to the double, a DM for each is planned in the outbox of a fresh
temporary SQLite database (store.outbox.insert_if_absent, one row per key, as the reminders
plan them), and the real sender (bot.slack.sender.deliver) drains it through the production
WebClient (make_client: RateLimitErrorRetryHandler, no blind resends) with the production
Pacer's rate and burst (make_deps(paced=True)). deliver() is called again, as the scheduler's
tick would, until nothing is left to send.

Time runs `--scale` times faster than the wall clock (default 10), so that 1,000 DMs at Slack's
~5 a second take ~20 s, not ~3.5 minutes. One "Slack time" (SlackTime below) is shared by
everything that counts seconds: the double's rate limiter, the pacer, the client's wait on
Retry-After, the sender's clock (its not_before after a 429) and the elapsed time reported.
Scaling the clock rather than the limits (RateLimits().scaled(k)) keeps Retry-After honest:
the double answers it in whole seconds, and with scaled limits but real seconds a 1 s
Retry-After would cost k seconds of Slack time. What does not scale is the sender's own work
per DM (database, HTTP to the double, the double itself): it costs `scale` times more in Slack
time, so the scale must leave it well inside Slack's 200 ms between messages. The figures say
how much of that interval it took; a higher --scale that eats the interval measures the
machine, not the pacing. For the same reason the databases go on /dev/shm (--dir to change):
each DM commits three times, and on disk an fsync each took ~4 ms here, times the scale.

Variants, each on a fresh double and database:

- paced (the production default): the pacer at PLANBOT_POSTS_PER_MINUTE (280), burst 10, and
  the client waiting out any 429's Retry-After (at most 3 times, then the sender holds the row).
- unpaced: no pacer; only the client's waiting out 429s keeps the sender under the limit.
- unpaced, no client retry: no pacer and a client without retry handlers, so every 429 reaches
  the sender, which holds the row back until Retry-After has passed and retries it on a later
  deliver(). This shows the sender's own 429 path; it is cut off after --cutoff times the time
  the allowed rate needs.

    python bench/bench_fanout.py [--dms N] [--scale K] [--cutoff X] [--dir D] [--only NAME]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import platform
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from sqlmodel import Session, func, select

from bot.background import Background
from bot.deps import Deps, make_deps
from bot.settings import Settings
from bot.slack.client import make_client
from bot.slack.pacing import Pacer
from bot.slack.sender import deliver
from bot.slack_double import RateLimits, SlackDouble
from store import outbox
from store.engine import make_engine, migrate, transaction
from store.models import Outbox

START = datetime(2019, 6, 12, 8, 0, tzinfo=UTC)  # a Wednesday morning, before the reminders
BUDGET_RATE = 0.90  # of the allowed rate
POST = "chat.postMessage"


class SlackTime:
    """Seconds as Slack counts them, running `scale` times faster than the wall clock.

    One instance is the monotonic clock of the double's rate limiter and of the pacer, the
    sleep of the pacer and of the client's retry handler, and the calendar (Clock) of the
    sender and the double, so that every party agrees how long a second is.
    """

    def __init__(self, scale: float, start: datetime = START) -> None:
        self.scale = scale
        self._start = start
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.monotonic())


class ScaledRateLimitRetry(RateLimitErrorRetryHandler):
    """slack_sdk's RateLimitErrorRetryHandler, sleeping Retry-After (+ its jitter of up to a
    second) in Slack time instead of real seconds; otherwise the same."""

    def __init__(self, slack_time: SlackTime, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._slack_time = slack_time
        self.waited = 0.0  # Slack seconds spent waiting out 429s

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error  # as slack_sdk does: only a 429 response is retried
        state.next_attempt_requested = True
        retry_after = next(
            (values for name, values in response.headers.items() if name.lower() == "retry-after"),
            None,
        )
        seconds = (int(retry_after[0]) if retry_after else 1) + random.random()
        self.waited += seconds
        self._slack_time.sleep(seconds)
        state.increment_current_attempt()


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    paced: bool
    client_retries: bool


VARIANTS = (
    Variant("paced", "paced + client waits out 429s (production)", True, True),
    Variant("unpaced", "no pacer, client waits out 429s", False, True),
    Variant("raw", "no pacer, no client retry (sender holds 429'd rows)", False, False),
)


@dataclass
class Outcome:
    planned: int
    sent: int
    duplicates: int  # extra messages beyond one in a person's DM
    lost: int  # planned DMs with no message in the person's DM
    stray: int  # messages whose outbox key is not the recipient's
    statuses: dict[str, int]
    throttled: dict[str, int]  # 429s per method
    calls: dict[str, int]  # requests per method
    elapsed: float  # Slack seconds from the first deliver() to the last DM posted
    passes: int
    work_per_dm: float  # real seconds of the sender's own work per DM (not waiting)
    waited_pacer: float  # Slack seconds
    waited_retry: float  # Slack seconds
    cut_off: bool


def _client(settings: Settings, slack_time: SlackTime, retries: bool) -> WebClient:
    """The production client with its retry handler's sleep moved into Slack time."""
    client = make_client(settings)
    production = [h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)]
    # A guard, so that the bench notices when the production client changes shape.
    if len(production) != 1 or len(client.retry_handlers) != 1:
        raise SystemExit(f"make_client's retry handlers changed: {client.retry_handlers!r}")
    client.retry_handlers = (
        [ScaledRateLimitRetry(slack_time, production[0].max_retry_count)] if retries else []
    )
    return client


class TimedPacer(Pacer):
    """The production Pacer, counting the Slack seconds it makes the sender wait."""

    def __init__(self, rate: float, burst: int, slack_time: SlackTime) -> None:
        self.waited = 0.0
        self._slack_time = slack_time
        super().__init__(rate, burst, monotonic=slack_time.monotonic, sleep=self._timed_sleep)

    def _timed_sleep(self, seconds: float) -> None:
        self.waited += seconds
        self._slack_time.sleep(seconds)


def run(variant: Variant, dms: int, scale: float, cutoff: float, folder: Path) -> Outcome:
    slack_time = SlackTime(scale)
    limits = RateLimits()
    double = SlackDouble(clock=slack_time, rate_limits=limits, monotonic=slack_time.monotonic)
    double.start()
    engine = None
    try:
        people = [double.add_user(f"lead.{n:04d}") for n in range(dms)]
        url = f"sqlite:///{folder / f'{variant.name}.db'}"
        engine = make_engine(url)
        migrate(engine)
        settings = Settings(
            _env_file=None,
            database_url=url,
            slack_api_url=double.api_url,
            slack_bot_token=double.bot_token,
        )
        client = _client(settings, slack_time, variant.client_retries)
        deps = make_deps(
            settings,
            engine=engine,
            clock=slack_time,
            client=client,
            background=Background.inline(),
        )
        # The production pacer's rate and burst, counted in Slack time.
        pacer = TimedPacer(deps.pacer.rate, deps.pacer.burst, slack_time) if variant.paced else None
        keys = _plan(deps, people)
        double.reset_requests()  # count only the sending
        return _drain(deps, double, pacer, people, keys, slack_time, limits, cutoff)
    finally:
        double.stop()
        if engine is not None:
            engine.dispose()


def _plan(deps: Deps, people: list[str]) -> dict[str, str]:
    """One reminder-like DM per person, planned as the reminders plan them; key by person."""
    keys = {}
    with transaction(deps.engine) as session:
        for n, person in enumerate(people):
            key = f"reminder:{person}:{START.date().isoformat()}"
            text = f"Good morning: action {n // 10 + 1}.{n % 10 + 1} is due for an update."
            outbox.insert_if_absent(
                session=session,
                key=key,
                kind="reminder",
                recipient=person,
                payload={
                    "text": text,
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                    "metadata": {"event_type": "planbot_reminder", "event_payload": {"n": n}},
                },
                at=deps.clock.now(),
            )
            keys[person] = key
    return keys


def _drain(
    deps: Deps,
    double: SlackDouble,
    pacer: TimedPacer | None,
    people: list[str],
    keys: dict[str, str],
    slack_time: SlackTime,
    limits: RateLimits,
    cutoff: float,
) -> Outcome:
    allowed = limits.post_message_per_workspace.per_second
    deadline = slack_time.monotonic() + cutoff * len(people) / allowed
    started = slack_time.monotonic()
    real_started = time.monotonic()
    passes, cut_off = 0, False
    while True:
        passes += 1
        deliver(deps, pacer=pacer)
        wait = _until_next_due(deps, slack_time)
        if wait is None:
            break  # nothing pending: all sent or given up
        if slack_time.monotonic() + wait > deadline:
            cut_off = True
            break
        # The scheduler ticks every few minutes; ticking as soon as a held row is due is the
        # sender's best case, so that only its own handling of 429s is measured.
        slack_time.sleep(wait)
    real_elapsed = time.monotonic() - real_started
    retry = next(iter(deps.client.retry_handlers), None)
    posts = double.requests_for(POST)
    messages = {person: double.messages(double.dm_channel(person)) for person in people}
    waited_pacer = pacer.waited if pacer else 0.0
    waited_retry = retry.waited if isinstance(retry, ScaledRateLimitRetry) else 0.0
    with Session(deps.engine) as session:
        statuses = dict(
            session.exec(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
        )
    sent = sum(1 for m in messages.values() if m)
    end = _last_post(posts, started)
    waited_real = (waited_pacer + waited_retry) / slack_time.scale
    return Outcome(
        planned=len(keys),
        sent=sum(len(m) for m in messages.values()),
        duplicates=sum(max(0, len(m) - 1) for m in messages.values()),
        lost=len(people) - sent,
        stray=sum(
            1
            for person, ms in messages.items()
            for m in ms
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("outbox_key")
            != keys[person]
        ),
        statuses=statuses,
        throttled=dict(collections.Counter(r.method for r in double.rate_limited())),
        calls=dict(collections.Counter(r.method for r in double.requests)),
        elapsed=end,
        passes=passes,
        work_per_dm=max(0.0, real_elapsed - waited_real) / max(1, len(posts)),
        waited_pacer=waited_pacer,
        waited_retry=waited_retry,
        cut_off=cut_off,
    )


def _last_post(posts: list, started: float) -> float:
    """Slack seconds from the start to the last successful chat.postMessage."""
    # The double stamps requests with its Clock, which is the same Slack time.
    last = max((r.at for r in posts if r.status == 200), default=None)
    if last is None:
        return float("nan")
    return (last - START).total_seconds() - started


def _until_next_due(deps: Deps, slack_time: SlackTime) -> float | None:
    """Slack seconds until the earliest held-back row is due; None when none is pending."""
    with Session(deps.engine) as session:
        pending = session.exec(
            select(func.count(), func.count(Outbox.not_before), func.min(Outbox.not_before)).where(
                Outbox.status == "pending"
            )
        ).one()
    count, held, earliest = pending
    if not count:
        return None
    if held < count or earliest is None:
        return 0.0  # a row is due now
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    return max(0.0, (earliest - slack_time.now()).total_seconds())


def report(variant: Variant, outcome: Outcome, limits: RateLimits, scale: float) -> None:
    allowed = limits.post_message_per_workspace.per_second
    rate = outcome.sent / outcome.elapsed if outcome.elapsed == outcome.elapsed else 0.0
    fraction = rate / allowed
    interval_used = outcome.work_per_dm * scale * allowed
    exact = outcome.lost == 0 and outcome.duplicates == 0 and outcome.stray == 0
    verdict = "MET" if exact and fraction >= BUDGET_RATE and not outcome.cut_off else "NOT MET"
    print(f"\n{variant.label}")
    print(
        f"  DMs planned {outcome.planned:,}   in Slack: {outcome.sent:,} messages   "
        f"duplicates {outcome.duplicates}   lost {outcome.lost}   wrong DM {outcome.stray}"
    )
    print(f"  outbox rows: {_counts(outcome.statuses)}")
    print(f"  429s: {_counts(outcome.throttled) or 'none'}   calls: {_counts(outcome.calls)}")
    print(
        f"  elapsed {outcome.elapsed:.1f} Slack-s ({outcome.elapsed / scale:.1f} s real) in "
        f"{outcome.passes} deliver() pass(es){'  CUT OFF' if outcome.cut_off else ''}"
    )
    print(
        f"  waited: pacer {outcome.waited_pacer:.1f} s, Retry-After {outcome.waited_retry:.1f} s"
        f"; sender's own work {outcome.work_per_dm * 1000:.1f} ms real a DM = "
        f"{interval_used:.0%} of Slack's interval at ×{scale:g}"
    )
    print(
        f"  rate {rate * 60:.0f}/min vs allowed {allowed * 60:.0f}/min = {fraction:.1%}   "
        f"budget: 0 lost, 0 repeated, ≥ {BUDGET_RATE:.0%}: {verdict}"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dms", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=10.0, help="Slack time ÷ wall clock")
    parser.add_argument(
        "--cutoff", type=float, default=2.0, help="stop a variant after X × the allowed time"
    )
    parser.add_argument("--dir", help="where the temporary databases go (default /dev/shm)")
    parser.add_argument("--only", choices=[v.name for v in VARIANTS], action="append")
    args = parser.parse_args()
    # The sender logs every give-up; the counts below say it once.
    logging.basicConfig(level=logging.CRITICAL)

    limits = RateLimits()
    workspace = limits.post_message_per_workspace
    settings = Settings(_env_file=None)
    print(f"planbot bench_fanout — {args.dms:,} DMs through the double with Slack's rate limits on")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        f"double's limits: chat.postMessage {workspace.per_second * 60:.0f}/min across the "
        f"workspace (burst {workspace.burst}), "
        f"{limits.post_message_per_channel.per_second * 60:.0f}/min per channel; "
        f"pacer {settings.planbot_posts_per_minute}/min (PLANBOT_POSTS_PER_MINUTE), burst 10 "
        "(make_deps)"
    )
    # The allowed rate's burst lets a perfect sender beat the steady rate a little.
    ideal = (args.dms - workspace.burst) / workspace.per_second
    print(
        f"time runs ×{args.scale:g}: every figure below is in Slack seconds unless it says real; "
        f"at the allowed rate {args.dms:,} DMs need {ideal:.0f} Slack-s after the burst, "
        f"so a perfect sender reaches {args.dms / ideal / workspace.per_second:.1%}"
    )
    chosen = [v for v in VARIANTS if not args.only or v.name in args.only]
    # The database goes on tmpfs where there is one: each DM costs three commits, and an fsync
    # each (~4 ms here on disk) would be multiplied by the scale along with the rest (see above).
    where = args.dir or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    with tempfile.TemporaryDirectory(prefix="planbot-fanout-", dir=where) as folder:
        print(f"database: a fresh SQLite file per variant in {where or tempfile.gettempdir()}")
        for variant in chosen:
            outcome = run(variant, args.dms, args.scale, args.cutoff, Path(folder))
            report(variant, outcome, limits, args.scale)
    print(
        "\nProduction default: paced (make_deps(paced=True), the pacer at "
        "PLANBOT_POSTS_PER_MINUTE) with make_client's RateLimitErrorRetryHandler."
    )


if __name__ == "__main__":
    main()
