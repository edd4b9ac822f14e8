"""Who answers for a lead role today: its members, deputies covering leave, or nobody and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.plan.roles import role_key
from bot.plan.timing import uk_date
from bot.reminders.records import ActionState, Leave, Role


class Problem(StrEnum):
    """Why a reminder reaches nobody. The last four are Slack's errors, recorded by the sender."""

    NO_TIMESCALE = "no_timescale"
    NO_LEAD = "no_lead"
    ROLE_NOT_MAPPED = "role_not_mapped"
    NOBODY_AVAILABLE = "nobody_available"
    USER_NOT_FOUND = "user_not_found"
    USER_DISABLED = "user_disabled"
    USER_NOT_VISIBLE = "user_not_visible"
    CANNOT_DM = "cannot_dm_bot"

    @classmethod
    def from_slack_error(cls, error: str) -> Problem | None:
        """The problem a Slack error code means for a DM (`user_disabled`), or None."""
        return {p.value: p for p in _SLACK_ERRORS}.get(error)


_SLACK_ERRORS = (
    Problem.USER_NOT_FOUND,
    Problem.USER_DISABLED,
    Problem.USER_NOT_VISIBLE,
    Problem.CANNOT_DM,
)


@dataclass(frozen=True, slots=True)
class Unreachable:
    """An action whose reminder reaches nobody (or, NO_TIMESCALE, is never due): for the admins.

    role: the lead role concerned; user: the Slack user a send failed for; away: the role's
    people on leave (NOBODY_AVAILABLE).
    """

    action: ActionState
    problem: Problem
    role: str | None = None
    user: str | None = None
    away: tuple[Leave, ...] = ()

    @property
    def why(self) -> str:
        """What went wrong, in plain words for the admins (users as bare ids)."""
        role = f'"{self.role}"'
        match self.problem:
            case Problem.NO_TIMESCALE:
                return "has no timescale, so it is never reminded"
            case Problem.NO_LEAD:
                return "has no lead role"
            case Problem.ROLE_NOT_MAPPED:
                return f"role {role} is not mapped to a Slack user"
            case Problem.NOBODY_AVAILABLE:
                away = ", ".join(
                    f"{leave.user} on leave until {uk_date(leave.until)}" for leave in self.away
                )
                return f"nobody available for {role}: {away}, no deputy"
            case Problem.USER_NOT_FOUND:
                return f"{self.user} ({role}) is not a user of this workspace"
            case Problem.USER_DISABLED:
                return f"{self.user} ({role}) has been deactivated"
            case Problem.USER_NOT_VISIBLE:
                return f"{self.user} ({role}) cannot be seen by planbot (a guest, or elsewhere)"
            case Problem.CANNOT_DM:
                return f"{self.user} ({role}) is a bot, which cannot be sent a DM"
        return str(self.problem)

    @property
    def fix(self) -> str:
        """What an admin can do about it."""
        role = f'"{self.role}"'
        match self.problem:
            case Problem.NO_TIMESCALE:
                # Said of a group of actions too: "Actions 5.2, 10.2: … To fix: …".
                return "give it a timescale in the plan's spreadsheet and re-import it"
            case Problem.NO_LEAD:
                return "give it a lead role in the plan's spreadsheet and re-import it"
            case Problem.ROLE_NOT_MAPPED:
                return f"run `planbot leads map {role} USER_ID`"
            case Problem.NOBODY_AVAILABLE:
                lead = self.away[0].user if self.away else "USER_ID"
                return f"name a deputy: `planbot leads map {role} {lead} --deputy USER_ID`"
        # A Slack user who cannot be reached: map the role to someone who can.
        return f"run `planbot leads unmap {role} {self.user}` and map someone else"


@dataclass(frozen=True, slots=True)
class RoleCover:
    """Who answers for one role today.

    people: members not on leave, then deputies (not on leave) covering those who are;
    covering: for each deputy in `people`, the leave they cover; problem: set when `people` is
    empty.
    """

    role: str
    people: tuple[str, ...]
    covering: dict[str, tuple[Leave, ...]] = field(default_factory=dict)
    away: tuple[Leave, ...] = ()
    problem: Problem | None = None


class Audience:
    """The roles and leave as they stand on one day; role names match forgiving case and dashes."""

    def __init__(self, roles: Iterable[Role], leave: Iterable[Leave], today: date) -> None:
        self.today = today
        self.away: dict[str, Leave] = {}
        for record in leave:
            # The latest return date wins when someone has several records.
            if record.covers(today) and record.until >= self.away.get(record.user, record).until:
                self.away[record.user] = record
        self._roles = {role_key(role.name): role for role in roles}
        self._covers: dict[str, RoleCover] = {}
        self._by_name: dict[str, RoleCover] = {}  # as written on actions: role_key once a name

    def on_leave(self, user: str) -> bool:
        return user in self.away

    def cover(self, role_name: str) -> RoleCover:
        """Who answers for a role named on an action (as written in the plan) today."""
        found = self._by_name.get(role_name)
        if found is None:
            key = role_key(role_name)
            found = self._covers.get(key)
            if found is None:
                found = self._covers[key] = self._resolve(role_name, self._roles.get(key))
            self._by_name[role_name] = found
        return found

    def _resolve(self, written: str, role: Role | None) -> RoleCover:
        if role is None or not role.members:
            name = role.name if role else written
            return RoleCover(name, (), problem=Problem.ROLE_NOT_MAPPED)
        present = [user for user in role.members if user not in self.away]
        away = tuple(self.away[user] for user in role.members if user in self.away)
        covering: dict[str, tuple[Leave, ...]] = {}
        if away:
            for deputy in role.deputies:
                if deputy not in self.away and deputy not in present:
                    covering[deputy] = away
        people = tuple(dict.fromkeys([*present, *covering]))
        if not people:
            return RoleCover(role.name, (), away=away, problem=Problem.NOBODY_AVAILABLE)
        return RoleCover(role.name, people, covering, away)
