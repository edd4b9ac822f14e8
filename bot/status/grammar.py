"""Parsing `/plan` arguments into a request, or a clear message saying what is valid."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.changes.args import (
    ADD_USAGE,
    CLOSE_USAGE,
    MEASURE_USAGE,
    RETIME_USAGE,
    AddAction,
    Close,
    RecordMeasure,
    Retime,
    parse_add,
    parse_close,
    parse_measure,
    parse_retime,
)
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


@dataclass(frozen=True)
class ListActions:
    """`/plan mine`, `/plan due [DAYS] [mine]`, `/plan overdue [mine]`."""

    which: str  # "mine", "due", "overdue"
    mine: bool = False
    days: int = 14


@dataclass(frozen=True)
class Who:
    """`/plan who "ROLE"` or `/plan who @user`."""

    role: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class Leads:
    """`/plan leads`: every role, its people, deputies, leave, and roles nobody is mapped to."""


@dataclass(frozen=True)
class Lead:
    """`/plan lead "ROLE" @user [deputy @user]` (map) or `/plan unlead "ROLE" @user`."""

    role: str
    user: str
    deputy: str | None = None
    remove: bool = False


@dataclass(frozen=True)
class Away:
    """`/plan leave @user until DATE` or `/plan leave @user cancel`."""

    user: str
    until: date | None  # None: cancel


@dataclass(frozen=True)
class Pending:
    """`/plan pending`: proposals waiting for the approvers."""


@dataclass(frozen=True)
class DigestRequest:
    """`/plan digest` (a preview for the caller) or `/plan digest post` (admins: post it now)."""

    post: bool = False


@dataclass(frozen=True)
class Export:
    """`/plan export`: the plan's workbook, sent to the caller by DM."""


PlanCommand = (
    Help
    | PlanStatus
    | PriorityStatus
    | ActionStatus
    | RecommendationStatus
    | Update
    | ListActions
    | Who
    | Leads
    | Lead
    | Away
    | Pending
    | Export
    | DigestRequest
    | AddAction
    | Retime
    | Close
    | RecordMeasure
    | Invalid
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


def verb_of(text: str) -> Verb | None:
    """The verb `/plan <text>` uses, if it is one."""
    words = unicodedata.normalize("NFKC", text or "").split()
    return VERBS_BY_NAME.get(words[0].lower()) if words else None


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


def _mine(args: list[str], rest: str) -> PlanCommand:
    if args:
        return _invalid("`/plan mine` takes nothing more; `{echo}` is extra.", " ".join(args))
    return ListActions("mine", mine=True)


def _due(args: list[str], rest: str) -> PlanCommand:
    words = [a.lower() for a in args]
    mine = "mine" in words
    numbers = [w for w in words if w != "mine"]
    if len(numbers) > 1 or (
        numbers and not (_NUMBER.match(numbers[0]) and 0 < int(numbers[0]) <= 366)
    ):
        return _invalid(
            "`/plan due` takes a number of days from 1 to 366 and `mine`, e.g. `/plan due 30 mine`; "
            "`{echo}` is not that.",
            " ".join(args),
        )
    return ListActions("due", mine=mine, days=int(numbers[0]) if numbers else 14)


def _overdue(args: list[str], rest: str) -> PlanCommand:
    if [a for a in args if a.lower() != "mine"]:
        return _invalid("`/plan overdue` takes only `mine`; `{echo}` is not that.", " ".join(args))
    return ListActions("overdue", mine=bool(args))


def _who(args: list[str], rest: str) -> PlanCommand:
    user = _user(rest)
    if user:
        return Who(user=user)
    role = _unquote(rest)
    if not role:
        return Invalid('Say whom: `/plan who "Service Manager - ICRT"` or `/plan who @someone`.')
    return Who(role=role)


def _leads(args: list[str], rest: str) -> PlanCommand:
    return Leads()


def _lead(args: list[str], rest: str, *, remove: bool = False) -> PlanCommand:
    verb = "unlead" if remove else "lead"
    role, after = _quoted_first(rest)
    users = _USER.findall(after)
    deputy = None
    if not remove and re.search(r"\bdeputy\b", after, re.I):
        before, _, tail = re.split(r"(\bdeputy\b)", after, maxsplit=1, flags=re.I)
        users, deputies = _USER.findall(before), _USER.findall(tail)
        deputy = _id(deputies[0]) if deputies else None
        if not deputies:
            return Invalid(f'Name the deputy: `/plan {verb} "ROLE" @lead deputy @someone`.')
    if len(users) > 1:
        return Invalid(f'Name one person at a time: `/plan {verb} "ROLE" @someone`.')
    if not role or not users:
        example = (
            '`/plan unlead "ROLE" @someone`'
            if remove
            else '`/plan lead "ROLE" @someone [deputy @someone]`'
        )
        return Invalid(f"Say which role, in quotes, and who: {example}.")
    return Lead(role, _id(users[0]), deputy, remove)


def _unlead(args: list[str], rest: str) -> PlanCommand:
    return _lead(args, rest, remove=True)


def _leave(args: list[str], rest: str) -> PlanCommand:
    user = _user(rest)
    after = _USER.sub("", rest).strip()
    if not user:
        return Invalid(
            "Say who: `/plan leave @someone until 31/12/18` or `/plan leave @someone cancel`."
        )
    if after.lower() == "cancel":
        return Away(user, None)
    match = re.fullmatch(r"until\s+(.+)", after, re.I)
    day = _uk_date(match.group(1)) if match else None
    if day is None:
        return _invalid(
            "Say until when, as a date: `/plan leave @someone until 31/12/18` (or `cancel`); "
            "`{echo}` is not that.",
            after or "(nothing)",
        )
    return Away(user, day)


def _pending(args: list[str], rest: str) -> PlanCommand:
    return Pending()


def _export(args: list[str], rest: str) -> PlanCommand:
    return Export()


def _change(parse: Callable[[str], PlanCommand | str]) -> Callable[[list[str], str], PlanCommand]:
    """A verb that changes the plan (bot/changes/args.py reads its arguments)."""

    def read(args: list[str], rest: str) -> PlanCommand:
        found = parse(rest)
        return Invalid(escape(found), found) if isinstance(found, str) else found

    return read


def _digest(args: list[str], rest: str) -> PlanCommand:
    if not args:
        return DigestRequest()
    if [a.lower() for a in args] == ["post"]:
        return DigestRequest(post=True)
    return _invalid(
        "`/plan digest` previews this week's digest for you; `/plan digest post` (admins) posts "
        "it to the committee channel. `{echo}` is neither.",
        " ".join(args),
    )


# Slack sends a mention as <@U123|name> in a slash command's text (the command escapes its
# text: https://docs.slack.dev/interactivity/implementing-slash-commands#escaping).
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|\b([UW][A-Z0-9]{6,})\b")


def _id(found: tuple[str, str]) -> str:
    return found[0] or found[1]


def _user(text: str) -> str | None:
    found = _USER.findall(text)
    return _id(found[0]) if found else None


def _unquote(text: str) -> str:
    return text.strip().strip("\"“”'").strip()


def _quoted_first(text: str) -> tuple[str, str]:
    """A quoted name at the start ("Service Manager - ICRT") and what follows it."""
    match = re.match(r'\s*["“]([^"”]+)["”](.*)', text, re.S)
    if match:
        return match.group(1).strip(), match.group(2)
    head, _, tail = text.partition("<@")
    return head.strip(), ("<@" + tail) if tail else ""


def _uk_date(text: str) -> date | None:
    """A date as a UK reader writes it: 31/12/18, 31/12/2018, 2018-12-31."""
    text = text.strip()
    for pattern in ("%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no zone)
        except ValueError:
            continue
    return None


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
        "mine", (("/plan mine", "Your actions (as lead or deputy), by timescale"),), "anyone", _mine
    ),
    Verb(
        "due",
        (("/plan due [DAYS] [mine]", "Actions due in the next DAYS days (14 unless said)"),),
        "anyone",
        _due,
    ),
    Verb(
        "overdue",
        (("/plan overdue [mine]", "Actions past their timescale, the longest overdue first"),),
        "anyone",
        _overdue,
    ),
    Verb(
        "who",
        (
            ('/plan who "ROLE"', "Who leads a role, and who deputises"),
            ("/plan who @user", "What a person leads"),
        ),
        "anyone",
        _who,
    ),
    Verb(
        "update",
        (("/plan update 7.3 TEXT", "A progress update on action 7.3, read as a reply"),),
        "leads",
        _update,
    ),
    Verb(
        "leads",
        (("/plan leads", "Admins: every role, its people, deputies and leave"),),
        "admins",
        _leads,
    ),
    Verb(
        "lead",
        (
            (
                '/plan lead "ROLE" @user [deputy @user]',
                "Admins: map a role to a person (and deputy)",
            ),
        ),
        "admins",
        _lead,
    ),
    Verb(
        "unlead",
        (('/plan unlead "ROLE" @user', "Admins: stop mapping a person to a role"),),
        "admins",
        _unlead,
    ),
    Verb(
        "leave",
        (
            ("/plan leave @user until DATE", "Admins: someone is away; their deputy is reminded"),
            ("/plan leave @user cancel", "Admins: they are back"),
        ),
        "admins",
        _leave,
    ),
    Verb(
        "pending",
        (("/plan pending", "Approvers: proposals waiting for a decision, with Accept / Return"),),
        "approvers",
        _pending,
    ),
    Verb(
        "export",
        (("/plan export", "Admins: the plan's workbook, sent to you by DM"),),
        "admins",
        _export,
    ),
    Verb("add", ((ADD_USAGE, "Admins: a New Action in priority 3"),), "admins", _change(parse_add)),
    Verb(
        "retime",
        ((RETIME_USAGE, "Admins: revise a timescale (the original is kept)"),),
        "admins",
        _change(parse_retime),
    ),
    Verb(
        "close",
        ((CLOSE_USAGE, "Admins: close a superseded action (kept in the history)"),),
        "admins",
        _change(parse_close),
    ),
    Verb(
        "kpi",
        ((MEASURE_USAGE["kpi"], "Admins: record a KPI's value, dated, with who"),),
        "admins",
        _change(lambda rest: parse_measure("kpi", rest)),
    ),
    Verb(
        "qa",
        ((MEASURE_USAGE["quality"], "Admins: record a quality measure's rating"),),
        "admins",
        _change(lambda rest: parse_measure("quality", rest)),
    ),
    Verb(
        "digest",
        (
            ("/plan digest", "A preview of this week's committee digest, for you"),
            ("/plan digest post", "Admins: post the digest to the committee channel now"),
        ),
        "anyone",
        _digest,
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
