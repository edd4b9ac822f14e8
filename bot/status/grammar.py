"""Parsing `/plan` arguments into a request, or a clear message saying what is valid."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.plan.refs import ActionRef
from bot.slack.blocks import escape


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


@dataclass(frozen=True)
class Update:
    """`/plan update 7.3 <text>`: a progress update, read as a reply to that action."""

    ref: ActionRef
    text: str


PlanCommand = (
    Help | PlanStatus | PriorityStatus | ActionStatus | RecommendationStatus | Update | Invalid
)

_NUMBER = re.compile(r"^[0-9]{1,6}$")


@dataclass(frozen=True)
class Verb:
    """One /plan verb: what it reads, its usage lines for /plan help (and the README, checked
    by a test), and who may use it."""

    name: str
    usages: tuple[tuple[str, str], ...]
    who: str  # "anyone", "leads" (an action's leads, deputies and admins), "admins"
    read: Callable[[list[str], str], PlanCommand]


def parse(text: str) -> PlanCommand:
    """What `/plan <text>` asks for. Full-width digits and stray spaces are forgiven."""
    text = unicodedata.normalize("NFKC", text or "")
    words = text.split()
    if not words:
        return Help()
    verb = VERBS_BY_NAME.get(words[0].lower())
    if verb is None:
        close = difflib.get_close_matches(words[0].lower(), list(VERBS_BY_NAME), n=1)
        hint = f" Did you mean `/plan {close[0]}`?" if close else ""
        return _invalid(
            f"I don't know `/plan {{echo}}`.{hint} I understand: {_valid_verbs()}.", words[0]
        )
    rest = text.strip()[len(words[0]) :].strip()
    return verb.read(words[1:], rest)


def _help(args: list[str], rest: str) -> PlanCommand:
    return Help()


def _status(args: list[str], rest: str) -> PlanCommand:
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


def _update(args: list[str], rest: str) -> PlanCommand:
    ref = ActionRef.parse(args[0].rstrip(":")) if args else None
    if ref is None:
        return _invalid(
            "`/plan update` needs an action number first, then what has happened: "
            "`/plan update 7.3 on track, guides printed`. `{echo}` is not an action number.",
            args[0] if args else "",
        )
    words = rest.split(maxsplit=1)
    said = words[1].strip() if len(words) > 1 else ""
    if not said:
        return Invalid(
            f"Say what has happened on {ref}: `/plan update {ref} on track, guides printed`."
        )
    return Update(ref, said)


VERBS = (
    Verb("help", (("/plan help", "What /plan can do"),), "anyone", _help),
    Verb(
        "status",
        (
            ("/plan status", "The whole plan: RAG tallies by priority"),
            ("/plan status 7", "Priority 7: its actions, leads, timescales and RAG"),
            ("/plan status 7.3", "Action 7.3 with its whole history"),
            ("/plan status rec 9", "The priorities that answer Ofsted recommendation 9"),
        ),
        "anyone",
        _status,
    ),
    Verb(
        "update",
        (("/plan update 7.3 TEXT", "A progress update on action 7.3, read as a reply"),),
        "leads",
        _update,
    ),
)
VERBS_BY_NAME = {verb.name: verb for verb in VERBS} | {"?": VERBS[0]}
HELP_LINES = tuple(usage for verb in VERBS for usage in verb.usages)


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
