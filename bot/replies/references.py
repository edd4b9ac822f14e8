"""Which actions a reply names ("1.4", "action 1.4", "9.5:", "1.9 and 1.10", "1.9/1.10", "1.4-1.6"),
and the segment of its text that belongs to each.

A reply is cut into clauses (sentences, lines, commas, " - ", "but"). A clause with a reference
starts that action's segment; a clause without one continues the segment before it, so "1.4:
flowchart agreed, being implemented, on track" is all 1.4's. A clause that holds nothing but
references ("1.9, 1.10 and 1.11:") waits for the words that follow. Text before the first
reference is the preamble ("All on track: 1.4 …"), and a clause about "the others" or "the rest"
is kept apart for the context actions nobody named.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.plan.refs import ActionRef

# An action number: not part of a longer number, a date (30.11.18), a version (v1.4), a sum
# (£2.5m) or a quantity (2.5 days, 95.5%).
_REF = re.compile(
    r"(?<![\w.£$])(\d{1,2})\.(\d{1,2})(?!\.?\d|[\w%]|\s?(?:%|am\b|pm\b|fte\b|hours?\b|hrs?\b"
    r"|days?\b|weeks?\b|months?\b|years?\b|yrs?\b|miles?\b|k\b|m\b|million|per\s?cent))",
    re.IGNORECASE,
)
_RANGE = re.compile(r"^\s*(?:-|–|to)\s*$")
_JOINED = re.compile(
    r"^[\s,&/+:]*(?:(?:and|&|plus|or|also|as\s+well\s+as|-|–|to)\s*)?(?:actions?\s*)?$",
    re.IGNORECASE,
)
# "waiting on 1.8", "linked to 1.12", "see 1.4": the reply speaks of another action, not for it.
_MENTION = re.compile(
    r"\b(?:waiting|wait|waits|dependent|depends|depending|dependency|reliant|relies|rely|linked"
    r"|link|links|see|per|because\s+of|due\s+to|related|relates|part\s+of|feeds?|feeding|tied"
    r"|covered|same\s+as|as\s+in|as\s+with|under|from|after|following|alongside|like)"
    r"(?:\s+(?:on|to|for|in|into|by|under|with|the|outcome\s+of|progress\s+on))*\s+"
    r"(?:actions?\s+)?$",
    re.IGNORECASE,
)
_LOOKS_LIKE_TIME = re.compile(r"^\d{1,2}\.(?:00|15|30|45) |\b(?:at|@|from|until|till)\s*$")
_ACTION_WORD = re.compile(r"\b(?:actions?|ref|item|no\.?)\s*:?\s*$", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"[.!?;:]+(?=\s|$)|\n+|,|\s[-–—|]\s|\s[-–—]$|\bbut\b|\bhowever\b|\balthough\b|\bwhereas\b",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(?:actions?|and|or|re|ref|update|updates|on|for|plus|also|item|items|rag|status)\b"
    r"|[\s\-–—:;,.()#*•/&+_'\"]+",
    re.IGNORECASE,
)
_OTHERS = re.compile(
    r"\b(?:(?:all\s+)?(?:the\s+)?others|the\s+other\s+(?:ones?|actions?|two|three|four)"
    r"|(?:the\s+)?rest(?!\s+of\s+the\s+(?:team|staff|service|region|partnership|year|month|week"
    r"|plan|work))|(?:the\s+)?remaining\s+(?:ones|actions|items)|everything\s+else|all\s+else"
    r"|all\s+remaining)\b",
    re.IGNORECASE,
)
# "All on track", "both done", "all three green", "everything's on track": every context action.
_ALL_OF_THEM = re.compile(
    r"(?:^|[.!?;\n]\s*|\b(?:they(?:'re|\s+are)|these\s+are|those\s+are)\s+)"
    r"(?:all|both|everything|each)(?:\s+(?:of\s+them|of\s+these|actions|items|three|four|five|two"
    r"|of\s+my\s+actions|my\s+actions|the\s+actions))?(?:'s|\s+is|\s+are|\s+now|\s+still)*\s+"
    r"(?:on\s*tra?c?k|green|amber|red|done|complete|completed|delayed|behind|slipped|fine|ok|good"
    r"|signed\s+off|finished|at\s+risk|not\s+started)"
    r"|\b(?:they(?:'re|\s+are)|these\s+are|those\s+are)\s+(?:all|both)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RefMention:
    """An action number written in a reply, with where it stands."""

    start: int
    end: int
    ref: ActionRef
    known: bool


@dataclass
class Segment:
    """Some actions and the part of the reply said of them."""

    refs: list[ActionRef]
    start: int
    end: int


@dataclass
class Attribution:
    """Which actions a reply names, the text for each, and what it says of the rest."""

    segments: list[tuple[tuple[ActionRef, ...], str]] = field(default_factory=list)
    unknown: list[ActionRef] = field(default_factory=list)
    preamble: str = ""
    others: str | None = None


def find_references(text: str, plan: Collection[ActionRef]) -> list[RefMention]:
    """The action numbers the reply speaks for, in order (not those it only mentions)."""
    priorities: set[int] | None = None
    found: list[RefMention] = []
    for match in _REF.finditer(text):
        ref = ActionRef(int(match.group(1)), int(match.group(2)))
        before = text[max(0, match.start() - 40) : match.start()]
        if _MENTION.search(before):
            continue
        known = ref in plan
        if not known and _LOOKS_LIKE_TIME.search(match.group(0) + " " + before[-12:]):
            continue  # "meeting at 9.30"
        if not known:
            # A number that is no action is a typo for one only if it reads as one: its
            # priority exists, or it is called an action. "caseloads down to 18.5" is not.
            line_start = not before.strip() or before.rstrip()[-1] in "\n:•*-–("
            if priorities is None:
                priorities = {ref.priority for ref in plan}
            reads_as_action = ref.priority in priorities or _ACTION_WORD.search(before)
            if not reads_as_action and (not line_start or ref.priority > 99):
                continue
        if found and _RANGE.match(text[found[-1].end : match.start()]):
            first = found[-1].ref
            if first.priority == ref.priority and first.number < ref.number:
                found += [
                    RefMention(match.start(), match.start(), inner, True)
                    for inner in sorted(plan)
                    if inner.priority == ref.priority and first.number < inner.number < ref.number
                ]
        found.append(RefMention(match.start(), match.end(), ref, known))
    return found


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _CLAUSE_END.finditer(text):
        # A period inside an action number ("1.4. Done") is the sentence's end only after it.
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _only_references(text: str, start: int, end: int, mentions: list[RefMention]) -> bool:
    pieces, at = [], start
    for mention in mentions:
        pieces.append(text[at : mention.start])
        at = max(at, mention.end)
    pieces.append(text[at:end])
    return not _FILLER.sub("", " ".join(pieces))


def _clusters(text: str, mentions: list[RefMention]) -> list[list[RefMention]]:
    clusters = [[mentions[0]]]
    for mention in mentions[1:]:
        if _JOINED.match(text[clusters[-1][-1].end : mention.start]):
            clusters[-1].append(mention)
        else:
            clusters.append([mention])
    return clusters


def attribute(text: str, mentions: list[RefMention]) -> Attribution:
    """Cut the reply into the segments that belong to each named action."""
    result = Attribution()
    segments: list[Segment] = []
    current: Segment | None = None
    others: list[tuple[int, int]] = []
    in_others = False
    preamble_end = 0
    pending: list[RefMention] = []
    pending_start = 0
    at = 0  # both lists run in text order, so one pass pairs clauses with their mentions
    for start, end in _clauses(text):
        while at < len(mentions) and mentions[at].start < start:
            at += 1
        inside = []
        while at < len(mentions) and mentions[at].start < end:
            inside.append(mentions[at])
            at += 1
        if not inside:
            if pending:
                current = Segment([m.ref for m in pending], pending_start, end)
                segments.append(current)
                pending = []
            elif _OTHERS.search(text, start, end):
                others.append((start, end))
                in_others, current = True, None
            elif in_others:
                others[-1] = (others[-1][0], end)
            elif current is not None:
                current.end = end
            else:
                preamble_end = end
            continue
        in_others = False
        if _only_references(text, start, end, inside):
            pending_start = start if not pending else pending_start
            pending += inside
            continue
        clusters = _clusters(text, inside)
        for index, cluster in enumerate(clusters):
            begin = (pending_start if pending else start) if index == 0 else cluster[0].start
            finish = clusters[index + 1][0].start if index + 1 < len(clusters) else end
            refs = [m.ref for m in (pending if index == 0 else [])] + [m.ref for m in cluster]
            current = Segment(refs, begin, finish)
            segments.append(current)
            pending = []
    if pending:
        segments.append(Segment([m.ref for m in pending], pending_start, len(text)))
    result.segments = [
        (tuple(segment.refs), text[segment.start : segment.end].strip(" \t\n,;:-–—|"))
        for segment in segments
    ]
    result.preamble = text[:preamble_end].strip() if segments else ""
    if others:
        result.others = " ".join(text[s:e].strip(" \t\n,;:-–—|") for s, e in others)
    return result


def speaks_of_all(text: str) -> bool:
    """Whether the reply speaks of all its context actions at once ("all on track", "both done")."""
    return bool(_ALL_OF_THEM.search(text))


def strip_references(text: str) -> str:
    """The text without its action numbers, so "1.4 G" reads as the rating "G"."""
    return _REF.sub(" ", text)
