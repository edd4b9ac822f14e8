"""A Lead cell's roles: split_leads reads them, leads_cell writes them so they come back whole."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.plan.roles import normalise_role

# Role words that start a second role after " & ", " and " or " / " (case-sensitive).
ROLE_WORDS = (
    "Service",
    "Director",
    "Head",
    "Chair",
    "IRO",
    "Principal",
    "Workforce",
    "Team",
    "Manager",
    "Lead",
    "CEO",
    "SSCB",
    "MSET",
    "ICRT",
    "Quality",
)
_ROLE_JOINER = re.compile(r"\s+(?:&|and|/)\s+(?=(?:" + "|".join(ROLE_WORDS) + r")\b)")


def split_leads(cell: str | None) -> list[str]:
    """The lead roles in a Lead cell, each normalised; a role named twice is kept once.

    The rule: split on newlines and ";" always; split on " & ", " and " or " / " only when the
    text after the separator starts with one of ROLE_WORDS, capitalised as listed ("Service Manager
    & IRO Manager" is two roles; "Director of Quality Assurance & Performance" is one, since
    "Performance" is not a role word). A cell that ends with ";" is taken as written: split on ";"
    and newlines only. planbot's exports end a lone role that the rule would split with ";"
    ("Chair of SSCB Learning and Workforce Development Group;"), so it survives the round trip.
    """
    text = (cell or "").replace("\r", "\n").strip()
    as_written = text.endswith(";")
    roles: list[str] = []
    for part in re.split(r"[;\n]", text):
        for piece in [part] if as_written else _ROLE_JOINER.split(part):
            name = normalise_role(piece)
            if name and name not in roles:
                roles.append(name)
    return roles


def leads_cell(roles: Sequence[str], joiner: str) -> str:
    """The Lead cell for `roles`, which split_leads reads back as the same roles."""
    cell = joiner.join(roles)
    if any(len(split_leads(role)) > 1 for role in roles):
        cell += ";"  # keep a role with "&"/"and" in its name whole (see split_leads)
    return cell
