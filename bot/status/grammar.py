"""Parsing `/plan` arguments into a request, or a clear message saying what is valid."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.plan.refs import ActionRef
from bot.slack.blocks import escape

HELP_LINES = (
    ("/plan help", "What /plan can do"),
    ("/plan status", "The whole plan: RAG tallies by priority"),
    ("/plan status 7", "Priority 7: its actions, leads, timescales and RAG"),
    ("/plan status 7.3", "Action 7.3 with its whole history"),
    ("/plan status rec 9", "The priorities that answer Ofsted recommendation 9"),
)


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class PlanStatus:
    pass


@dataclass(frozen=True)
class PriorityStatus:
    number: int


@dataclass(frozen=True)
class ActionStatus:
    ref: ActionRef


@dataclass(frozen=True)
class RecommendationStatus:
    recommendation: int


@dataclass(frozen=True)
class Invalid:
    """Input that cannot be served, saying what is wrong and what is valid.

    `message` is Slack mrkdwn, with the echo of what was typed escaped (a `<!channel>` typed
    into /plan must not notify a channel from the bot's answer); `plain` has the same words with
    the echo as typed, for a terminal.
    """

    message: str
    plain: str = ""


PlanCommand = Help | PlanStatus | PriorityStatus | ActionStatus | RecommendationStatus | Invalid

_NUMBER = re.compile(r"^[0-9]{1,6}$")


def parse(text: str) -> PlanCommand:
    """What `/plan <text>` asks for. Full-width digits and stray spaces are forgiven."""
    words = unicodedata.normalize("NFKC", text or "").split()
    if not words:
        return Help()
    verb, args = words[0].lower(), words[1:]
    if verb in ("help", "?"):
        return Help()
    if verb != "status":
        return _invalid(f"I don't know `/plan {{echo}}`. I understand: {_valid_verbs()}.", words[0])
    if not args:
        return PlanStatus()
    if (
        args[0].lower() in ("rec", "recommendation", "ofsted")
        and len(args) == 2
        and _NUMBER.match(args[1])
    ):
        return RecommendationStatus(int(args[1]))
    if len(args) == 1:
        arg = args[0].rstrip(".")
        if _NUMBER.match(arg):
            return PriorityStatus(int(arg))
        ref = ActionRef.parse(args[0])
        if ref is not None and _NUMBER.match(str(ref.priority)):
            return ActionStatus(ref)
    return _invalid(
        "`{echo}` is not a priority or an action. "
        "Try `/plan status 7` (a priority), `/plan status 7.3` (an action) "
        "or `/plan status rec 9` (an Ofsted recommendation).",
        " ".join(args),
    )


def _invalid(template: str, typed: str) -> Invalid:
    echo = _quote(typed)
    return Invalid(
        # Slack reads &, < and > as control characters even inside `code`
        # (https://docs.slack.dev/messaging/formatting-message-text#escaping).
        message=template.replace("{echo}", escape(echo)),
        plain=template.replace("{echo}", echo),
    )


def _quote(text: str) -> str:
    # Keep the echo short and free of backticks so it cannot break the message's formatting.
    text = text.replace("`", "'")
    return text if len(text) <= 40 else text[:39] + "…"


def counted(n: int, noun: str | tuple[str, str]) -> str:
    """ "1 priority", "2 priorities", "1 RAG change"; a (singular, plural) pair for irregulars."""
    singular, plural = noun if isinstance(noun, tuple) else (noun, _plural(noun))
    return f"{n} {singular if n == 1 else plural}"


def _plural(noun: str) -> str:
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def _valid_verbs() -> str:
    return ", ".join(f"`{usage}`" for usage, _ in HELP_LINES)


def describe_range(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1–3, 5"."""
    if not numbers:
        return "none"
    numbers = sorted(set(numbers))
    runs: list[tuple[int, int]] = []
    start = prev = numbers[0]
    for n in numbers[1:]:
        if n != prev + 1:
            runs.append((start, prev))
            start = n
        prev = n
    runs.append((start, prev))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def no_such_priority(number: int, numbers: list[int]) -> str:
    if not numbers:
        return "The plan has no priorities yet: an admin loads one with `planbot init`."
    return f"There is no priority {number} — the plan has priorities {describe_range(numbers)}."


def no_such_action(ref: ActionRef, refs_in_priority: list[str], numbers: list[int]) -> str:
    if not numbers:
        return (
            f"There is no action {ref}: the plan has no priorities yet; "
            "an admin loads one with `planbot init`."
        )
    if not refs_in_priority:
        if ref.priority in numbers:
            return f"There is no action {ref}: priority {ref.priority} has no actions."
        return (
            f"There is no action {ref}: the plan has no priority {ref.priority} "
            f"(it has priorities {describe_range(numbers)})."
        )
    first, last = refs_in_priority[0], refs_in_priority[-1]
    span = first if first == last else f"{first}–{last}"
    return f"There is no action {ref} — priority {ref.priority} has actions {span}."


def no_such_recommendation(recommendation: int, recommendations: list[int]) -> str:
    if not recommendations:
        return (
            "The plan records no Ofsted recommendation numbers, so no priority answers "
            f"recommendation {recommendation}. Try `/plan status 7` (a priority) instead."
        )
    return (
        f"No priority answers Ofsted recommendation {recommendation} — "
        f"the plan answers recommendations {describe_range(recommendations)}."
    )
