"""The labelled reply corpus and how the parser scores on it (shared by the test and the bench)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.replies.understand import ContextAction, Understanding, understand

try:
    from bot.plan.plan_file import load_bundled_plan
except ImportError:  # before the plan package's reshape
    from bot.plan_file import load_bundled_plan  # type: ignore[no-redef]

CORPUS = Path(__file__).with_name("corpus.yaml")


@dataclass(frozen=True)
class Expected:
    action: ActionRef
    rag: Rag | None
    revised: date | None


@dataclass(frozen=True)
class Reply:
    """One labelled reply."""

    number: int
    category: str
    text: str
    context: tuple[ActionRef, ...]
    today: date
    files: int
    clarify: bool
    updates: tuple[Expected, ...]
    warnings: frozenset[str]


def _expected(label: str) -> tuple[bool, tuple[Expected, ...]]:
    if label.strip() == "clarify":
        return True, ()
    updates = []
    for part in label.split(";"):
        words = part.split()
        rag = None if words[1] == "none" else Rag(words[1])
        revised = date.fromisoformat(words[2]) if len(words) > 2 else None
        updates.append(Expected(ActionRef.parse(words[0]), rag, revised))
    return False, tuple(updates)


def load_corpus(path: Path = CORPUS) -> list[Reply]:
    """Every labelled reply in the corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    default_today = data["defaults"]["today"]
    replies = []
    for number, entry in enumerate(data["replies"], start=1):
        clarify, updates = _expected(entry["expect"])
        replies.append(
            Reply(
                number=number,
                category=entry["cat"],
                text=entry["text"],
                context=tuple(ActionRef.parse(ref) for ref in str(entry["context"]).split()),
                today=entry.get("today", default_today),
                files=entry.get("files", 0),
                clarify=clarify,
                updates=updates,
                warnings=frozenset(entry.get("warn", ())),
            )
        )
    return replies


def seed_plan_actions() -> dict[ActionRef, ContextAction]:
    """The seed plan's actions as a reply's context sees them (none rated yet)."""
    return {
        action.ref: ContextAction(action.ref, action.text, action.timescale, action.rag)
        for action in load_bundled_plan().actions
    }


def parse(reply: Reply, plan: dict[ActionRef, ContextAction]) -> Understanding:
    return understand(
        reply.text,
        context=[plan[ref] for ref in reply.context],
        plan=plan,
        today=reply.today,
        files=reply.files,
    )


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Score:
    """How the parser did: attribution per reply, RAG and timescale per expected update."""

    attribution: Tally = field(default_factory=Tally)
    rag: Tally = field(default_factory=Tally)
    timescale: Tally = field(default_factory=Tally)
    warnings: Tally = field(default_factory=Tally)
    false_completed: list[str] = field(default_factory=list)
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[str] = field(default_factory=list)


def score(replies: list[Reply], plan: dict[ActionRef, ContextAction]) -> Score:
    """Score the parser on the replies."""
    result = Score()
    for reply in replies:
        got = parse(reply, plan)
        by_action = {update.ref: update for update in got.updates}
        attributed = got.clarify == reply.clarify and set(by_action) == {
            expected.action for expected in reply.updates
        }
        result.attribution.add(attributed)
        problems = [] if attributed else ["attribution"]
        if reply.clarify:
            rag_ok = got.clarify and all(update.rag is None for update in got.updates)
            result.rag.add(rag_ok)
            result.timescale.add(got.clarify)
        for expected in reply.updates:
            update = by_action.get(expected.action)
            rag_ok = update is not None and update.rag == expected.rag
            time_ok = update is not None and update.revised_timescale == expected.revised
            result.rag.add(rag_ok)
            result.timescale.add(time_ok)
            problems += [] if rag_ok else [f"rag {expected.action}"]
            problems += [] if time_ok else [f"timescale {expected.action}"]
        wanted = {e.action: e.rag for e in reply.updates}
        for update in got.updates:
            if update.rag is Rag.COMPLETED and wanted.get(update.ref) is not Rag.COMPLETED:
                result.false_completed.append(f"#{reply.number} {update.ref}: {reply.text!r}")
                problems.append("FALSE COMPLETED")
        kinds = {getattr(warning, "kind", "") for warning in got.warnings}
        result.warnings.add(kinds == reply.warnings)
        problems += [] if kinds == reply.warnings else [f"warnings {sorted(kinds)}"]
        result.by_category[reply.category].add(not problems)
        if problems:
            shown = [
                (
                    str(u.ref),
                    u.rag and u.rag.value,
                    u.revised_timescale and str(u.revised_timescale),
                )
                for u in got.updates
            ]
            result.misses.append(
                f"#{reply.number} [{reply.category}] {', '.join(problems)}: {reply.text!r} "
                f"-> clarify={got.clarify} {shown}"
            )
    return result
