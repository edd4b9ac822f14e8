"""What one visit to the database costs after an idle pause, against what budget 2 leaves for it.

Budget 2 (PRODUCT.md §7, issue 10) puts `/plan status N` within 2× a floor command that posts the
same prepared answer: the reads and the blocks may cost at most what the floor costs (1.2-2.0 ms
in bench_status.py). A status answer reads the store at least once; on PostgreSQL that is a
round trip to another process. This bench times, after idle pauses of several lengths (Slack's
commands arrive seconds apart, so the bot is always answering from idle):

- `select 1`, one round trip and nothing else: the least any PostgreSQL answer can cost;
- priority 7's two reads as planbot sends them (`read_together`: pipeline mode), and the same two
  sent one after the other; likewise action 7.3's six;
- the same two reads on SQLite, in the process.

Each probe runs on its own psycopg connection in autocommit (as `store.engine.reading` does),
after warm-up executions so the server has prepared the statements. For each pause the probes
take turns, in a fixed order, each after its own pause. Figures are medians of the round's
probes, in ms, printed, never asserted.

    python bench/bench_round_trip.py --database-url postgresql+psycopg://… [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable

import psycopg
from bench_status import bench_database, code_version, machine
from make_plan import build_plan
from sqlalchemy import make_url

from store.engine import make_engine
from store.plan import (
    _ACTION_BY_REF,
    _ACTIONS_OF_PRIORITY,
    _HISTORY_OF,
    _OPEN_ESCALATION_OF,
    _PEOPLE_OF,
    _PRIORITY_BY_NUMBER,
    _PRIORITY_WITH_MEASURES,
    _UNDECIDED_OF,
)

PAUSES_MS = (0, 1, 5, 20, 50, 100, 500)
# What `priority_view` and `action_detail` send together.
PRIORITY_7 = ((_PRIORITY_WITH_MEASURES, {"number": 7}), (_ACTIONS_OF_PRIORITY, {"number": 7}))
ACTION_7_3 = (
    (_ACTION_BY_REF, {"ref": "7.3"}),
    (_PRIORITY_BY_NUMBER, {"number": 7}),
    (_OPEN_ESCALATION_OF, {"ref": "7.3"}),
    (_PEOPLE_OF, {"ref": "7.3"}),
    (_UNDECIDED_OF, {"ref": "7.3"}),
    (_HISTORY_OF, {"ref": "7.3"}),
)


def _reads(engine, queries) -> list[tuple[str, dict]]:
    """The statements and parameters as the driver gets them."""
    return [query.prepared(engine.dialect, params) for query, params in queries]


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_probes(url: str) -> dict[str, Callable[[], None]]:
    engine = make_engine(url)
    answers = {"priority 7": _reads(engine, PRIORITY_7), "action 7.3": _reads(engine, ACTION_7_3)}
    engine.dispose()

    def connect() -> psycopg.Connection:
        return psycopg.connect(_libpq_url(url), autocommit=True)

    first = connect()

    def select_1() -> None:
        first.execute("select 1").fetchall()

    def pipelined(reads, conn) -> Callable[[], None]:
        def probe() -> None:
            cursors = [conn.cursor() for _ in reads]
            with conn.pipeline():
                for cursor, (sql, values) in zip(cursors, reads, strict=True):
                    cursor.execute(sql, values)
            for cursor in cursors:
                cursor.fetchall()

        return probe

    def one_by_one(reads, conn) -> Callable[[], None]:
        def probe() -> None:
            for sql, values in reads:
                conn.execute(sql, values).fetchall()

        return probe

    probes = {"PostgreSQL select 1": select_1}
    for name, reads in answers.items():
        probes[f"PostgreSQL {name}, pipelined"] = pipelined(reads, connect())
        probes[f"PostgreSQL {name}, one by one"] = one_by_one(reads, connect())
    return probes


def sqlite_probe(url: str) -> dict[str, Callable[[], None]]:
    engine = make_engine(url)
    reads = _reads(engine, PRIORITY_7)
    connection = engine.raw_connection()

    def both() -> None:
        cursor = connection.cursor()
        for sql, values in reads:
            cursor.execute(sql, values)
            cursor.fetchall()
        cursor.close()

    return {"SQLite priority 7 (in the process)": both}


def measure(probes: dict[str, Callable[[], None]], repeat: int) -> dict[tuple[str, int], float]:
    for probe in probes.values():
        for _ in range(20):  # past psycopg's prepare threshold (5), and warm
            probe()
    times: dict[tuple[str, int], list[float]] = {}
    for pause in PAUSES_MS:
        for _ in range(repeat):
            for name, probe in probes.items():
                time.sleep(pause / 1000)
                started = time.perf_counter()
                probe()
                times.setdefault((name, pause), []).append((time.perf_counter() - started) * 1e3)
    return {key: statistics.median(values) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL to run on")
    parser.add_argument("--repeat", type=int, default=30, help="probes per pause (default 30)")
    args = parser.parse_args()
    print(f"planbot bench_round_trip — machine: {machine()}; code: {code_version()}")
    with contextlib.ExitStack() as stack:
        probes: dict[str, Callable[[], None]] = {}
        for url in (args.database_url, None):
            plan_url, described = stack.enter_context(bench_database(url))
            engine = make_engine(plan_url)
            build_plan(engine, on_seed=True)
            engine.dispose()
            print(f"database: {described} (the seed plan)")
            probes |= postgres_probes(plan_url) if url else sqlite_probe(plan_url)
        medians = measure(probes, args.repeat)
    width = max(len(name) for name in probes)
    print(f"\nmedian ms after an idle pause of … ms ({args.repeat} probes each)")
    print(f"{'':{width}}" + "".join(f"{pause:>8}" for pause in PAUSES_MS))
    for name in probes:
        print(f"{name:{width}}" + "".join(f"{medians[name, p]:8.2f}" for p in PAUSES_MS))


if __name__ == "__main__":
    main()
