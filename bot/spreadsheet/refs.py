"""Numbers written into a plan's text: action ids, "Priority N:" heads, paragraph and Ofsted refs."""

from __future__ import annotations

import re

from bot.plan.refs import ActionRef
from bot.spreadsheet.cells import numbers

_REF_GROUP = r"\d{1,3}(?:\s*(?:,|&|and)\s*\d{1,3})*"
_TRAILING_PARAS = re.compile(
    r"\(\s*(?:para(?:graph)?s?\.?\s*)?(" + _REF_GROUP + r")\s*\)\s*\.?\s*$", re.I
)
_TRAILING_OFSTED = re.compile(
    r"\(\s*ref\s*[:.]?\s*ofsted\s+recommendation\s+(\d{1,4})\s*\)\s*\.?\s*$", re.I
)
_PRIORITY_HEAD = re.compile(
    r"^\s*(?:priority|recommendation)\s*(\d{1,4})\b\s*[:.\-\u2013]?\s*", re.I
)
ACTION_HEAD = re.compile(r"^\s*(\d{1,4}\.\d{1,4})\.?(?:\s+|$)")  # "1.1 Commission ..."
PARAGRAPH_LIST = re.compile(r"\d+(?:\s*(?:,|;|&|and)\s*\d+)*")  # a Paragraph Refs cell: "21, 78"


def split_trailing_refs(text: str, *, ofsted: bool) -> tuple[str, list[int], int | None]:
    """Text without its trailing "(21) (78)" / "(para 21, 23)" / "(Ref: Ofsted Recommendation 1)".

    Returns (text, paragraph refs in reading order, Ofsted recommendation number or None).
    Only numbers of up to three digits count as paragraph refs, so "(2019)" stays in the text.
    """
    groups: list[list[int]] = []
    number = None
    # "… of children. (23) (24)." or "… of children (23)." keeps its full stop: the refs go, the
    # sentence's end stays (the seed plan writes most actions so).
    stopped = False
    while True:
        text = text.rstrip()
        if ofsted and number is None and (match := _TRAILING_OFSTED.search(text)):
            number = int(match.group(1))
        elif match := _TRAILING_PARAS.search(text):
            groups.insert(0, numbers(match.group(1)))
        else:
            break
        stopped = stopped or match.group(0).rstrip().endswith(".")
        text = text[: match.start()]
    text = text.strip()
    if stopped and text and not text.endswith((".", "!", "?")):
        text += "."
    return text, [n for group in groups for n in group], number


def priority_cell(text: str) -> tuple[int | None, str, list[int], int | None]:
    """(number, recommendation, paragraph refs, Ofsted number) from a Priority/Recommendation cell.

    The recommendation comes back on one line (a wrapped cell's line breaks become spaces).

    "7", "Priority 7", "Priority 7: Ensure ... (para 27, 36) (Ref: Ofsted Recommendation 9)", or
    the recommendation's text alone.
    """
    if text.isdigit():
        return int(text), "", [], None
    number = None
    if match := _PRIORITY_HEAD.match(text):
        number, text = int(match.group(1)), text[match.end() :]
    recommendation, refs, ofsted = split_trailing_refs(text, ofsted=True)
    return number, " ".join(recommendation.split()), refs, ofsted


def clean_id(text: str) -> str:
    """An action id without an "Action " in front or a "." after it."""
    text = re.sub(r"^\s*action\s+", "", text, flags=re.I)
    return text.strip().rstrip(".")


def action_ref(text: str, priority: int | None) -> ActionRef | None:
    """ "7.3" (or "Action 7.3"); a bare "3" is action 3 of the priority above, when there is one."""
    text = clean_id(text)
    if text.isdigit() and priority is not None:
        return ActionRef(priority, int(text))
    return ActionRef.parse(text)
