"""How well and how fast the reply parser reads the labelled corpus (issue 9, PRODUCT.md §7).

Prints the accuracy table (action attribution, RAG, revised timescale, warnings, false
Completed, and per category) and the throughput: replies understood a second over the whole
corpus, cycled to 20,000 parses, median of 5 runs, against the budget of 5,000 a second, by the
wall clock and by the process's CPU time (on a shared machine the wall clock also measures the
neighbours).

    python bench/bench_parser.py [--parses N] [--runs N] [--misses]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.replies.scoring import load_corpus, parse, score, seed_plan_actions  # noqa: E402

BUDGET = 5_000


def throughput(replies, plan, parses: int) -> tuple[float, float]:
    """Replies understood a second over `parses` parses of the corpus: by the wall clock, and by
    the process's own CPU time (what the parser costs, whatever else the machine is doing)."""
    batch = list(itertools.islice(itertools.cycle(replies), parses))
    wall, cpu = time.perf_counter(), time.process_time()
    for reply in batch:
        parse(reply, plan)
    return parses / (time.perf_counter() - wall), parses / (time.process_time() - cpu)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--parses", type=int, default=20_000)
    arguments.add_argument("--runs", type=int, default=5)
    arguments.add_argument("--misses", action="store_true", help="list every reply read wrongly")
    options = arguments.parse_args()

    replies = load_corpus()
    plan = seed_plan_actions()
    result = score(replies, plan)
    print(f"Reply parser on {len(replies)} labelled replies ({platform.python_version()})\n")
    rows = [
        ("action attribution", result.attribution, 0.98),
        ("RAG", result.rag, 0.95),
        ("revised timescale", result.timescale, 0.95),
        ("warnings", result.warnings, None),
    ]
    print(f"{'measure':<22}{'right':>7}{'of':>6}{'rate':>9}{'target':>9}")
    for name, tally, target in rows:
        goal = f"≥{target:.0%}" if target else ""
        print(f"{name:<22}{tally.right:>7}{tally.total:>6}{tally.rate:>9.1%}{goal:>9}")
    print(f"{'false Completed':<22}{len(result.false_completed):>7}{'':>6}{'':>9}{'0':>9}")
    print(f"\n{'category':<22}{'right':>7}{'of':>6}{'rate':>9}")
    for category, tally in sorted(result.by_category.items()):
        print(f"{category:<22}{tally.right:>7}{tally.total:>6}{tally.rate:>9.1%}")
    if options.misses or result.false_completed:
        print("\nMisses:" if result.misses else "")
        for miss in result.misses:
            print(f"  {miss}")

    parse(replies[0], plan)  # warm the caches the way a running bot has them
    runs = [throughput(replies, plan, options.parses) for _ in range(options.runs)]
    print(f"\nthroughput, median of {options.runs} runs of {options.parses:,} parses:")
    for name, rates in (("wall clock", [r[0] for r in runs]), ("CPU time", [r[1] for r in runs])):
        median = statistics.median(rates)
        print(
            f"  {name:<11}{median:>8,.0f} replies/s (min {min(rates):,.0f}, max "
            f"{max(rates):,.0f}); budget ≥ {BUDGET:,}/s: "
            f"{'met' if median >= BUDGET else 'NOT MET'} ({median / BUDGET:.1f}×)"
        )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(
            f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall clock is shared)"
        )


if __name__ == "__main__":
    main()
