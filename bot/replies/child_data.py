"""Signs that a reply may hold a child's personal details, which the plan never needs.

Three signs: a name tied to a case ("Child A", "Jayden's case", "case of Tom Smith"), a date of
birth ("DOB 01/02/2010", "born 3 March 2012"), or a case number ("case no 12345", "LL123456").
The warning is gentle and nothing is blocked, so the patterns lean towards ordinary replies
passing quietly: "case summaries", "40 children", "Child & Family Workers" and "Liquid Logic"
are the plan's everyday words.
"""

from __future__ import annotations

import re
from datetime import date

from bot.replies.dates import find_dates

# Capitalised words that the plan and its teams use, so "Sunderland's plan" is no child's name.
_NOT_NAMES_WORDS = """
    the a an this that our my their his her its sunderland tfc icrt mset slt qic ofsted police
    health education council court director team teams manager managers service services partner
    partners partnership board panel group school schools iro iros edt csn lcs ll liquid logic
    early help adoption fostering foster nhs ntw hast sscb northumbria region city authority
    agency agencies practice principal social worker workers family families plan
"""
_NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())

_CASE_WORDS = (
    r"(?:case|file|record|records|placement|referral|assessment|chronology|cp\s+plan"
    r"|care\s+plan|child\s+protection\s+plan|mum|mother|dad|father|carers?|siblings?|school"
    r"|social\s+worker|sw|review|conference|strategy\s+meeting)"
)
_NAMED_CASE = re.compile(
    # "Child A", "Baby X", "young person B", "YP J" (an anonymised letter is still one child)
    r"\b(?:[Cc]hild|[Bb]aby|[Yy]oung\s+[Pp]erson|YP|[Ss]ibling)\s+[A-HJ-Z](?:\.\s?[A-Z])?\b"
    # "Jayden's case", "Tom Smith's placement"
    r"|\b(?P<owner>[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})?)['’]s\s+" + _CASE_WORDS + r"\b"
    # "case of Tom Smith", "re: Jayden", "for Jayden S"
    r"|\b(?:case|file|records?|placement|referral)\s+(?:of|for|re|regarding|about|relating\s+to)"
    r":?\s+(?P<named>[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]*)?)\b"
)
_BIRTH = re.compile(
    r"\b(?:d\.?o\.?b\b\.?|date\s+of\s+birth\b|born(?:\s+on)?\b|birthday\b)\s*:?\s*", re.IGNORECASE
)
_CASE_NUMBER = re.compile(
    r"\b(?:case|client|child|person|nhs|upn|ll|lcs|mosaic)\s*(?:no\.?|num(?:ber)?"
    r"|ref(?:erence)?|id|#)\s*[:#]?\s*\d{3,}\b"
    r"|\b(?:case|client|nhs|upn|ll|lcs|mosaic|id|cn)\s*[-:#]?\s*\d{5,}\b",
    re.IGNORECASE,
)

CHILD_DATA_WARNING = (
    "This reply may include a child's personal details (a name with a case, a date of birth or a "
    "case number). The plan never needs them — could you edit them out?"
)


def _is_name(words: str | None) -> bool:
    return bool(words) and words.split()[0].lower() not in _NOT_NAMES


def may_hold_child_data(text: str, *, today: date) -> bool:
    """Whether the text looks as if it holds a child's name, date of birth or case number."""
    for match in _NAMED_CASE.finditer(text):
        owner = match.group("owner") or match.group("named")
        if owner is None or _is_name(owner):
            return True
    if _CASE_NUMBER.search(text):
        return True
    for match in _BIRTH.finditer(text):
        following = text[match.end() : match.end() + 24]
        if any(mention.start == 0 for mention in find_dates(following, today=today)):
            return True
    return False
