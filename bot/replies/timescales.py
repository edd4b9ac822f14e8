"""A revised timescale a reply gives: the date an action now moves to.

A date is a revised timescale when the words just before it move the action's date ("now
expected 30/11/18", "new date: 31/03/19", "slipped from December to April 2019") or promise the
action's end ("will be finished by 28 February 2019") for a day later than the current timescale.
A date that reports an event ("approved by SLT on 12/12/18") is none, and nor is the current
timescale itself ("still on track for 31/12/18"). A month alone means its last day ("slip to
April 2019" is 30 April 2019).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.replies.dates import DateMention, find_dates

_FILLER = (
    r"(?:\s*[:\-–=]?\s*(?:to|until|till|by|for|on|in|into|around|approx\.?|c\.|w/c|the|of|at|be"
    r"|now|is|was|end|mid|early|late|beginning|start)\b)*\s*[:\-–=]?\s*$"
)
# Words that name a new date for the action, whatever day follows ("new date agreed with the
# chair: 28/02/19" may even bring it forward).
_NEW_DATE = re.compile(
    r"(?:\b(?:new|revised|amended|updated)\s+(?:[\w-]+\s+)?"
    r"(?:date|timescale|deadline|target)(?:\s+(?:agreed|proposed|set|requested|given))?"
    r"(?:\s+(?:with|by)\s+(?:the\s+)?\w+)?"
    r"|\b(?:proposed|target|completion)\s+(?:date|timescale)(?:\s+(?:is|now))?"
    r"|\bnow\s+(?:expected|due|planned|scheduled|targeted|aiming|looking\s+at)"
    r"|\bre-?(?:timed|scheduled|planned|set)"
    r"|\bexpected(?:\s+(?:completion|to\s+(?:be\s+)?(?:complete|completed|finish|finished|done"
    r"|conclude|end|land|be\s+in\s+place|sign(?:ed)?\s+off)))?"
    r"|\beta|\bnew\s+timescale\s+of"
    r")" + _FILLER,
    re.IGNORECASE,
)
# Words that move the date later: "slipped to", "pushed back to", "slipped from March to".
_MOVED = re.compile(
    r"\b(?:slip|slips|slipped|slipping|push|pushed|pushing|move|moved|moving|postpone|postponed"
    r"|delay|delayed|defer|deferred|extend|extended|extension|put\s+back|sliped|run|runs|running"
    r"|go|goes|going|continue|continues|continuing|drag\w*|stretch\w*)"
    r"(?:\s+(?:back|out))?(?:\s+(?:the\s+)?(?:date|timescale|deadline|it|this|completion))?"
    r"(?:\s+from\s+[^.;!?\n]{1,30}?)?\s+(?:to|until|till|into|for)" + _FILLER,
    re.IGNORECASE,
)
# Words that promise the action's end by a day: a revision only if that day is later.
_PROMISES = re.compile(
    r"(?:\b(?:complete|completed|completion|finish|finished|done|in\s+place|signed\s+off|sign\s+off"
    r"|delivered|ready|implemented|embedded|launched|live|concluded|closed|wrapped\s+up|rolled\s+out"
    r"|on\s*track|aim|aiming|hope|hoping|expect|expecting|target|targeting|should|will|plan"
    r"|planning|due|deadline|timescale)\b[^.;!?\n]{0,25}?\b(?:by|before|for|in|at|until|till"
    r"|end\s+of|on)\b"
    r"|\b(?:now|realistic(?:ally)?|likely|probably|more\s+like|looking\s+at|say|says|said))"
    + _FILLER,
    re.IGNORECASE,
)
# ... or said after the day: "mid-January realistic", "end of May realistically", "Sept now".
_PROMISED_AFTER = re.compile(
    r"\s*(?:is\s+|looks\s+|seems\s+)?(?:more\s+)?(?:realistic(?:ally)?|likely|probably|now"
    r"|at\s+the\s+earliest|at\s+best)\b",
    re.IGNORECASE,
)
# Events reported as having happened on a day ("approved by SLT on 12/12/18").
_EVENT = re.compile(
    r"\b(?:approved|agreed|held|met|took\s+place|presented|launched|signed|started|sent|circulated"
    r"|submitted|went|was|were|had|happened|attended|received|delivered|completed|finished|done"
    r"|ran|chaired|published|issued|discussed|reviewed|ratified|endorsed)\b"
    r"[^.;!?\n]{0,30}?\b(?:on|at|dated)\s*$",
    re.IGNORECASE,
)
_FUTURE = re.compile(r"\b(?:will|to\s+be|should|expect\w*|due|aim\w*|plan\w*|hope|now)\b", re.I)
# The start of some work is not the end of the action: "training will commence in November".
_STARTS = re.compile(r"\b(?:commenc\w*|start\w*|begin\w*|began|kick\w*\s+off)\b", re.I)
_SENTENCE = re.compile(r"[;!?\n]|\.(?=\s)")


def _window(text: str, start: int) -> str:
    window = text[max(0, start - 80) : start]
    return _SENTENCE.split(window)[-1]


def _a_year_later(value: date) -> date:
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def revised_timescale(
    text: str, *, today: date, current: date | None, dates: list[DateMention] | None = None
) -> date | None:
    """The date the text moves the action to, or None when it moves none."""
    found = None
    for mention in dates if dates is not None else find_dates(text, today=today):
        before = _window(text, mention.start)
        value = mention.value
        if _EVENT.search(before) and not _FUTURE.search(before):
            continue
        later = current is None or value > current
        if _NEW_DATE.search(before) or _MOVED.search(before):
            if not mention.year_given and value < today - timedelta(days=7):
                value = _a_year_later(value)  # "slip to March" said in December
                later = current is None or value > current
            # A step of the work slipping to a day before the action's timescale does not move it.
            if not later and not _NEW_DATE.search(before):
                continue
        elif not (
            (_PROMISES.search(before) or _PROMISED_AFTER.match(text, mention.end))
            and not _STARTS.search(before)
            and value > today
            and later
        ):
            continue
        if value != current:
            found = value
    return found
