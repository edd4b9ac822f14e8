"""The RAG a piece of a reply proposes, in the plan's own key, from explicit ratings and plain words.

Explicit ratings ("RAG: amber", "G" in a RAG position, 🟢, `:large_green_circle:`) win over plain
language. In plain language a completion must be asserted: "will be done by March", "draft
complete", "not yet complete", "Completed? Not quite" and "done, training still to follow" are not
Completed, because a false Completed is the worst mistake the bot can make. Otherwise the most
severe delay wins ("on track, but the form has slipped" is Amber), unless the lead says the action
is back on track overall ("slight delay but still on track" is Green).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.plan.rag import Rag

# Emoji and Slack's names for them, as the plan's key reads them.
_EMOJI = {
    "🔴": "red",
    "🟥": "red",
    "🟠": "amber",
    "🟡": "amber",
    "🟧": "amber",
    "🟨": "amber",
    "🟢": "green",
    "🟩": "green",
    "✅": "completed",
    ":red_circle:": "red",
    ":large_red_circle:": "red",
    ":large_red_square:": "red",
    ":large_orange_circle:": "amber",
    ":orange_circle:": "amber",
    ":large_yellow_circle:": "amber",
    ":yellow_circle:": "amber",
    ":large_orange_square:": "amber",
    ":large_yellow_square:": "amber",
    ":large_green_circle:": "green",
    ":green_circle:": "green",
    ":large_green_square:": "green",
    ":white_check_mark:": "completed",
}
_EMOJI_PATTERN = re.compile("|".join(re.escape(key) for key in _EMOJI))
_COLOURS = {"red": Rag.RED, "amber": Rag.AMBER, "green": Rag.GREEN, "completed": Rag.COMPLETED}
_LETTERS = {
    "r": Rag.RED,
    "a": Rag.AMBER,
    "g": Rag.GREEN,
    "c": Rag.COMPLETED,
    "red": Rag.RED,
    "amber": Rag.AMBER,
    "green": Rag.GREEN,
    "blue": Rag.COMPLETED,
}

_COMPLETE_WORD = (
    r"(?:done|complete|completed|finished|signed[\s-]?off|compelted?|completd|complted|comleted"
    r"|comlpete|finshed|finsihed|fully\s+(?:implemented|embedded|in\s+place|delivered|rolled\s+out)"
    r"|(?:implemented|delivered)\s+in\s+full|ticked\s+off)"
)
# Matched against lower-cased text, which is twice as fast as a case-blind pattern.
_SIGNALS = re.compile(
    "|".join(
        (
            # An explicit rating: "RAG: amber", "rag - G", "rated green", "status red".
            r"(?P<rag>\b(?:rag|rated|rating|status)(?:\s+(?:status|rating))?\s*(?:is|=|:|-|now"
            r"|remains|still|should\s+be|to)?\s*(?:now\s+)?(?:->\s*)?"
            r"(?P<rag_value>red|amber|green|blue|completed?|(?:r|a|g|c)(?=\s*(?:$|[.,;!)\n-])))\b"
            r")",
            r"(?P<emoji>\b(?:red|amber|green|completed)\b(?=\u0000))",  # emoji, see _prepare
            r"(?P<back>\b(?:back|now|still|overall|otherwise|generally|broadly|again)"
            r"\s+on\s*tra?c?k|on\s*tra?c?k\s+again|on\s*tra?c?k\s+overall|caught\s+up|recovered)",
            r"(?P<red>\b(?:(?:not|n't|yet\s+to|still\s+to|have\s+not|has\s+not|haven't|hasn't)"
            r"\s+(?:yet\s+|even\s+|been\s+)?(?:start(?:ed)?|begun|begin|commenced?|got\s+going)"
            r"|no\s+(?:progress|movement)|stalled|stuck|off[\s-]?track|on\s+hold|blocked"
            r"|significant(?:ly)?\s+(?:delay(?:ed|s)?|behind|slipp?(?:ed|age)?)"
            r"|(?:seriously|way|well|badly|massively|really|very)\s+(?:behind|delayed)"
            r"|major\s+(?:delays?|slippage)|long\s+delay|can(?:no|')t\s+progress)\b)",
            r"(?P<green_negation>\b(?:not|no\s+longer|nothing)\s+(?:been\s+)?"
            r"(?:delayed|behind|late|slipped|slipping|at\s+risk)"
            r"|\bno\s+(?:delays?|slippage|slip|issues|concerns|problems))\b",
            r"(?P<amber>\b(?:slipp?(?:ed|ing|age|s)?|behind|postponed?|delay(?:ed|s)?"
            r"|at\s+risk(?!\s+of)|running\s+late|late(?!\s+(?:jan|feb|mar|apr|may|jun|jul|aug"
            r"|sep|oct|nov|dec))|pushed\s+(?:back|out)|deferred|re-?scheduled|held\s+up"
            r"|will\s+miss|won't\s+(?:make|meet|hit)|won't\s+be\s+(?:\w+\s+)?(?:by|in\s+time|ready"
            r"|done|finished|complete|completed|in\s+place)|not\s+going\s+to\s+(?:make|meet|hit)"
            r"|miss(?:ed)?\s+the\s+(?:deadline|date|timescale)"
            r"|extension\s+(?:to|until|till|requested|agreed|needed|granted)"
            r"|(?:need|needs|needed|request|requested|asking\s+for|asked\s+for)\s+(?:an?\s+)?"
            r"(?:extension|(?:bit\s+)?more\s+time)"
            r"|revised\s+(?:date|timescale|target)|new\s+(?:date|timescale|deadline|target)"
            r"|re-?timed|(?:is|it's|now|slightly|a\s+bit|currently)\s+overdue"
            r"|delyed|dealyed|slipt|behing|behnd|sliped|postphoned)\b)",
            r"(?P<nearly>\b(?:nearly|almost|not\s+quite|close\s+to|nearing)"
            r"(?:\s+(?:there|done|complete|completed|finished|completion|signed\s+off))?"
            r"|getting\s+there|near(?:ly)?\s+completion)\b",
            r"(?P<green>\b(?:on\s*tra?c?k|on\s+tarck|on\s+trakc|on\s+trcak|on\s+target|on\s+schedule|on\s+course"
            r"|going\s+to\s+plan|as\s+planned|according\s+to\s+plan|(?:progressing|going)\s+well"
            r"|good\s+progress|ahead\s+of\s+schedule|all\s+good|all\s+fine)\b)",
            # "can we close this?" asks for the action to be closed: the lead says it is done.
            r"(?P<close>\b(?:can|could|shall)\s+(?:we|you|i)\s+(?:now\s+)?close\s+(?:this|it)"
            r"|\b(?:ok|okay|fine)\s+to\s+close\b)",
            # "sorry for the delay in replying" is about the reply, not the action.
            r"(?P<apology>\b(?:sorry|apologies)\s+(?:for\s+)?(?:the\s+|my\s+)?(?:delay|late)\w*"
            r"|\bdelay(?:ed)?\s+in\s+(?:replying|responding|getting\s+back))",
            r"(?P<completed>\b" + _COMPLETE_WORD + r"\b"
            r"|\b(?:can|could)\s+(?:now\s+)?be\s+closed|\bplease\s+close\b"
            r"|\bready\s+to\s+(?:be\s+)?close|\bclose\s+(?:this|it)\s+(?:off|down)\b)",
            r"(?P<colour>\b(?:red|amber|green)\b(?!\s+(?:light|tape|flag|line|paper)))",
        )
    ),
)

_NEGATION = re.compile(
    r"\b(?:not|no(?!\.?\s*\d)|never|nor|hardly|cannot|can't|isn't|aren't|wasn't|weren't|hasn't|haven't"
    r"|didn't|won't|without|nowhere\s+near|far\s+from)\b[\w\s]{0,20}$",
    re.IGNORECASE,
)
# A completion spoken of as future, conditional or partial is not a completion.
_NOT_YET_COMPLETE = re.compile(
    r"\b(?:will|would|should|shall|to|be|being|once|when|until|till|before|after|if|expect"
    r"|expected|due|aim|aiming|hope|hoping|plan\s+to|planned\s+to|planning\s+to|need|needs|needed|get"
    r"|getting"
    r"|partly|partially|part|half|mostly|largely|phase|stage|draft|first|initial|1st|pilot|some"
    r"|most|\d+\s*%|%|\d+\s+of\s+\d+|awaiting|pending|almost|nearly|work|lots?|much|progress"
    r"|bits?|plenty)\b[\w\s-]{0,12}$",
    re.IGNORECASE,
)
# "once the restructure is complete", "on hold until the review is done": a condition, not news.
_CONDITION = re.compile(r"\b(?:once|until|till|when|whenever|if|after|before|unless)\b", re.I)
_PARTIAL_AFTER = re.compile(
    r"^\s*(?:for|in|with|on)\s+(?:about\s+|around\s+|roughly\s+|approx\w*\s+|only\s+|just\s+)?"
    r"(?:phase|stage|part|some|most|\d+|the\s+first|one|two|three|half|a\s+few|a\s+couple"
    r"|several|a\s+handful)\b"
    r"|^\s*\?",
    re.IGNORECASE,
)
# Words that say the work goes on, so a "done" in the same breath is only a step of it. Evidence
# still to come is not one of them: "done, evidence to follow" is Completed, evidence pending.
_STILL_GOING = re.compile(
    r"\b(?:still|ongoing|in\s+progress|remaining|outstanding|next\s+steps?|(?<!no\s)further"
    r"|(?<!evidence\s)to\s+follow|yet\s+to|awaiting|waiting|more\s+to|(?:the\s+)?rest|left\s+to"
    r"|underway|under\s+way|continu\w+|but\s+not|except|apart\s+from|then\s+(?:we|it|the)"
    r"|being)\b",
    re.IGNORECASE,
)
_EVIDENCE_TO_COME = re.compile(
    r"\bevidence\s+(?:is\s+)?(?:still\s+)?(?:to\s+follow|pending|awaited|being\s+\w+|still\s+"
    r"\w+|will\s+\w+(?:\s+\w+)?|to\s+be\s+\w+)",
    re.IGNORECASE,
)
# "complete the audit" asks for work still to do; "completed the audit" reports it done.
_VERB_WITH_OBJECT = re.compile(r"^\s+(?:the|a|an|all|our|this|my|it|these|those)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[.;!?\n,]|\s[-–—]\s|\bbut\b|\bthough\b|\bhowever\b|\balthough\b", re.I)
_BARE = re.compile(r"\b(?:rag|status|rating)\b|[\s\W_]+", re.IGNORECASE)
# "Completed? Not quite": nearly there, which reads as on track.
_QUESTION_ANSWER = re.compile(r"^\s*\?\s*(?:not\s+quite|nearly|almost)\b", re.I)
# A rating letter set apart at either end of a reply: "G - membership reviewed", "booked - A".
# Never a letter that starts a sentence ("A bit behind"), and never C: a false Completed costs most.
_EDGE_LETTER = re.compile(r"^\s*([RAGrag])\s*[-–—:|]|[-–—:|]\s*([RAGrag])[\s.!]*$")
_SEVERITY = {Rag.RED: 3, Rag.AMBER: 2, Rag.GREEN: 1}


@dataclass(frozen=True)
class RagSignal:
    """The RAG a text proposes, and whether the lead named it (a word, letter or emoji)."""

    rag: Rag
    explicit: bool


def _prepare(text: str) -> str:
    # Emoji become their colour word followed by a marker only the emoji alternative accepts, so
    # a 🟢 is explicit while the rest of the text keeps its positions for the negation checks.
    return _EMOJI_PATTERN.sub(lambda match: f" {_EMOJI[match.group(0)]}\u0000", text).replace(
        "\u2019", "'"
    )


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - 60) : start]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1] if parts else ""


def bare_rating(text: str) -> Rag | None:
    """The rating a reply gives when it is nothing but one ("G", "amber", "C.")."""
    return _LETTERS.get(_BARE.sub("", text).lower())


def read_rag(text: str) -> RagSignal | None:
    """The RAG the text proposes, or None when it gives no signal."""
    bare = bare_rating(text)
    if bare is not None:
        return RagSignal(bare, explicit=True)
    edge = _EDGE_LETTER.search(text)
    if edge is not None:
        return RagSignal(_LETTERS[(edge.group(1) or edge.group(2)).lower()], explicit=True)
    text = _prepare(text).lower()
    explicit: list[Rag] = []
    plain: list[tuple[Rag, int]] = []
    recovered_at = -1
    for match in _SIGNALS.finditer(text):
        kind = match.lastgroup
        before = _clause_before(text, match.start())
        after = text[match.end() : match.end() + 30]
        if kind in ("rag", "emoji", "colour"):
            word = (match.group("rag_value") or match.group(0)).strip().lower()
            rag = _LETTERS.get(word) or _COLOURS.get(word)
            if rag is not None and (kind != "colour" or not _NEGATION.search(before)):
                explicit.append(rag)
        elif kind == "back":
            recovered_at = match.start()
            plain.append((Rag.GREEN, match.start()))
        elif kind == "red":
            if not _NEGATION.search(before):
                plain.append((Rag.RED, match.start()))
        elif kind in ("green_negation", "nearly"):
            plain.append((Rag.GREEN, match.start()))
        elif kind == "amber":
            plain.append((Rag.GREEN if _NEGATION.search(before) else Rag.AMBER, match.start()))
        elif kind == "green":
            # "not on track" is not Green: the action is late by some amount; Amber says so
            # without claiming the significant delay that Red means.
            plain.append((Rag.AMBER if _NEGATION.search(before) else Rag.GREEN, match.start()))
        elif kind == "close":
            plain.append((Rag.COMPLETED, match.start()))
        elif kind == "completed":
            if _QUESTION_ANSWER.match(after):
                plain.append((Rag.GREEN, match.start()))  # "Completed? Not quite": nearly
            elif not (
                _NEGATION.search(before)
                or _NOT_YET_COMPLETE.search(before)
                or _CONDITION.search(before)
                or _PARTIAL_AFTER.match(after)
                or (
                    match.group(0).lower() in ("complete", "finish")
                    and _VERB_WITH_OBJECT.match(after)
                )
            ):
                plain.append((Rag.COMPLETED, match.start()))
    if explicit:
        return RagSignal(explicit[-1], explicit=True)
    if not plain:
        return None
    rags = {rag for rag, _ in plain}
    if Rag.COMPLETED in rags:
        if not _STILL_GOING.search(_EVIDENCE_TO_COME.sub("", text)):
            return RagSignal(Rag.COMPLETED, explicit=False)
        plain = [(rag, at) for rag, at in plain if rag is not Rag.COMPLETED]
        if not plain:
            return None
    worst = max(plain, key=lambda signal: _SEVERITY[signal[0]])
    if recovered_at >= 0 and worst[0] is Rag.AMBER:
        return RagSignal(Rag.GREEN, explicit=False)
    if recovered_at > worst[1]:
        return RagSignal(Rag.GREEN, explicit=False)
    return RagSignal(worst[0], explicit=False)
