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
