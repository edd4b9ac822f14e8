"""A synthetic plan for the benchmarks: 10,000 actions and 100,000 progress updates, seeded.

The rows go in through the store's own models in a few bulk inserts (one transaction), so a
plan of this size builds in seconds on SQLite and PostgreSQL alike. The shape follows the
bundled seed plan: action texts of 40-260 characters, one or two lead roles each (from a pool of
200), timescales over 2018-2020 (some revised, with their change recorded), a mix of RAG ratings
with their changes, and about ten progress updates per action spread from the plan's start to
"today", a few of them retracted.

    python bench/make_plan.py sqlite:///big.db      # then: DATABASE_URL=sqlite:///big.db planbot status 7
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlmodel import select

from bot.plan.rag import Rag
from bot.plan.specs import SECTIONS
from store.engine import make_engine, migrate, transaction
from store.models import (
    Action,
    ActionLead,
    LeadRole,
    Plan,
    Priority,
    ProgressUpdate,
    RagChange,
    Section,
    TimescaleChange,
    metadata,
)

SEED = 20181101
PLAN_WRITTEN = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
TODAY = date(2020, 6, 30)  # the benchmarks' clock: updates stop here, timescales run to 2020-12-31
TIMESCALES = (date(2018, 1, 1), date(2020, 12, 31))

# Words the seed plan uses, strung together into texts of the lengths it has.
VOCABULARY = """
ensure review audit social workers managers children families timely assessment plans
quality assurance supervision caseloads strategy discussion threshold MASH early help
permanence care leavers placement stability independent reviewing officers multi-agency
partners performance report monthly evidence training practice standards escalation
safeguarding board return interviews missing exploitation pathway panel scrutiny feedback
voice of the child recording chronology visits statutory compliance workforce recruitment
retention agency staff dashboard data tracker lead committee oversight improvement
"""
WORDS = VOCABULARY.split()
ROLE_TITLES = (
    "Service Manager",
    "Team Manager",
    "Head of Service",
    "Principal Social Worker",
    "Practice Lead",
    "Quality Assurance Lead",
    "Performance Manager",
    "Workforce Lead",
    "Strategic Lead",
    "Director",
)
ROLE_AREAS = (
    "ICRT",
    "MASH",
    "Early Help",
    "Children in Care",
    "Care Leavers",
    "Fostering",
    "Adoption",
    "Child Protection",
    "Disabilities",
    "Youth Offending",
    "Edge of Care",
    "Safeguarding Unit",
    "Workforce Development",
    "Commissioning",
    "Business Support",
    "Legal",
    "Health",
    "Education",
    "Placements",
    "Residential",
)
RAG_WEIGHTS = {Rag.RED: 20, Rag.AMBER: 25, Rag.GREEN: 25, Rag.COMPLETED: 20, Rag.UNRATED: 10}
SOURCES = {"reply": 60, "button": 10, "command": 10, "import": 20}


@dataclass(frozen=True)
class PlanSize:
    priorities: int = 100
    actions_per_priority: int = 100
    updates: int = 100_000
    roles: int = 200

    @property
    def actions(self) -> int:
        return self.priorities * self.actions_per_priority


@dataclass(frozen=True)
class BuiltPlan:
    size: PlanSize
    rag_changes: int
    timescale_changes: int
    seconds: float


def build_plan(
    engine: Engine, *, size: PlanSize = PlanSize(), seed: int = SEED, on_seed: bool = False
) -> BuiltPlan:
    """Migrate the database and write the synthetic plan into it, in one transaction.

    With `on_seed` the bundled seed plan is loaded first (as `planbot init` does) and given
    updates of its own, the same whatever the size; the synthetic priorities are numbered after
    its own. Its priority 7 is then the same answer in a plan of any size: what budget 3 compares.
    """
    started = time.perf_counter()
    migrate(engine)
    rng = random.Random(seed)
    with transaction(engine) as session:
        first = 1
        if on_seed:
            seed_actions = _load_seed_plan(session)
            first = 1 + max(session.exec(select(Priority.number)).all())
        else:
            session.add(
                Plan(
                    name="Synthetic improvement plan",
                    organisation="Bench Council",
                    loaded_at=PLAN_WRITTEN,
                    source="bench/make_plan.py",
                )
            )
            session.execute(
                insert(Section),
                [
                    {"key": key, "title": title, "position": n}
                    for n, (key, title) in enumerate(SECTIONS.items())
                ],
            )
        section_ids = list(session.exec(select(Section.id).order_by(Section.position)))
        numbers = range(first, first + size.priorities)
        if numbers:
            session.execute(
                insert(Priority),
                [
                    _priority(
                        rng,
                        number,
                        section_ids[(number - first) * len(section_ids) // len(numbers)],
                    )
                    for number in numbers
                ],
            )
        priority_ids = dict(session.exec(select(Priority.number, Priority.id)).all())
        known_roles = set(session.exec(select(LeadRole.name)))
        new_roles = [name for name in _role_names(size.roles) if name not in known_roles]
        if new_roles:
            session.execute(insert(LeadRole), [{"name": name} for name in new_roles])
        role_ids = list(session.exec(select(LeadRole.id).order_by(LeadRole.id)))

        actions = [
            _action(rng, priority, number, priority_ids[priority])
            for priority in numbers
            for number in range(1, size.actions_per_priority + 1)
        ]
        if actions:
            session.execute(insert(Action), actions)
        action_ids = dict(session.exec(select(Action.ref, Action.id)).all())
        if on_seed:
            # The seed's own actions get updates from their own generator: the same in every size.
            seed_rng = random.Random(seed + 1)
            seed_updates = [
                update
                for ref, created in seed_actions
                for update in _updates(seed_rng, action_ids[ref], created, seed_rng.randint(5, 15))
            ]
            session.execute(insert(ProgressUpdate), seed_updates)

        leads, rag_changes, timescale_changes = [], [], []
        for action in actions:
            action_id = action_ids[action["ref"]]
            for position, role_id in enumerate(rng.sample(role_ids, rng.choice((1, 1, 2)))):
                leads.append({"action_id": action_id, "role_id": role_id, "position": position})
            rag_changes.extend(_rag_changes(rng, action_id, Rag(action["rag"])))
            if action["original_timescale"] != action["timescale"]:
                timescale_changes.append(
                    {
                        "action_id": action_id,
                        "from_date": action["original_timescale"],
                        "to_date": action["timescale"],
                        "at": _between(rng, PLAN_WRITTEN, _end_of_today()),
                        "by": "U0BENCHOWNER",
                        "via": "command",
                        "reason": _sentence(rng, 30, 120),
                    }
                )
        for model, rows in (
            (ActionLead, leads),
            (RagChange, rag_changes),
            (TimescaleChange, timescale_changes),
        ):
            if rows:
                session.execute(insert(model), rows)

        counts = _update_counts(rng, size.actions, size.updates) if actions else []
        updates = [
            update
            for action, count in zip(actions, counts, strict=True)
            for update in _updates(rng, action_ids[action["ref"]], action["created_at"], count)
        ]
        for start in range(
            0, len(updates), 10_000
        ):  # bounded statement batches, bounded memory per call
            session.execute(insert(ProgressUpdate), updates[start : start + 10_000])
    if engine.dialect.name == "postgresql":
        # A live database has been vacuumed and analysed by autovacuum long since (it vacuums a
        # table after inserts too, since PostgreSQL 13); a fresh bulk load has not. Without the
        # vacuum no page is marked all-visible, so every index-only scan (the counts of
        # `/plan status`, `overdue` and `due`) would read the table as well, which a running
        # bot's would not. The plan's own tables only: the database may hold other schemas.
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
    return BuiltPlan(size, len(rag_changes), len(timescale_changes), time.perf_counter() - started)


def _load_seed_plan(session) -> list[tuple[str, datetime]]:
    """The bundled seed plan, loaded as `planbot init` loads it: its actions' refs and creation."""
    from bot.plan.history import PlanArchive
    from bot.plan.plan_file import load_bundled_plan
    from store.archive import load_plan

    load_plan(
        session=session,
        archive=PlanArchive(load_bundled_plan()),
        loaded_at=PLAN_WRITTEN,
        source="bundled seed",
        via="seed",
    )
    session.flush()
    return [(ref, PLAN_WRITTEN) for ref in session.exec(select(Action.ref).order_by(Action.id))]


