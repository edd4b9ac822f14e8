"""How long building the committee digest, with its chart, takes on 10,000 actions.

The budget (the product specification's performance section): "A digest (with chart) for
10,000 actions builds in under 1 s." This builds the synthetic plan once (bench/make_plan.py:
10,000 actions over 100 priorities, 100,000 updates, their RAG and timescale changes) in a
temporary database, then times, over --repeat runs:

- build:   build_digest(): every read from the store and the digest's figures;
- prepare: the Slack messages (blocks and their preformatted fallbacks);
- chart:   the PNG (matplotlib, Agg), imported once before timing (`cold` shows the import);
- total:   the three together, which is what the budget is about.

Two cases: "frozen", past months frozen (the running bot's case: each month is frozen at its
end), and "history", no month frozen, so that thirty months are worked out from the RAG history
(a bot coming back after a long outage, or a preview before the first freeze).

    python bench/bench_digest.py [--database-url URL] [--repeat N]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from make_plan import TODAY, build_plan

from bot.settings import Settings
from store.engine import make_engine

BUDGET = 1.0  # seconds


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def run_case(engine, settings: Settings, today: date, repeat: int) -> dict[str, list[float]]:
    from bot.digest.chart import render_chart
    from bot.digest.messages import prepare
    from bot.digest.service import build_digest

    times: dict[str, list[float]] = {"build": [], "prepare": [], "chart": [], "total": []}
    for _ in range(repeat):
        digest, built = _timed(lambda: build_digest(engine=engine, settings=settings, today=today))
        png, drawn = _timed(lambda digest=digest: render_chart(digest))
        prepared, composed = _timed(lambda digest=digest, png=png: prepare(digest, png))
        assert prepared.chart and len(digest.outline.priorities) == 100
        times["build"].append(built)
        times["prepare"].append(composed)
        times["chart"].append(drawn)
        times["total"].append(built + composed + drawn)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        built = build_plan(engine)
        print(
            f"plan: {built.size.actions:,} actions, {built.size.updates:,} updates, "
            f"{built.rag_changes:,} RAG changes; built in {built.seconds:.1f} s ({engine.dialect.name})"
        )
        settings = Settings(_env_file=None, database_url=url)
        from bot.digest.chart import render_chart
        from bot.digest.service import build_digest, freeze_months

        _, cold = _timed(
            lambda: render_chart(build_digest(engine=engine, settings=settings, today=TODAY))
        )
        print(f"first digest with chart, matplotlib imported cold: {cold * 1000:.0f} ms")
        results = {"history": run_case(engine, settings, TODAY, args.repeat)}
        frozen = freeze_months(engine=engine, settings=settings, today=TODAY)
        results["frozen"] = run_case(engine, settings, TODAY, args.repeat)
        print(f"\nmedian of {args.repeat} runs (ms); months frozen for 'frozen': {len(frozen)}")
        print(f"{'case':<9}{'build':>8}{'prepare':>9}{'chart':>8}{'total':>8}  budget")
        for case, times in results.items():
            m = {k: statistics.median(v) * 1000 for k, v in times.items()}
            verdict = "ok" if m["total"] < BUDGET * 1000 else "OVER"
            print(
                f"{case:<9}{m['build']:>8.0f}{m['prepare']:>9.0f}{m['chart']:>8.0f}"
                f"{m['total']:>8.0f}  {verdict} (< {BUDGET * 1000:.0f} ms)"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
