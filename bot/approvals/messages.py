"""What the approvers see (a proposal with Accept and Return), what the lead hears back, and the
modal that asks an approver why a proposal is returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.plan.rag import Rag
from bot.plan.timing import uk_date
from bot.slack.blocks import RAG_EMOJI, context, escape, header, section, shorten

ACCEPT_ACTION_ID = "proposal_accept"
RETURN_ACTION_ID = "proposal_return"
RETURN_CALLBACK_ID = "proposal_return_reason"
REASON_BLOCK_ID = "reason"
REASON_ACTION_ID = "reason_text"


@dataclass(frozen=True)
class Proposed:
    """A proposal as the approvers read it."""

    id: int
    ref: str
    action_text: str
    current_rag: Rag
    rag: Rag | None
    timescale: date | None
    revised_timescale: date | None
    evidence: str | None
    proposed_by: str | None
    update_text: str | None


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]


def _change(p: Proposed) -> str:
    parts = []
    if p.rag:
        parts.append(
            f"RAG {RAG_EMOJI[p.current_rag]} {p.current_rag.label} → *{RAG_EMOJI[p.rag]} {p.rag.label}*"
        )
    if p.revised_timescale:
        was = uk_date(p.timescale) if p.timescale else "none"
        parts.append(f"timescale {was} → *{uk_date(p.revised_timescale)}*")
    return "; ".join(parts) or "no change"


def _details(p: Proposed) -> str:
    lines = [f"*{p.ref}* {escape(shorten(p.action_text, 200))}", _change(p)]
    if p.update_text:
        lines.append(f"Update: “{escape(shorten(p.update_text, 600))}”")
    if p.rag is Rag.COMPLETED:
        lines.append(f"Evidence: {escape(p.evidence)}" if p.evidence else "Evidence: _none given_")
    if p.proposed_by:
        lines.append(f"Proposed by <@{p.proposed_by}>")
    return "\n".join(lines)


def approval_request(p: Proposed) -> Message:
    """The approvers' DM: one proposal with Accept and Return."""
    blocks = [
        header(f"For your decision: action {p.ref}"),
        section(_details(p)),
        {
            "type": "actions",
            "block_id": f"decide:{p.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": ACCEPT_ACTION_ID,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Accept"},
                    "value": str(p.id),
                },
                {
                    "type": "button",
                    "action_id": RETURN_ACTION_ID,
                    "text": {"type": "plain_text", "text": "Return"},
                    "value": str(p.id),
                },
            ],
        },
    ]
    return Message(f"Action {p.ref}: {_plain_change(p)} — accept or return?", blocks)


def _plain_change(p: Proposed) -> str:
    parts = []
    if p.rag:
        parts.append(f"{p.current_rag.label} → {p.rag.label}")
    if p.revised_timescale:
        parts.append(f"new timescale {uk_date(p.revised_timescale)}")
    return ", ".join(parts) or "an update"


def decided(p: Proposed, outcome: str, by: str, reason: str | None = None) -> Message:
    """The approvers' DM once someone decided: the buttons go, the decision shows."""
    said = f"*{outcome.capitalize()}* by <@{by}>" + (f": “{escape(reason)}”" if reason else "")
    blocks = [header(f"Action {p.ref}: {outcome}"), section(_details(p)), context(said)]
    return Message(f"Action {p.ref}: {outcome} by {by}", blocks)


def withdrawn(p: Proposed) -> Message:
    """The approvers' request once the lead replaced or took back what it asked: no buttons."""
    blocks = [
        header(f"Action {p.ref}: withdrawn"),
        section(_details(p)),
        context("The lead sent a newer update (or took this one back); it replaces this request."),
    ]
    return Message(f"Action {p.ref}: withdrawn by the lead", blocks)


def lead_notice(p: Proposed, outcome: str, by: str, reason: str | None = None) -> Message:
    """What the lead hears in their thread when the approvers decide."""
    if outcome == "accepted":
        text = f"<@{by}> accepted your update on {p.ref}: {_change(p)}."
    elif outcome == "returned":
        text = f"<@{by}> returned your update on {p.ref}" + (
            f": “{escape(reason)}”." if reason else "."
        )
        text += " Reply here with a corrected update."
    else:
        text = f"Your update on {p.ref} is {outcome}."
    return Message(shorten(text, 3000), [section(text)])


def return_modal(p: Proposed) -> dict[str, Any]:
    """The modal that asks why a proposal is returned; the reason goes to the lead."""
    return {
        "type": "modal",
        "callback_id": RETURN_CALLBACK_ID,
        "private_metadata": str(p.id),
        "title": {"type": "plain_text", "text": "Return the update"},
        "submit": {"type": "plain_text", "text": "Return"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(_details(p)),
            {
                "type": "input",
                "block_id": REASON_BLOCK_ID,
                "label": {"type": "plain_text", "text": "Why? The lead will see this."},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION_ID,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }
