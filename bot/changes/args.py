"""Reading the admin verbs' `/plan` arguments (the words after the verb) into plain requests.

Each parser returns its request, or one message (plain text, not yet escaped for mrkdwn) that
says what is wrong and what is valid. Names and texts go in quotes, straight or curly ("…",
“…”), since phones type curly ones; a role or a one-word name may go without. Slack sends `&`,
`<` and `>` escaped in a command's text, so they are unescaped here, where the words are read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.changes.dates import EXAMPLES, read_date
from bot.plan.refs import ActionRef

MeasureKind = Literal["kpi", "quality"]

ADD_USAGE = '/plan add 3 "text" lead "ROLE" due 31/03/19'
RETIME_USAGE = '/plan retime 3.4 30/06/19 "reason"'
CLOSE_USAGE = '/plan close 3.4 "reason"'
MEASURE_USAGE = {
    "kpi": '/plan kpi 1 "KPI name or number" VALUE',
    "quality": '/plan qa 1 "measure name or number" RATING',
}
MEASURE_WORDS = {"kpi": "KPI", "quality": "quality measure"}
VALUE_WORDS = {"kpi": "value", "quality": "rating"}
# A KPI value ("82%") or a QA rating ("Requires improvement") is a few words: a longer one is
# most likely a paste gone wrong, and it must stay readable in a status answer.
MAX_VALUE_CHARS = 200

# Double quotes only: a single one is an apostrophe ("Children's Social Care").
_QUOTES = '"“”„‟'
_ADD_KEYWORDS = ("lead", "due")
_LONGEST_DATE = 4  # words: "31st of March 2019"


@dataclass(frozen=True)
class AddAction:
    """A New Action for a priority, led by one or more roles, due on a date."""

    priority: int
    text: str
    leads: tuple[str, ...]
    due: date


@dataclass(frozen=True)
class Retime:
    """An action's timescale moved to a new date (the original is kept)."""

    ref: ActionRef
    to: date
    reason: str | None


@dataclass(frozen=True)
class Close:
    """An action taken out of the loop (superseded, withdrawn), kept in the plan's history."""

    ref: ActionRef
    reason: str


@dataclass(frozen=True)
class RecordMeasure:
    """A KPI value or quality rating for a priority's measure, named or numbered (1..n)."""

    kind: MeasureKind
    priority: int
    measure: str
    value: str


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool

    def is_word(self, *words: str) -> bool:
        return not self.quoted and self.text.lower() in words


def tokens(rest: str) -> list[Token] | str:
    """The words of `rest`, a quoted span being one token; a message if a quote is never closed."""
    text = unicodedata.normalize("NFKC", _unescape(rest or ""))
    found: list[Token] = []
    word: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char in _QUOTES:
            if word:
                found.append(Token("".join(word), quoted=False))
                word = []
            end = next((i for i in range(position + 1, len(text)) if text[i] in _QUOTES), None)
            if end is None:
                return (
                    f"A quote opens before {_shown(text[position + 1 :])!r} and is never closed; "
                    'put the name or text between two quotes, like "Chair of SSCB".'
                )
            found.append(Token(" ".join(text[position + 1 : end].split()), quoted=True))
            position = end + 1
            continue
        if char.isspace():
            if word:
                found.append(Token("".join(word), quoted=False))
                word = []
        else:
            word.append(char)
        position += 1
    if word:
        found.append(Token("".join(word), quoted=False))
    return found


def parse_add(rest: str) -> AddAction | str:
    """`/plan add 3 "text" lead "ROLE" [lead "ROLE"] due 31/03/19`."""
    words = tokens(rest)
    if isinstance(words, str):
        return words
    usage = f"`{ADD_USAGE}`"
    if not words:
        return f"Say which priority, the action's text, its lead and its timescale: {usage}."
    priority = _priority(words[0])
    if priority is None:
        if ActionRef.parse(words[0].text):
            return (
                f"`/plan add` takes a priority number (3), not an action: the New Action gets "
                f"the priority's next number. {usage}"
            )
        return f"{_shown(words[0].text)!r} is not a priority number. {usage}"
    if len(words) < 2 or not words[1].quoted:
        return f"Put the new action's text in quotes after the priority: {usage}."
    text = words[1].text
    if not text:
        return f"The new action's text is empty. {usage}"
    parts = _keyword_parts(words[2:], _ADD_KEYWORDS)
    if isinstance(parts, str):
        return f'{parts} After the text come `lead "ROLE"` and `due DATE`: {usage}.'
    leads = tuple(" ".join(t.text for t in value) for keyword, value in parts if keyword == "lead")
    if not leads:
        return f"Say who leads the new action: {usage}."
    if any(not lead for lead in leads):
        return f"Give the lead role after `lead`: {usage}."
    dues = [value for keyword, value in parts if keyword == "due"]
    if not dues or not dues[0]:
        return f"Say when the new action is due: {usage}."
    if len(dues) > 1:
        return f"Give one `due` date: {usage}."
    due = read_date(" ".join(t.text for t in dues[0]))
    if isinstance(due, str):
        return due
    return AddAction(priority, text, tuple(dict.fromkeys(leads)), due)


