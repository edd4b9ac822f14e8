"""How the plan names things: action numbers such as "7.3", and the Slack ids of people and channels."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Slack's user ids: U or W, then capitals and digits (eight or more in practice). Stricter than
# "starts with U" so that an imported author such as "WFD" is not taken for a person to mention.
# \Z, not $: "$" also matches before a trailing newline, which would let "U0ABCDEF1\n" through.
SLACK_USER_ID = re.compile(r"\A[UW][A-Z0-9]{6,}\Z")
# Slack's conversation ids: C (channel), G (private channel, older workspaces) or D (DM), then
# capitals and digits, as long as a user id in practice.
SLACK_CHANNEL_ID = re.compile(r"\A[CGD][A-Z0-9]{6,}\Z")

_ACTION_REF = re.compile(r"^\s*(\d{1,4})\.(\d{1,4})\s*$")


@dataclass(frozen=True, order=True)
class ActionRef:
    """An action's number, "7.3": priority 7, action 3. Orders numerically (7.10 after 7.9)."""

    priority: int
    number: int

    @classmethod
    def parse(cls, text: str) -> ActionRef | None:
        match = _ACTION_REF.match(text or "")
        if not match:
            return None
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.priority}.{self.number}"


# A Slack message's ts: seconds and microseconds ("1542700000.000100").
SLACK_TS = re.compile(r"\d+\.\d+\Z")


def thread_of(ts: str | None) -> str | None:
    """`ts` if it names a Slack message to thread under, else None (a command or a modal that
    stands in for a message has none: its answer starts a new one)."""
    return ts if ts and SLACK_TS.match(ts) else None
