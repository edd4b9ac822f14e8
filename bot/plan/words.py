"""Counting things in plain English: "1 priority", "2 priorities"."""

from __future__ import annotations

import re


def counted(n: int, noun: str | tuple[str, str]) -> str:
    """ "1 priority", "2 priorities", "1 RAG change"; a (singular, plural) pair for irregulars."""
    singular, plural = noun if isinstance(noun, tuple) else (noun, _plural(noun))
    return f"{n} {singular if n == 1 else plural}"


def _plural(noun: str) -> str:
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


# Control characters (C0 but tab and line feed, DEL, C1): text holding them would print raw to a
# terminal (ESC starts an escape sequence, BEL rings), XLSX cannot hold most of them, and
# PostgreSQL refuses NUL in text. Tab and line breaks stay: they lay out a long progress text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_control(text: str) -> str:
    """Text as people meant it: line breaks as "\\n", control characters left out."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
