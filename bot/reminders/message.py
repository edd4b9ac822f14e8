"""Block Kit for the reminder DM, the admins' unreachable list and the approvers' escalations.

Plain dicts within Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): at most 50 blocks, 3,000 characters a
section, 150 a header, 75 a button's text, and about 13k characters of block text in all. A
person with more actions than fit gets the first ones and a line saying how many more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.plan.refs import ActionRef
from bot.plan.timing import timescale_text, uk_date
from bot.plan.words import counted
from bot.reminders.audience import Problem, Unreachable
from bot.reminders.day import PersonReminder, ReminderItem
from bot.reminders.escalation import Escalation
from bot.reminders.ladder import Reason
from bot.reminders.records import ActionState
from bot.slack.blocks import MAX_BLOCKS, RAG_EMOJI, SECTION_LIMIT, context, escape, header, shorten

REMINDER_EVENT = "planbot_reminder"
SNOOZE_ACTION_ID = "reminder_snooze"
# The common answers, one press each (a reply in the thread says anything else).
ON_TRACK_ACTION_ID = "reminder_on_track"
DELAYED_ACTION_ID = "reminder_delayed"
COMPLETED_ACTION_ID = "reminder_completed"
ADD_UPDATE_ACTION_ID = "reminder_add_update"
ANSWER_BUTTONS = (
    (ON_TRACK_ACTION_ID, "On track"),
    (DELAYED_ACTION_ID, "Delayed"),
    (COMPLETED_ACTION_ID, "Completed"),
    (ADD_UPDATE_ACTION_ID, "Add update…"),
)
# The replies work adds its answer buttons (on track, delayed, …) to each action's actions block,
# found by this prefix; Slack allows 25 elements a block, planbot keeps to 5.
ACTIONS_BLOCK_PREFIX = "reminder_actions:"
_ANSWER_LABELS = tuple(
    (action_id, {"type": "plain_text", "text": label}) for action_id, label in ANSWER_BUTTONS
)
_ANSWER_LABELS_SIZE = sum(len(label) for _, label in ANSWER_BUTTONS)
ACTION_TEXT_CHARS = 150
# Slack refused a message at about 13.2k characters of block text in all (msg_blocks_too_long).
BLOCK_TEXT_BUDGET = 11_000
FALLBACK_CHARS = 3_000

_COUNT_WORDS = {reason: reason.label.lower() for reason in Reason}
_GROUP_EMOJI = {
    Reason.OVERDUE: ":rotating_light:",
    Reason.DUE: ":date:",
    Reason.UPCOMING: ":hourglass_flowing_sand:",
    Reason.MONTHLY: ":spiral_calendar_pad:",
}


@dataclass(frozen=True)
class Message:
    """A message ready for chat.postMessage: `client.chat_postMessage(channel=…, **m.as_kwargs())`."""

    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"text": self.text, "blocks": self.blocks}
        if self.metadata is not None:
            kwargs["metadata"] = self.metadata
        return kwargs


def days_phrase(days: int) -> str:
    """ "5 days overdue", "due today", "due tomorrow", "due in 12 days"."""
    if days < 0:
        return f"{counted(-days, 'day')} overdue"
    if days == 0:
        return "due today"
    return "due tomorrow" if days == 1 else f"due in {days} days"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def _short(text: str) -> str:
    # Most texts need no shortening; skip shorten's split and join for them (a DM per lead a day).
    if len(text) <= ACTION_TEXT_CHARS and "\n" not in text and "  " not in text:
        return text
    return shorten(text, ACTION_TEXT_CHARS)


def _action_lines(action: ActionState, days: int | None, ref: str) -> list[str]:
    """The action's number and text, then its RAG, timescale, lateness and last update."""
    timescale = timescale_text(action)
    # No timescale, no lateness to speak of (the Home lists such actions too).
    when = days_phrase(days) if days is not None else "no timescale to be late against"
    last = uk_date(action.last_update) if action.last_update else "none yet"
    return [
        f"*{ref}* {escape(_short(action.text))}",
        f"{RAG_EMOJI[action.rag]} {action.rag.label} · Timescale {timescale} · "
        f"{f'*{when}*' if days is not None and days < 0 else when} · Last update {last}",
    ]


