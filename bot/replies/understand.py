"""What a lead's reply says: which actions, a RAG proposal, a revised timescale and evidence for
each, checked against the plan's rules; or that the bot must ask which action is meant.

Pure: plain objects in, plain objects out, the day a parameter. Handlers, the `/plan update`
command and `planbot parse` all call `understand`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.replies.child_data import CHILD_DATA_WARNING, may_hold_child_data
from bot.replies.dates import find_dates, impossible_dates
from bot.replies.evidence import find_evidence
from bot.replies.matching import clear_match, ranked
from bot.replies.rag_words import RagSignal, read_rag
from bot.replies.references import attribute, find_references, speaks_of_all, strip_references
from bot.replies.timescales import revised_timescale


@dataclass(frozen=True)
class ContextAction:
    """An action a reply may be about (a reminder's actions, or the plan's)."""

    ref: ActionRef
    text: str
    timescale: date | None
    rag: Rag  # the current agreed RAG


@dataclass(frozen=True)
class UnderstoodUpdate:
    """What a reply says of one action."""

    ref: ActionRef
    text: str  # the segment of the reply that belongs to this action (whole reply if one)
    rag: Rag | None  # proposed RAG, None if no signal
    revised_timescale: date | None
    evidence: str | None  # a link, "attached file", or a note of where evidence is held
    evidence_pending: bool  # proposed Completed but no evidence
    notes: tuple[str, ...]  # consistency flags for the lead to see


class ReplyWarning(str):
    """A warning for the lead, with a kind a program can test: "child_data", "unknown_action"
    or "bad_date"."""

    kind: str

    def __new__(cls, text: str, kind: str) -> ReplyWarning:
        warning = super().__new__(cls, text)
        warning.kind = kind
        return warning


@dataclass(frozen=True)
class Understanding:
    """Everything the bot read from a reply."""

    updates: tuple[UnderstoodUpdate, ...]
    clarify: bool  # the bot must ask which action is meant (then no update carries a RAG)
    candidates: tuple[ActionRef, ...]  # what to offer when clarify
    warnings: tuple[ReplyWarning, ...]


# "same for 1.10", "ditto", "1.11 likewise": the rating said of the action before.
_SAME = ("same", "ditto", "likewise", "as above", "also", "too", "as well")
_MAX_CANDIDATES = 5


def _as_mapping(
    plan: Mapping[ActionRef, ContextAction] | Sequence[ContextAction],
) -> Mapping[ActionRef, ContextAction]:
    if isinstance(plan, Mapping):
        return plan
    return {action.ref: action for action in plan}


def _signal(text: str) -> RagSignal | None:
    return read_rag(strip_references(text))


def _checked(
    action: ContextAction,
    text: str,
    signal: RagSignal | None,
    *,
    today: date,
    files: int,
) -> UnderstoodUpdate:
    dates = find_dates(text, today=today)
    revised = revised_timescale(text, today=today, current=action.timescale, dates=dates)
    evidence = find_evidence(text, files=files)
    rag = signal.rag if signal else None
    notes = []
    if revised is not None and (rag is None or (rag is Rag.GREEN and not signal.explicit)):
        # A moved date is some delay, unless the lead names a rating themselves.
        rag = Rag.AMBER
        notes.append(f"New timescale {revised:%d/%m/%y}, so Amber (some delay)")
    due = revised or action.timescale
    if rag is Rag.GREEN and due is not None and due < today:
        days = (today - due).days
        notes.append(f"Green but {days} day{'s' * (days != 1)} past its timescale — Amber?")
    pending = rag is Rag.COMPLETED and evidence is None
    if pending:
        notes.append("Completed — evidence pending: where is the evidence held?")
    return UnderstoodUpdate(
        ref=action.ref,
        text=text,
        rag=rag,
        revised_timescale=revised,
        evidence=evidence,
        evidence_pending=pending,
        notes=tuple(notes),
    )


def _ask(candidates: Sequence[ActionRef], warnings: list[ReplyWarning]) -> Understanding:
    return Understanding((), True, tuple(candidates), tuple(warnings))


def understand(
    text: str,
    *,
    context: Sequence[ContextAction],
    plan: Mapping[ActionRef, ContextAction] | Sequence[ContextAction],
    today: date,
    files: int = 0,
) -> Understanding:
    """What the reply says of which actions, or that the bot must ask which action is meant."""
    text = (text or "").replace("\r", "")
    plan_map = _as_mapping(plan)
    known = {**plan_map, **{action.ref: action for action in context}}
    warnings: list[ReplyWarning] = []
    if may_hold_child_data(text, today=today):
        warnings.append(ReplyWarning(CHILD_DATA_WARNING, "child_data"))
    for written in impossible_dates(text):
        warnings.append(
            ReplyWarning(
                f"{written} is not a date, so I have not read a new timescale from it.", "bad_date"
            )
        )
    if not text.strip():
        return Understanding((), False, (), tuple(warnings))

    mentions = find_references(text, known.keys())
    unknown = sorted({mention.ref for mention in mentions if not mention.known})
    if unknown:
        for ref in unknown:
            warnings.append(
                ReplyWarning(f"There is no action {ref} in the plan.", "unknown_action")
            )
        same_priority = [
            ref for ref in sorted(plan_map) if ref.priority in {u.priority for u in unknown}
        ]
        named = [mention.ref for mention in mentions if mention.known]
        offer = named or [action.ref for action in context] or same_priority
        return _ask(list(dict.fromkeys(offer))[: _MAX_CANDIDATES * 4], warnings)

    whole = text.strip()
    pieces: dict[ActionRef, list[str]] = {}
    signals: dict[ActionRef, RagSignal | None] = {}
    if mentions:
        attribution = attribute(text, mentions)
        single = len(attribution.segments) == 1 and attribution.others is None
        preamble = _signal(attribution.preamble) if attribution.preamble else None
        previous: RagSignal | None = None
        for refs, segment in attribution.segments:
            signal = _signal(text if single else segment)
            body = strip_references(segment).lower()
            if signal is None and previous is not None and any(w in body for w in _SAME):
                signal = previous
            signal = signal or preamble
            said = whole if single else segment
            for ref in refs:
                pieces.setdefault(ref, []).append(said)
                signals[ref] = signal or signals.get(ref)
            previous = signal or previous
        if attribution.others is not None:
            rest = [action.ref for action in context if action.ref not in pieces]
            signal = _signal(attribution.others)
            for ref in rest:
                pieces[ref] = [attribution.others]
                signals[ref] = signal
    elif len(context) == 1:
        pieces[context[0].ref] = [whole]
    elif len(context) > 1:
        options = {action.ref: action.text for action in context}
        plan_texts = tuple(action.text for action in plan_map.values())
        if speaks_of_all(text):
            chosen = [action.ref for action in context]
        else:
            match = clear_match(text, options, plan_texts)
            if match is None:
                order = [ref for _, ref in ranked(text, options, plan_texts)]
                order += [ref for ref in options if ref not in order]
                return _ask(order, warnings)
            chosen = [match]
        for ref in chosen:
            pieces[ref] = [whole]
    else:
        options = {ref: action.text for ref, action in plan_map.items()}
        plan_texts = tuple(options.values())
        return _ask(
            [ref for _, ref in ranked(text, options, plan_texts)][:_MAX_CANDIDATES], warnings
        )

    updates = []
    for ref, texts in pieces.items():
        segment = " … ".join(dict.fromkeys(texts))
        signal = signals[ref] if ref in signals else _signal(segment)
        updates.append(_checked(known[ref], segment, signal, today=today, files=files))
    return Understanding(tuple(updates), False, (), tuple(warnings))


def as_json(u: Understanding) -> dict:
    """The understanding as `planbot parse --json` prints it."""
    return {
        "updates": [
            {
                "action": str(update.ref),
                "rag": update.rag.value if update.rag is not None else None,
                "revised_timescale": (
                    update.revised_timescale.isoformat() if update.revised_timescale else None
                ),
                "evidence": update.evidence is not None,
                "text": update.text,
            }
            for update in u.updates
        ],
        "clarify": u.clarify,
        "warnings": [str(warning) for warning in u.warnings],
    }