def parse_retime(rest: str) -> Retime | str:
    """`/plan retime 3.4 [to] 30/06/19 ["reason"]`."""
    words = tokens(rest)
    if isinstance(words, str):
        return words
    usage = f"`{RETIME_USAGE}`"
    ref = _ref(words, "retime", usage)
    if isinstance(ref, str):
        return ref
    after = words[1:]
    if after and after[0].is_word("to"):
        after = after[1:]
    # The date is the longest run of leading unquoted words that reads as one ("30 June 2019");
    # whatever follows it is the reason.
    plain = [token.text for token in _unquoted_prefix(after)][:_LONGEST_DATE]
    if not plain:
        return f"Say the new date for {ref}: `/plan retime {ref} {_example_date()}`."
    for count in range(len(plain), 0, -1):
        to = read_date(" ".join(plain[:count]))
        if isinstance(to, date):
            reason = " ".join(token.text for token in after[count:]).strip()
            return Retime(ref, to, reason or None)
    # No reading: the message about what looks most like the date that was meant ("30 June"
    # or "30/06"); every run of words was tried above, so this is a message.
    named = len(plain) > 1 and plain[1].rstrip(".,").isalpha()
    message = read_date(" ".join(plain[:3]) if named else plain[0])
    assert isinstance(message, str)
    return message


def parse_close(rest: str) -> Close | str:
    """`/plan close 3.4 "reason"`: the reason is required (why it leaves the plan's loop)."""
    words = tokens(rest)
    if isinstance(words, str):
        return words
    usage = f"`{CLOSE_USAGE}`"
    ref = _ref(words, "close", usage)
    if isinstance(ref, str):
        return ref
    reason = " ".join(token.text for token in words[1:]).strip()
    if not reason:
        return f'Say why {ref} is closed: `/plan close {ref} "superseded by {ref.priority}.9"`.'
    return Close(ref, reason)


def parse_measure(kind: MeasureKind, rest: str) -> RecordMeasure | str:
    """`/plan kpi 1 "KPI name or number" VALUE` and `/plan qa 1 "measure name or number" RATING`."""
    words = tokens(rest)
    if isinstance(words, str):
        return words
    usage = f"`{MEASURE_USAGE[kind]}`"
    what, value_word = MEASURE_WORDS[kind], VALUE_WORDS[kind]
    if not words:
        return (
            f"Say which priority, which {what} (its name or number) and the {value_word}: {usage}."
        )
    priority = _priority(words[0])
    if priority is None:
        return f"{_shown(words[0].text)!r} is not a priority number. {usage}"
    if len(words) < 2 or not words[1].text:
        return f"Say which of priority {priority}'s {what}s (its name in quotes, or its number): {usage}."
    value = " ".join(token.text for token in words[2:]).strip()
    if not value:
        return f"Give the {value_word} to record for {_shown(words[1].text)!r}: {usage}."
    if len(value) > MAX_VALUE_CHARS:
        return (
            f"That {value_word} is {len(value):,} characters long; at most {MAX_VALUE_CHARS} fit. "
            f"Record a short {value_word} (the detail belongs in a progress update)."
        )
    return RecordMeasure(kind, priority, words[1].text, value)


def _priority(token: Token) -> int | None:
    text = token.text.rstrip(".")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _ref(words: list[Token], verb: str, usage: str) -> ActionRef | str:
    if not words:
        return f"Say which action: {usage}."
    ref = ActionRef.parse(words[0].text.rstrip(":,"))
    if ref is None:
        return f"{_shown(words[0].text)!r} is not an action number like 3.4. {usage}"
    return ref


def _keyword_parts(
    words: list[Token], keywords: tuple[str, ...]
) -> list[tuple[str, list[Token]]] | str:
    """(keyword, the tokens up to the next keyword) for each keyword in turn; a message if a
    word comes before the first keyword."""
    parts: list[tuple[str, list[Token]]] = []
    for token in words:
        if token.is_word(*keywords):
            parts.append((token.text.lower(), []))
        elif not parts:
            return f"I don't understand {_shown(token.text)!r} there."
        else:
            parts[-1][1].append(token)
    return parts


def _unquoted_prefix(words: list[Token]) -> list[Token]:
    prefix = []
    for token in words:
        if token.quoted:
            break
        prefix.append(token)
    return prefix


def _example_date() -> str:
    return EXAMPLES.split(",")[0]


def _shown(text: str) -> str:
    # Keep an echo short and free of backticks so that it cannot break the answer's formatting.
    text = text.replace("`", "'")
    return text if len(text) <= 40 else text[:39] + "…"


def _unescape(text: str) -> str:
    # Slack escapes these three in a command's text; "&amp;" last, so "&amp;lt;" stays "&lt;".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