# --- Rows ----------------------------------------------------------------------------------------


def _priority(rng: random.Random, number: int, section_id: int) -> dict:
    return {
        "number": number,
        "section_id": section_id,
        "ofsted_recommendation": rng.randint(1, 12),
        "recommendation": _sentence(rng, 110, 300),
        "paragraph_refs": sorted(rng.sample(range(1, 120), rng.randint(1, 4))),
        "expected_outcomes": [_sentence(rng, 60, 200) for _ in range(rng.randint(2, 4))],
        "note": None,
    }


def _role_names(count: int) -> list[str]:
    names = [f"{title} - {area}" for area in ROLE_AREAS for title in ROLE_TITLES]
    return names[:count] + [f"Lead {n}" for n in range(len(names), count)]


def _action(rng: random.Random, priority: int, number: int, priority_id: int) -> dict:
    timescale = TIMESCALES[0] + timedelta(days=rng.randint(0, (TIMESCALES[1] - TIMESCALES[0]).days))
    original = (
        timescale - timedelta(days=rng.randint(30, 180)) if rng.random() < 0.15 else timescale
    )
    is_new = rng.random() < 0.05
    created = (
        _between(rng, PLAN_WRITTEN, datetime(2019, 6, 30, tzinfo=UTC)) if is_new else PLAN_WRITTEN
    )
    return {
        "ref": f"{priority}.{number}",
        "priority_id": priority_id,
        "number": number,
        "text": _sentence(rng, 40, 260),
        "paragraph_refs": [],
        "timescale": timescale,
        "original_timescale": original,
        "timescale_as_written": timescale.strftime("%d/%m/%y"),
        "rag": rng.choices(list(RAG_WEIGHTS), weights=list(RAG_WEIGHTS.values()))[0].value,
        "is_new": is_new,
        "created_at": created,
        "note": None,
    }


