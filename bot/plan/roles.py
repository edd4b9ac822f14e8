"""Lead roles: one spelling per role, and the key by which a typed name finds it."""

from __future__ import annotations

import re

_SPACED_DASH = re.compile(r"\s+-\s*|\s*-\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-"})


def normalise_role(name: str) -> str:
    """One spelling per role: dash variants to "-", spaced dashes and runs of spaces folded."""
    name = " ".join(name.translate(_DASHES).split())
    # A dash with a space on either side separates words ("Manager -ICRT"); "Co-ordinator" keeps its hyphen.
    return _SPACED_DASH.sub(" - ", name)


def role_key(name: str) -> str:
    """Case, dashes and punctuation forgiven: "service manager icrt" finds "Service Manager - ICRT"."""
    return " ".join(re.sub(r"[^\w&]+", " ", name.casefold()).split())