def action_blocks(
    action: ActionState, days: int | None, button_text: str, lead: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """An action's section (number, text, RAG, timescale, lateness, last update, lead) and its
    buttons (the common answers and snooze), and their characters of text: the reminder DM and
    the App Home show actions alike."""
    ref = str(action.ref)
    lines = _action_lines(action, days, ref)
    if lead:
        lines.append(lead)
    text = "\n".join(lines)[:SECTION_LIMIT]
    # A round day builds ten thousand of these: the buttons' label objects are shared, not
    # rebuilt (they are only ever serialised).
    buttons = [
        {"type": "button", "action_id": action_id, "text": label, "value": ref}
        for action_id, label in _ANSWER_LABELS
    ]
    buttons.append(
        {
            "type": "button",
            "action_id": SNOOZE_ACTION_ID,
            "text": {"type": "plain_text", "text": button_text},
            "value": ref,
        }
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": ACTIONS_BLOCK_PREFIX + ref, "elements": buttons},
    ]
    return blocks, len(text) + _ANSWER_LABELS_SIZE + len(button_text)


def _item_blocks(item: ReminderItem, button_text: str) -> tuple[list[dict[str, Any]], int]:
    """The action's section and its actions block, and their characters of text."""
    lead = f"Lead: {escape(', '.join(item.roles))}"
    if item.covering:
        away = ", ".join(
            f"<@{leave.user}> (on leave until {uk_date(leave.until)})" for leave in item.covering
        )
        lead += f" · covering for {away}"
    return action_blocks(item.action, item.due.days, button_text, lead)


def _block_text_size(blocks: list[dict[str, Any]]) -> int:
    size = 0
    for block in blocks:
        if "text" in block:
            size += len(block["text"]["text"])
        for element in block.get("elements", ()):
            text = element.get("text")
            size += len(text["text"] if isinstance(text, dict) else text or "")
    return size


def _counts(items: Sequence[ReminderItem]) -> str:
    """ "2 overdue, 1 coming up"."""
    counts = dict.fromkeys(Reason, 0)
    for item in items:
        counts[item.due.reason] += 1
    return ", ".join(f"{n} {_COUNT_WORDS[reason]}" for reason, n in counts.items() if n)


def reminder_metadata(person: PersonReminder) -> dict[str, Any]:
    """The DM's metadata: finds it again after an unknown send outcome, and names its actions."""
    return {
        "event_type": REMINDER_EVENT,
        "event_payload": {
            "date": person.day.isoformat(),
            "user": person.user,
            "actions": person.refs,
        },
    }


def reminder_message(person: PersonReminder, *, snooze_days: int = 3) -> Message:
    """One person's reminder DM: their actions grouped overdue / due / coming up / monthly round."""
    items = person.items
    intro = (
        f"Here are the actions you lead that need an update: {_counts(items)}."
        if len(items) > 1
        else "Here is an action you lead that needs an update."
    )
    top = [header("Plan actions to update"), _mrkdwn(intro)]
    foot = context(
        "A reply in this thread is enough: a few words on progress, such as "
        '"on track", "delayed until March" or "done, evidence in the report".'
    )
    blocks = list(top)
    size = _block_text_size([*top, foot])
    shown: list[ReminderItem] = []
    # Room for the foot and an "and N more" line, whatever happens.
    room = MAX_BLOCKS - len(top) - 2
    full = False
    button_text = f"Snooze {counted(snooze_days, 'working day')}"
    for reason, group in person.groups():
        title = _mrkdwn(f"{_GROUP_EMOJI[reason]} *{reason.label}*")
        for index, item in enumerate(group):
            new, new_size = _item_blocks(item, button_text)
            if index == 0:
                new.insert(0, title)
                new_size += len(title["text"]["text"])
            if len(new) > room or size + new_size > BLOCK_TEXT_BUDGET:
                full = True
                break
            blocks += new
            room -= len(new)
            size += new_size
            shown.append(item)
        if full:
            break
    shown_ids = {id(item) for item in shown}
    rest = [item for item in items if id(item) not in shown_ids]
    if rest:
        blocks.append(
            _mrkdwn(
                f"…and {counted(len(rest), 'more action')} ({_counts(rest)}): "
                "`/plan mine` lists them all."
            )
        )
    blocks.append(foot)
    return Message(_reminder_text(person), blocks, reminder_metadata(person))


def _reminder_text(person: PersonReminder) -> str:
    """The notification text: the counts, then the action numbers as far as they fit."""
    items = person.items
    text = f"{counted(len(items), 'plan action')} to update ({_counts(items)}): "
    refs = [f"{item.action.ref} ({days_phrase(item.days)})" for item in items]
    listed = ", ".join(refs)
    if len(text) + len(listed) > FALLBACK_CHARS:
        listed = shorten(listed, FALLBACK_CHARS - len(text) - 20) + " /plan mine"
    return text + listed


def _refs(refs: Sequence[ActionRef]) -> str:
    return ", ".join(str(ref) for ref in sorted(set(refs)))


def _pack(lines: Sequence[str], room: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Lines joined into as few sections as fit in `room` blocks and the text budget, given
    `size` characters already used; and how many lines did not fit."""
    blocks: list[dict[str, Any]] = []
    current = ""
    for index, line in enumerate(lines):
        line = line[: SECTION_LIMIT - 1]
        size += len(line) + 1
        joined = current and len(current) + 1 + len(line) <= SECTION_LIMIT
        if size > BLOCK_TEXT_BUDGET or (not joined and current and len(blocks) + 1 >= room):
            if current:
                blocks.append(_mrkdwn(current))
            return blocks, len(lines) - index
        if joined:
            current += "\n" + line
        else:
            if current:
                blocks.append(_mrkdwn(current))
            current = line
    if current:
        blocks.append(_mrkdwn(current))
    return blocks, 0


def _with_mentions(text: str, users: Sequence[str | None]) -> str:
    """Escaped plain text with the given user ids turned into mentions."""
    text = escape(text)
    for user in dict.fromkeys(u for u in users if u):
        text = text.replace(user, f"<@{user}>")
    return text


def unreachable_message(day: date, unreachable: Sequence[Unreachable]) -> Message:
    """The admins' daily DM: reminders that reached nobody, and actions never reminded."""
    groups: dict[tuple[Problem, str | None, str | None], list[Unreachable]] = {}
    for entry in unreachable:
        groups.setdefault((entry.problem, entry.role, entry.user), []).append(entry)
    lines, sizes = [], []
    for entries in groups.values():
        first = entries[0]
        refs = _refs([entry.action.ref for entry in entries])
        label = "Action" if len(entries) == 1 else "Actions"
        why = _with_mentions(first.why, [first.user, *(leave.user for leave in first.away)])
        lines.append(f"• {label} {refs}: {why}. To fix: {escape(first.fix)}.")
        sizes.append(len(entries))
    top = [
        header(f"Reminders that reached nobody — {uk_date(day)}"),
        _mrkdwn(
            f"{counted(len(unreachable), 'action')} could not be chased today. "
            "Each line says what to do; tomorrow's run picks up the fix."
        ),
    ]
    body, left_out = _pack(lines, MAX_BLOCKS - len(top) - 1, _block_text_size(top) + 100)
    blocks = top + body
    if left_out:
        more = counted(sum(sizes[len(lines) - left_out :]), "more action")
        blocks.append(_mrkdwn(f"…and {more}: `planbot remind --dry-run` lists them all."))
    text = f"{counted(len(unreachable), 'plan action')} could not be chased on {uk_date(day)}."
    return Message(text, blocks)


def escalation_message(day: date, escalations: Sequence[Escalation]) -> Message:
    """The approvers' DM: overdue actions whose leads have not answered their reminders."""
    lines = []
    for escalation in escalations:
        action = escalation.action
        title, status = _action_lines(action, -escalation.days_overdue, str(action.ref))
        people = ", ".join(f"<@{user}>" for user in escalation.users)
        roles = escape(", ".join(action.leads))
        sent = ", ".join(uk_date(on) for on in escalation.dates)
        lines.append(
            f"{title}\n{status}\nLead: {roles} ({people}) · "
            f"{counted(len(escalation.dates), 'reminder')} unanswered: {sent}"
        )
    count = counted(len(escalations), "overdue action")
    top = [
        header(f"Escalated: {count} without an answer"),
        _mrkdwn(
            "These actions are past their timescale and their leads have not answered the "
            "reminders below. They stay open and are flagged in the digest and `/plan`."
        ),
    ]
    room = MAX_BLOCKS - len(top) - 1
    body = [_mrkdwn(line) for line in lines[:room]]
    size = _block_text_size(top)
    kept: list[dict[str, Any]] = []
    for block in body:
        size += _block_text_size([block])
        if size > BLOCK_TEXT_BUDGET:
            break
        kept.append(block)
    blocks = top + kept
    if len(kept) < len(lines):
        blocks.append(_mrkdwn(f"…and {len(lines) - len(kept)} more: `/plan overdue` lists them."))
    refs = _refs([escalation.action.ref for escalation in escalations])
    text = shorten(f"Escalated on {uk_date(day)}: {count} without an answer ({refs}).", 3000)
    return Message(text, blocks)