def _rag_changes(rng: random.Random, action_id: int, final: Rag) -> list[dict]:
    """The path to an action's current RAG: one to three changes, the last one landing on it."""
    if final is Rag.UNRATED:
        return []
    path = [rng.choice((Rag.RED, Rag.AMBER, Rag.GREEN)) for _ in range(rng.randint(0, 2))] + [final]
    times = sorted(_between(rng, PLAN_WRITTEN, _end_of_today()) for _ in path)
    changes, previous = [], Rag.UNRATED
    for rag, at in zip(path, times, strict=True):
        changes.append(
            {
                "action_id": action_id,
                "from_rag": previous.value,
                "to_rag": rag.value,
                "at": at,
                "by": "U0BENCHCHAIR",
                "via": "proposal",
                "reason": None,
            }
        )
        previous = rag
    return changes


def _update_counts(rng: random.Random, actions: int, total: int) -> list[int]:
    """Between 5 and 15 updates an action, adding up to exactly `total`."""
    counts = [rng.randint(5, 15) for _ in range(actions)]
    surplus = sum(counts) - total
    while surplus:
        n = rng.randrange(actions)
        step = 1 if surplus > 0 else -1
        if 1 <= counts[n] - step <= 20:
            counts[n] -= step
            surplus -= step
    return counts


def _updates(rng: random.Random, action_id: int, created: datetime, count: int) -> list[dict]:
    rows = []
    for at in sorted(_between(rng, created, _end_of_today()) for _ in range(count)):
        source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        rows.append(
            {
                "action_id": action_id,
                "text": _sentence(rng, 40, 600),
                "author": f"Lead {rng.randint(1, 200)}"
                if source == "import"
                else f"U0LEAD{rng.randint(1, 200):04d}",
                "at": at,
                "source": source,
                "retracted_at": at + timedelta(hours=1) if rng.random() < 0.01 else None,
            }
        )
    return rows


# --- Helpers -----------------------------------------------------------------------------------


def _end_of_today() -> datetime:
    return datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


def _sentence(rng: random.Random, shortest: int, longest: int) -> str:
    target = rng.randint(shortest, longest)
    words: list[str] = []
    length = 0
    while length < target:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="an empty database, e.g. sqlite:///big.db")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    built = build_plan(engine, seed=args.seed)
    engine.dispose()
    print(
        f"{built.size.actions:,} actions, {built.size.updates:,} updates, {built.rag_changes:,} RAG changes, "
        f"{built.timescale_changes:,} timescale changes in {built.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
