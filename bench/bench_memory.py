"""Resident memory of `planbot run --http` after 500 whole-plan requests at 50,000 actions.

The budget (PRODUCT.md §7, issue 10 budget 4): "`planbot run` stays under 150 MB resident, also
after 500 whole-plan requests at 50,000 actions". This builds the plan (bench/make_plan.py: the
seed plan and synthetic priorities, about 10 updates an action), starts `planbot run --http` as
a subprocess against the local Slack double (SLACK_API_URL, as tests/cli/test_cli.py does), and
posts signed `/plan status` commands to it, `--concurrency` at a time (each answer awaited at the
double before the next is sent). Resident memory is read from /proc/PID/status: VmRSS when idle,
after every 100 answers, and VmHWM (the peak) at the end; and its thread count.

    python bench/bench_memory.py [--database-url URL] [--actions 50000] [--requests 500]
                                 [--concurrency 10]

Figures are printed, never asserted. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench_status import bench_database, code_version, describe_plan, machine, plan_size
from make_plan import build_plan

from bot.slack_double import SignedRequests, SlackDouble
from store.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-memory-secret"
BUDGET_MB = 150.0


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB, and its thread count."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
        elif key == "Threads":
            figures[key] = int(value)
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (a schema is made and dropped)")
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()

    with bench_database(args.database_url) as (url, database), SlackDouble() as double:
        engine = make_engine(url)
        built = build_plan(engine, size=plan_size(args.actions), on_seed=True)
        _, plan = describe_plan(engine)
        engine.dispose()
        port = free_port()
        folder = tempfile.mkdtemp(prefix="planbot-memory-")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PLANBOT_", "SLACK_"))},
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": double.api_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1"]
            + ["--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        signer = SignedRequests(
            signing_secret=SECRET, team_id=double.team_id, bot_user_id=double.bot_user_id
        )
        user = double.add_user("bench.reader")
        channel = double.dm_channel(user)
        endpoint = f"http://127.0.0.1:{port}/slack/events"

        def post(text: str) -> None:
            request = signer.command(
                user,
                text,
                channel_id=channel,
                response_url=double.new_response_url(user, channel),
            )
            status, _ = request.post(endpoint, timeout=30)
            if status != 200:
                raise RuntimeError(f"/plan {text} was answered HTTP {status}")

        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    post("help")
                    break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError(process.stderr.read()) from None
                    if time.monotonic() > deadline:
                        raise RuntimeError("planbot run --http did not start") from None
                    time.sleep(0.2)
            while len(double.requests_for("response")) < 1:
                time.sleep(0.05)
            # The scheduler's jobs that run at start (the inbox's redrive; the digest's monthly
            # snapshots, which freeze every month since the plan began on a fresh database)
            # settle first: idle is taken once resident memory has not moved for 5 s.
            idle, steady, waited = memory(process.pid), 0, time.monotonic()
            while steady < 10 and time.monotonic() - waited < 180:
                time.sleep(0.5)
                now = memory(process.pid)
                steady = steady + 1 if abs(now["VmRSS"] - idle["VmRSS"]) < 0.5 else 0
                idle = now
            print(f"planbot bench_memory — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
            print(f"machine: {machine()}")
            print(f"code: {code_version()}")
            print(f"database: {database}; built in {built.seconds:.1f} s: {plan}")
            print(
                f"{args.requests} × /plan status (the whole plan) to `planbot run --http`, "
                f"{args.concurrency} at a time\n"
            )
            print(
                f"{'after answers':>14} {'RSS MB':>8} {'peak MB':>8} {'seconds':>8} {'threads':>8}"
            )
            print(
                f"{'0 (idle)':>14} {idle['VmRSS']:>8.1f} {idle['VmHWM']:>8.1f} {0:>8.1f} "
                f"{idle['Threads']:>8}"
            )
            started = time.perf_counter()
            sent = 0
            with ThreadPoolExecutor(args.concurrency) as pool:
                while sent < args.requests:
                    batch = min(args.concurrency, args.requests - sent)
                    before = len(double.requests_for("response"))
                    list(pool.map(post, ["status"] * batch))
                    while len(double.requests_for("response")) < before + batch:
                        if process.poll() is not None:
                            raise RuntimeError(process.stderr.read())
                        time.sleep(0.01)
                    sent += batch
                    if sent % 100 == 0 or sent == args.requests:
                        now = memory(process.pid)
                        print(
                            f"{sent:>14} {now['VmRSS']:>8.1f} {now['VmHWM']:>8.1f} "
                            f"{time.perf_counter() - started:>8.1f} {now['Threads']:>8}"
                        )
            refused = [r for r in double.requests_for("response") if r.status != 200]
            if refused:
                raise RuntimeError(f"{len(refused)} answers were refused by the double")
            final = memory(process.pid)
            verdict = "met" if final["VmRSS"] < BUDGET_MB else "NOT MET"
            print(
                f"\nbudget 4: RSS after {args.requests} whole-plan requests {final['VmRSS']:.1f} MB "
                f"(< {BUDGET_MB:g} MB): {verdict}; peak {final['VmHWM']:.1f} MB, "
                f"idle {idle['VmRSS']:.1f} MB"
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
