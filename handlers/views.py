"""Modal submissions: checked in the ack (Slack shows the errors beside the fields), stored, and
done after the ack."""

from __future__ import annotations

import json

from slack_bolt import Ack, App

from bot.approvals.messages import REASON_ACTION_ID, REASON_BLOCK_ID, RETURN_CALLBACK_ID
from bot.deps import Deps
from bot.replies.messages import (
    ADD_UPDATE_CALLBACK_ID,
    DATE_BLOCK,
    DATE_INPUT,
    RAG_BLOCK,
    RAG_INPUT,
    UPDATE_BLOCK,
    UPDATE_INPUT,
)
from handlers import inbox


def register(app: App, deps: Deps) -> None:
    def update_submitted(ack: Ack, body: dict, view: dict) -> None:
        values = view["state"]["values"]
        text = (values[UPDATE_BLOCK][UPDATE_INPUT].get("value") or "").strip()
        if not text:
            ack(response_action="errors", errors={UPDATE_BLOCK: "Say what has happened."})
            return
        ack()
        where = json.loads(view.get("private_metadata") or "{}")
        chosen = (values.get(RAG_BLOCK, {}).get(RAG_INPUT) or {}).get("selected_option")
        revised = (values.get(DATE_BLOCK, {}).get(DATE_INPUT) or {}).get("selected_date")
        incoming = {
            "user": body["user"]["id"],
            "channel": where.get("channel") or body["user"]["id"],
            "ts": f"modal:{view['id']}",
            "thread_ts": where.get("thread_ts"),
            "text": text,
            "files": 0,
            "source": "modal",
        }
        payload = {
            "incoming": incoming,
            "ref": where.get("ref"),
            "rag": chosen["value"] if chosen else None,
            "revised": revised,
        }
        inbox.accept(deps, key=f"view:{view['id']}", kind="answer", payload=payload)

    def return_submitted(ack: Ack, body: dict, view: dict) -> None:
        reason = (
            view["state"]["values"][REASON_BLOCK_ID][REASON_ACTION_ID].get("value") or ""
        ).strip()
        if not reason:
            ack(response_action="errors", errors={REASON_BLOCK_ID: "Say why, for the lead."})
            return
        ack()
        payload = {
            "user": body["user"]["id"],
            "channel": body["user"]["id"],
            "thread_ts": None,
            "proposal_id": view["private_metadata"],
            "accept": False,
            "reason": reason[:2000],
        }
        inbox.accept(deps, key=f"view:{view['id']}", kind="decide", payload=payload)

    app.view(ADD_UPDATE_CALLBACK_ID)(update_submitted)
    app.view(RETURN_CALLBACK_ID)(return_submitted)
