"""Which action a reply is about when it names none: the one whose distinctive words it shares.

A word counts by how rare it is in the plan ("leaflet" is in one action, "training" in a dozen),
so a reply about "the homeless leaflet" points at 8.1 while "training is on track" points nowhere.
The bot only picks an action when one clearly wins; otherwise it asks.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

from bot.plan.refs import ActionRef

_WORD = re.compile(r"[a-z][a-z']+")
_STOP_WORDS = """
    the and for are was were with that this from have has had been being will would should into
    onto their there they them then than also all any not but our out per its it's which who what
    when where why how can could may might must shall able across within between ensure including
    include includes such each other more most some very well new now due to be of in on at by as
    an or is if so we us i you your done complete completed on track update updates action
    actions plan progress date dates week weeks month months year
"""
_STOP = frozenset(_STOP_WORDS.split())
# A word must carry at least this much weight (log of the plan's actions over those using it),
# and beat the runner-up by this factor, for the bot to say which action a reply means.
_ENOUGH = 2.5
_MARGIN = 2.0


def _stem(word: str) -> str:
    # Crude but enough for managers' words against the plan's: "leaflets" and "leaflet",
    # "assessments" and "assessed" meet at their first six letters.
    word = word.rstrip("'s")
    return word[:6] if len(word) > 6 else word


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """The distinctive word stems of a text."""
    return frozenset(
        _stem(word) for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in _STOP
    )


@lru_cache(maxsize=8)
def _weights(texts: tuple[str, ...]) -> dict[str, float]:
    counts = Counter(stem for text in texts for stem in words(text))
    total = len(texts) + 1
    return {stem: math.log(total / count) for stem, count in counts.items()}


def _scores(
    text: str, options: Mapping[ActionRef, str], plan_texts: tuple[str, ...], *, apart: bool
) -> list[tuple[float, ActionRef]]:
    weights = _weights(plan_texts)
    default = math.log(len(plan_texts) + 1)
    said = words(text)
    own = {ref: said & words(option) for ref, option in options.items()}
    shared = Counter(stem for stems in own.values() for stem in stems)
    scores = [
        (sum(weights.get(s, default) for s in stems if not apart or shared[s] == 1), ref)
        for ref, stems in own.items()
    ]
    return sorted((pair for pair in scores if pair[0] > 0), key=lambda pair: (-pair[0], pair[1]))


def ranked(
    text: str, options: Mapping[ActionRef, str], plan_texts: tuple[str, ...]
) -> list[tuple[float, ActionRef]]:
    """The options the text's words point to, best first, with their scores."""
    return _scores(text, options, plan_texts, apart=False)


def clear_match(
    text: str, options: Mapping[ActionRef, str], plan_texts: tuple[str, ...]
) -> ActionRef | None:
    """The one option the text clearly speaks of, or None when it is unclear.

    Only words that tell the options apart count: "private fostering" in a reply says nothing
    when two of the lead's actions are about private fostering.
    """
    scores = _scores(text, options, plan_texts, apart=True)
    if not scores or scores[0][0] < _ENOUGH:
        return None
    if len(scores) > 1 and scores[0][0] < _MARGIN * scores[1][0]:
        return None
    return scores[0][1]
