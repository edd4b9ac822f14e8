"""auth.test, users.info and users.list."""

from __future__ import annotations

from bot.slack_double.answers import error
from bot.slack_double.params import paginate
from bot.slack_double.workspace import Workspace


def auth_test(ws: Workspace, body: dict) -> dict:
    return {
        "ok": True,
        "url": "https://planbot-double.slack.com/",
        "team": "Planbot Double",
        "user": ws.users[ws.bot_user_id].name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def users_info(ws: Workspace, body: dict) -> dict:
    # A deactivated member is still found, with "deleted": true; only an unknown id is an error.
    user = ws.users.get(str(body.get("user") or ""))
    if user is None:
        return error("user_not_found")
    return {"ok": True, "user": ws.user_object(user)}


def users_list(ws: Workspace, body: dict) -> dict:
    members = list(ws.users.values())
    page, next_cursor = paginate(members, body, "users", default_limit=0)
    if page is None:
        return error("invalid_cursor")
    return {
        "ok": True,
        "members": [ws.user_object(u) for u in page],
        "cache_ts": ws.unix_now(),
        "response_metadata": {"next_cursor": next_cursor},
    }


METHODS = {"auth.test": auth_test, "users.info": users_info, "users.list": users_list}
