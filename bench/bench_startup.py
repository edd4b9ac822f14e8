"""How long the `planbot` command takes to start, against `python -c pass` in the same run.

The budget (PRODUCT.md §7, issue 10 budget 5): `planbot --help` within 4× and `planbot status 7`
on the seed plan within 8× of `python -c pass`. Each is a fresh process (the interpreter's start,
the imports, the work, the exit), run as `python -m bot.cli …` with the same interpreter, in a
temporary folder holding a SQLite database with the bundled seed plan (`planbot init`). Rounds
run the three in a shuffled order so that the machine's noise falls on all of them alike; the
figures are medians of wall time. The libraries that settings and the store are built on are
timed alone too, for reference: what a command that reads the plan cannot cost less than. `-X importtime` of each planbot command is then summarised: the
slowest top-level imports, which is where start-up goes.

    python bench/bench_startup.py [--repeat N]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_status import code_version, machine, percentile

ROOT = Path(__file__).resolve().parents[1]
PROBES = {
    "python -c pass": (["-c", "pass"], None),
    "planbot --help": (["-m", "bot.cli", "--help"], 4.0),
    "planbot status 7": (["-m", "bot.cli", "status", "7", "--today", "2018-11-20"], 8.0),
    # References, no budget: the libraries the design card chose for settings (pydantic-settings)
    # and the store (SQLModel on SQLAlchemy), imported alone. Any command that reads the plan
    # through them costs at least these.
    "import pydantic_settings": (["-c", "import pydantic_settings"], None),
    "import sqlmodel": (["-c", "import sqlmodel"], None),
    "import both": (["-c", "import pydantic_settings, sqlmodel"], None),
}


def run(args: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=cwd, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1e3


def import_times(args: list[str], env: dict[str, str], cwd: str, top: int = 8) -> list[str]:
    """The `top` slowest imports that no other planbot import pulled in (cumulative µs)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue
        depth = (len(name) - len(name.lstrip())) // 2
        if depth == 0:  # a top-level import: what the command itself asked for
            rows.append((int(cumulative), name.strip()))
    return [f"{us / 1000:7.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="rounds (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planbot-startup-") as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PLANBOT_", "SLACK_"))},
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'seed.db'}",
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "init", "--today", "2018-11-20"],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        for args_, _ in PROBES.values():  # warm the file cache and the bytecode
            run(args_, env, folder)
        samples: dict[str, list[float]] = {label: [] for label in PROBES}
        rng = random.Random(args.seed)
        order = list(PROBES)
        for _ in range(args.repeat):
            rng.shuffle(order)
            for label in order:
                samples[label].append(run(PROBES[label][0], env, folder))
        print(f"planbot bench_startup — {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
        print(f"machine: {machine()}")
        print(f"code: {code_version()}")
        print(f"{args.repeat} rounds, shuffled; wall ms per process; seed plan in SQLite\n")
        base = statistics.median(samples["python -c pass"])
        print(
            f"{'command':<24} {'median ms':>9} {'p10 ms':>7} {'p90 ms':>7} {'× python':>9}  budget"
        )
        for label, (_, budget) in PROBES.items():
            values = samples[label]
            median = statistics.median(values)
            verdict = (
                f"≤ {budget:g}×: {'met' if median / base <= budget else 'NOT MET'}"
                if budget
                else ""
            )
            print(
                f"{label:<24} {median:>9.1f} {percentile(values, 10):>7.1f} "
                f"{percentile(values, 90):>7.1f} {median / base:>8.2f}×  {verdict}"
            )
        for label, (args_, budget) in PROBES.items():
            if budget:
                print(f"\nslowest top-level imports of {label} (-X importtime, one run):")
                print("\n".join(f"  {row}" for row in import_times(args_, env, folder)))


if __name__ == "__main__":
    main()
