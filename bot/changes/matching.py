"""Finding a priority's KPI or quality measure by what an admin typed: its number in the
priority's list (1..n), its name, or enough of its name to be the only one."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from bot.changes.args import MEASURE_WORDS, MeasureKind

_LISTED_CHARS = 70  # of each name, when the valid ones are listed


def measure_key(name: str) -> str:
    """Case, spacing and punctuation forgiven ("%" and "&" kept: they carry meaning)."""
    return " ".join(re.sub(r"[^\w%&]+", " ", name.casefold()).split())


def find_measure(
    typed: str, names: Sequence[str], *, kind: MeasureKind, priority: int
) -> int | str:
    """The index in `names` (the priority's measures of `kind`, in order) of the one `typed`
    names, or a message naming the valid ones."""
    what = MEASURE_WORDS[kind]
    if not names:
        return f"Priority {priority} has no {what}s."
    written = typed.strip().rstrip(".")
    if written.isascii() and written.isdigit():
        number = int(written)
        if 1 <= number <= len(names):
            return number - 1
        return (
            f"Priority {priority} has no {what} {number}; {_listed(range(len(names)), names, what)}"
        )
    wanted = measure_key(typed)
    keys = [measure_key(name) for name in names]
    if wanted in keys:
        return keys.index(wanted)
    # Enough of a long name to be the only one it can be: "unallocated cases".
    containing = [i for i, key in enumerate(keys) if wanted and wanted in key]
    if len(containing) == 1:
        return containing[0]
    if containing:
        listed = "; ".join(_numbered(i, names) for i in containing)
        return (
            f"{_shown(typed)!r} is part of several of priority {priority}'s {what}s ({listed}); "
            "give its number or more of its name."
        )
    close = difflib.get_close_matches(wanted, keys, n=3, cutoff=0.5)
    hint = (
        f" Did you mean {' or '.join(str(keys.index(key) + 1) for key in close)}?" if close else ""
    )
    every = _listed(range(len(names)), names, what, its="Its")
    return f"Priority {priority} has no {what} {_shown(typed)!r}.{hint} {every}"


def _listed(which: Sequence[int] | range, names: Sequence[str], what: str, its: str = "its") -> str:
    """ "its KPIs are 1 '…'; 2 '…'." (numbered as a /plan kpi may name them)"""
    return f"{its} {what}s are {'; '.join(_numbered(i, names) for i in which)}."


def _numbered(index: int, names: Sequence[str]) -> str:
    return f"{index + 1} {_shown(names[index], _LISTED_CHARS)!r}"


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
