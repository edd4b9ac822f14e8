"""Lead roles: one spelling per role, and the key by which a typed name finds it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

_SPACED_DASH = re.compile(r"\s+-\s*|\s*-\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-"})
_STRAY_ENDS = " -"  # "Head of CP –" once dashes are folded: a dash and spaces left at an end


def normalise_role(name: str) -> str:
    """One spelling per role: dash variants to "-", spaced dashes and runs of spaces folded, and
    stray dashes and spaces at either end trimmed ("Head of CP –" is "Head of CP")."""
    name = " ".join(name.translate(_DASHES).split()).strip(_STRAY_ENDS)
    # A dash with a space on either side separates words ("Manager -ICRT"); "Co-ordinator" keeps its hyphen.
    return _SPACED_DASH.sub(" - ", name)


class Members(Protocol):
    """A role and who leads it, as it stood before a change."""

    name: str
    users: list[str]
    deputies: list[str]


def role_key(name: str) -> str:
    """Case, dashes and punctuation forgiven: "service manager icrt" finds "Service Manager - ICRT"."""
    return " ".join(re.sub(r"[^\w&]+", " ", name.casefold()).split())


class HasLeads(Protocol):
    leads: list[str]


@dataclass
class RoleSpellings:
    """The roles of one plan, merged by role_key (the rule `leads map` finds a role by): the first
    spelling met stands for the role, and every other spelling of it is noted for the report.

    Without the merge, "Head of CP" and "head of cp" would be two roles of which `leads map` can
    only ever find one, and the other's actions could never get a lead."""

    first: dict[str, str] = field(default_factory=dict)  # role_key -> the spelling kept
    merged: dict[str, list[str]] = field(default_factory=dict)  # kept -> the others, in order

    def spell(self, name: str) -> str:
        """The spelling that stands for `name`'s role (`name` itself if it is the first)."""
        kept = self.first.setdefault(role_key(name), name)
        if name != kept and name not in self.merged.setdefault(kept, []):
            self.merged[kept].append(name)
        return kept

    def spell_all(self, names: list[str]) -> list[str]:
        """`names` spelt as kept, each role once."""
        return list(dict.fromkeys(self.spell(name) for name in names))

    def merged_roles(self) -> dict[str, list[str]]:
        return {kept: others for kept, others in self.merged.items() if others}


def merge_role_spellings(actions: Iterable[HasLeads]) -> dict[str, list[str]]:
    """Spell every action's lead roles as RoleSpellings does, in place (for a plan file, whose
    roles the spreadsheet reader has not merged); the spellings merged, for the report."""
    spellings = RoleSpellings()
    for action in actions:
        action.leads = spellings.spell_all(action.leads)
    return spellings.merged_roles()


def mapped_message(before: Members, user: str, deputy: str | None) -> str:
    """What a mapping changed, against who led the role before (never "is led by X" alone when
    others lead it too)."""
    name = before.name
    others = [u for u in before.users if u != user]
    if user in before.users:
        said = [f"{user} already leads {name!r}"]
    elif user in before.deputies:
        said = [f"{user} now leads {name!r} instead of deputising for it"]
    elif others:
        said = [f"{user} now also leads {name!r}, beside {', '.join(others)}"]
    else:
        said = [f"{name!r} is led by {user}"]
    if deputy is None:
        changed = user not in before.users
    else:
        other_deputies = [d for d in before.deputies if d != deputy]
        changed = user not in before.users or deputy not in before.deputies
        if deputy in before.deputies:
            said.append(f"{deputy} already deputises for {name!r}")
        elif deputy in before.users:
            said.append(f"{deputy} now deputises for {name!r} instead of leading it")
        elif other_deputies:
            said.append(f"{deputy} now also deputises for it, beside {', '.join(other_deputies)}")
        elif len(said) == 1 and said[0].endswith(f"is led by {user}"):
            said[0] += f" with deputy {deputy}"
        else:
            said.append(f"{deputy} deputises for {name!r}")
    return ". ".join(said) + ("." if changed else "; nothing changed.")
