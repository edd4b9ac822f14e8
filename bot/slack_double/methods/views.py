"""views.publish (the Home tab), views.open and views.update (modals)."""

from __future__ import annotations

import copy
from typing import Any

from bot.slack_double.answers import error, invalid_arguments, view_problem
from bot.slack_double.workspace import TRIGGER_LIFETIME, Workspace


def views_publish(ws: Workspace, body: dict) -> dict:
    user = ws.users.get(str(body.get("user_id") or ""))
    if user is None:
        return error("user_not_found")
    view = body.get("view")
    problem = _view_of_type(view, "home")
    if problem:
        return problem
    current_id = ws.home_views.get(user.id)
    if _stale_hash(body.get("hash"), ws.views.get(current_id or "")):
        return error("hash_conflict")
    stored = _store_view(ws, view, view_id=current_id)
    ws.home_views[user.id] = stored["id"]
    ws.view_users[stored["id"]] = user.id
    return _shown(ws, user.id, stored)


def views_open(ws: Workspace, body: dict) -> dict:
    trigger_id = str(body.get("trigger_id") or body.get("interactivity_pointer") or "")
    if not trigger_id:
        return invalid_arguments(["missing required field: trigger_id"])
    user_id = None
    if trigger_id in ws.triggers:
        user_id, issued = ws.triggers[trigger_id]
        if ws.now() - issued > TRIGGER_LIFETIME:
            return error("expired_trigger_id")
    view = body.get("view")
    problem = _view_of_type(view, "modal")
    if problem:
        return problem
    external_id = view.get("external_id")
    if external_id and any(v.get("external_id") == external_id for v in ws.views.values()):
        return error("duplicate_external_id")
    stored = _store_view(ws, view)
    if user_id:
        ws.view_users[stored["id"]] = user_id
    return _shown(ws, user_id, stored)


def views_update(ws: Workspace, body: dict) -> dict:
    view_id, external_id = body.get("view_id"), body.get("external_id")
    if not view_id and not external_id:
        return invalid_arguments(["must provide view_id or external_id"])
    current = ws.views.get(str(view_id or ""))
    if current is None and external_id:
        current = next((v for v in ws.views.values() if v.get("external_id") == external_id), None)
    if current is None:
        return error("not_found")
    problem = view_problem(body.get("view"))
    if problem:
        return problem
    if _stale_hash(body.get("hash"), current):
        return error("hash_conflict")
    stored = _store_view(ws, body["view"], view_id=current["id"])
    return _shown(ws, ws.view_users.get(stored["id"]), stored)


def _view_of_type(view: Any, kind: str) -> dict | None:
    """Slack's answer to a view of the wrong type or breaking a limit, or None."""
    if isinstance(view, dict) and view.get("type") != kind:
        return invalid_arguments([f"must be {kind} [json-pointer:/view/type]"])
    return view_problem(view)


def _shown(ws: Workspace, user_id: str | None, stored: dict) -> dict:
    """Put a stored view in the feed and answer with it."""
    ws.emit("view", user=user_id, view=stored, blocks=stored["blocks"])
    return {"ok": True, "view": copy.deepcopy(stored)}


def _stale_hash(given: Any, current: dict | None) -> bool:
    return bool(given) and current is not None and given != current.get("hash")


def _store_view(ws: Workspace, view: dict, *, view_id: str | None = None) -> dict:
    """Save a view under a new or existing id, with a fresh hash as Slack gives each update."""
    view_id = view_id or ws.new_id("V")
    stored = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": view.get("type"),
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "title": None,
        "close": None,
        "submit": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
        **copy.deepcopy(view),
    }
    stored.update(id=view_id, root_view_id=view_id, hash=f"{ws.unix_now()}.{ws.new_secret(8)}")
    ws.views[view_id] = stored
    return stored


METHODS = {"views.publish": views_publish, "views.open": views_open, "views.update": views_update}
