"""People's time zones from Slack (users.info), cached in the store.

users.info is Tier 4 (about 100 calls a minute, https://docs.slack.dev/reference/methods/users.info);
a first run with a thousand leads asks for a bounded number each tick and uses the plan's zone
for the others until their turn comes. A person Slack does not know or has deactivated is
remembered as unreachable, so they are not DMed again and the admins hear of it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from store import people
from store.engine import transaction

log = logging.getLogger(__name__)

# How many people to look up in one tick, and how long a looked-up time zone is trusted.
LOOKUPS_PER_TICK = 50
FRESH_FOR = timedelta(days=7)
GONE = frozenset({"user_not_found", "user_not_visible", "account_inactive"})


def time_zones(deps: Deps, user_ids: list[str]) -> dict[str, str | None]:
    """Each person's Slack time zone (None when not yet known: the plan's zone is used)."""
    now = deps.clock.now()
    with Session(deps.engine) as session:
        known = people.facts(session=session, user_ids=user_ids)
    zones = {user: (known[user].tz if user in known else None) for user in user_ids}
    stale = [
        user for user in user_ids if user not in known or (now - known[user].checked_at > FRESH_FOR)
    ][:LOOKUPS_PER_TICK]
    for user in stale:
        try:
            found = deps.client.users_info(user=user)["user"]
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in GONE:
                log.warning("users.info %s failed: %s", user, error)
                continue  # ratelimited or Slack unwell: try again next tick
            _remember(deps, user, tz=None, unreachable="user_not_found")
            continue
        unreachable = "user_disabled" if found.get("deleted") else None
        if found.get("is_bot"):
            unreachable = "cannot_dm_bot"
        zones[user] = found.get("tz")
        _remember(deps, user, tz=found.get("tz"), unreachable=unreachable)
    return zones


def _remember(deps: Deps, user: str, **values: str | None) -> None:
    with transaction(deps.engine) as session:
        people.remember(session=session, user_id=user, at=deps.clock.now(), **values)
