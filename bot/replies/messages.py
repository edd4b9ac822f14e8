"""What the bot says back to a lead about their reply: what it understood (with Confirm,
Change RAG and Not this action), a question when it cannot tell which action, or who leads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.plan.rag import Rag
from bot.plan.timing import uk_date
from bot.slack.blocks import MAX_BLOCKS, RAG_EMOJI, context, escape, section, shorten

CONFIRM_ACTION_ID = "proposal_confirm"
CHANGE_RAG_ACTION_ID = "proposal_change_rag"
NOT_THIS_ACTION_ID = "proposal_not_this"
ECHO_EVENT = "planbot_echo"
QUESTION_EVENT = "planbot_question"
CHOICES = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETED)


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class EchoItem:
    """One action of a reply, as the bot understood it."""

    ref: str
    update_id: int
    gist: str
    current_rag: Rag
    proposed_rag: Rag | None
    timescale: date | None
    revised_timescale: date | None
    notes: tuple[str, ...]
    proposal_id: int | None
    confirmed: bool = False


def _rag(rag: Rag) -> str:
    return f"{RAG_EMOJI[rag]} {rag.label}"


def _item_text(item: EchoItem) -> str:
    lines = [f"*{item.ref}* — “{escape(shorten(item.gist, 300))}”"]
    if item.proposed_rag:
        lines.append(f"RAG: {_rag(item.current_rag)} → *{_rag(item.proposed_rag)}*")
    else:
        lines.append(f"RAG: no change ({_rag(item.current_rag)})")
    if item.revised_timescale:
        was = uk_date(item.timescale) if item.timescale else "none"
        lines.append(f"Timescale: {was} → *{uk_date(item.revised_timescale)}*")
    lines += [f"_{escape(note)}_" for note in item.notes]
    return "\n".join(lines)


def _buttons(item: EchoItem) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if item.proposal_id is not None and not item.confirmed:
        pid = str(item.proposal_id)
        elements.append(
            {
                "type": "button",
                "action_id": CONFIRM_ACTION_ID,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Confirm"},
                "value": pid,
            }
        )
    if item.proposal_id is not None or item.proposed_rag is None:
        # Change RAG works on any update: one that proposed nothing can be given a rating.
        elements.append(
            {
                "type": "static_select",
                "action_id": CHANGE_RAG_ACTION_ID,
                "placeholder": {"type": "plain_text", "text": "Change RAG"},
                "options": [
                    {
                        "text": {"type": "plain_text", "text": rag.label},
                        "value": f"{item.update_id}:{rag.value}",
                    }
                    for rag in CHOICES
                ],
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": NOT_THIS_ACTION_ID,
            "text": {"type": "plain_text", "text": "Not this action"},
            "value": str(item.update_id),
        }
    )
    return {"type": "actions", "block_id": f"echo:{item.update_id}", "elements": elements}


def echo_message(items: Sequence[EchoItem], warnings: Sequence[str]) -> Message:
    """What the bot understood, action by action, for the lead to confirm or correct."""
    blocks: list[dict[str, Any]] = [
        section("Thanks — here is what I understood. Nothing changes until you confirm.")
    ]
    shown = 0
    for item in items:
        if len(blocks) + 3 > MAX_BLOCKS:
            break
        blocks += [section(_item_text(item)), _buttons(item)]
        shown += 1
    if shown < len(items):
        blocks.append(
            context(
                f"…and {len(items) - shown} more: confirm these, and `/plan mine` shows them all."
            )
        )
    for warning in warnings:
        blocks.append(context(f":warning: {escape(warning)}"))
    refs = ", ".join(item.ref for item in items)
    return Message(f"Recorded your update on {refs}: please confirm.", blocks[:MAX_BLOCKS])


def question_message(candidates: Sequence[tuple[str, str]], why: str) -> Message:
    """Ask which action a reply is about; the next reply in the thread answers."""
    lines = [f"• *{ref}* {escape(shorten(text, 120))}" for ref, text in candidates[:10]]
    body = why + (
        "\nReply in this thread with the action's number, e.g. `" + candidates[0][0] + "`:\n"
        if candidates
        else "\nReply in this thread with the action's number, e.g. `7.3`."
    )
    blocks = [section(escape(body) + "\n".join(lines))]
    return Message(f"Which action is this about? {why}", blocks)


def not_lead_message(ref: str, roles: Sequence[str], users: Sequence[str]) -> Message:
    """Someone who does not lead an action wrote about it: who does, and nothing stored."""
    who = ", ".join(f"<@{u}>" for u in users) or "nobody mapped yet"
    led = "; ".join(roles) or "no lead role"
    text = (
        f"Only the leads of action {ref}, their deputies or a plan admin can update it. "
        f"It is led by {escape(led)} ({who}). I have not recorded anything."
    )
    return Message(text, [section(text)])


def plain_message(text: str) -> Message:
    return Message(text, [section(escape(text))])


ADD_UPDATE_CALLBACK_ID = "reminder_add_update_modal"
UPDATE_BLOCK, UPDATE_INPUT = "update", "update_text"
RAG_BLOCK, RAG_INPUT = "rag", "rag_choice"
DATE_BLOCK, DATE_INPUT = "timescale", "revised_timescale"


def add_update_modal(ref: str, action_text: str, private_metadata: str) -> dict[str, Any]:
    """The Add update… modal: the update's words, a RAG and a revised timescale if any."""
    return {
        "type": "modal",
        "callback_id": ADD_UPDATE_CALLBACK_ID,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": f"Update on {ref}"[:24]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            context(f"*{ref}* {escape(shorten(action_text, 280))}"),
            {
                "type": "input",
                "block_id": UPDATE_BLOCK,
                "label": {"type": "plain_text", "text": "Progress update"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": UPDATE_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
            {
                "type": "input",
                "block_id": RAG_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "RAG"},
                "element": {
                    "type": "static_select",
                    "action_id": RAG_INPUT,
                    "placeholder": {"type": "plain_text", "text": "No change"},
                    "options": [
                        {"text": {"type": "plain_text", "text": rag.label}, "value": rag.value}
                        for rag in CHOICES
                    ],
                },
            },
            {
                "type": "input",
                "block_id": DATE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Revised timescale"},
                "element": {"type": "datepicker", "action_id": DATE_INPUT},
            },
        ],
    }
