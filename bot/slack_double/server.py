"""The Slack double's Web API, its loopback HTTP server and its in-process WebClient.

planbot's real `slack_sdk.WebClient` talks to `SlackDouble.api_url`; `WebApi.handle` is the one
place requests are parsed, recorded, failed on purpose and answered, so the HTTP server and the
in-process client give the same answers and the same recording.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import mimetypes
import threading
from base64 import b64decode, b64encode
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPMessage, RemoteDisconnected
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

from bot.clock import Clock
from bot.slack_double.limits import (
    message_block_errors,
    message_text_errors,
    view_block_errors,
    view_errors,
)
from bot.slack_double.socket_mode import SocketMode
from bot.slack_double.state import (
    PERMALINK_BASE,
    RESPONSE_URL_LIFETIME,
    RESPONSE_URL_USES,
    TRIGGER_LIFETIME,
    Conversation,
    Failure,
    RecordedRequest,
    ResponseUrl,
    StoredFile,
    User,
    Workspace,
    ts_key,
)

logger = logging.getLogger(__name__)

# Form fields WebClient sends as JSON strings; the recording and the methods see them decoded.
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "unfurls", "files", "user_auth_blocks")
# Endpoints that answer in plain text, as response_url and the file upload URL do.
_TEXT_ENDPOINTS = ("response", "upload")


@dataclass
class Reply:
    """An HTTP answer; drop=True means close the connection without sending it."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def parse_body(raw: bytes, content_type: str, query: str = "") -> dict:
    """The request's parameters: query string plus form fields (JSON fields decoded) or JSON."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not raw:
        return params
    text = raw.decode("utf-8", errors="replace")
    if content_type.startswith("application/json") or text.lstrip().startswith("{"):
        parsed = json.loads(text)  # ValueError becomes invalid_json for the caller
        if isinstance(parsed, dict):
            params.update(parsed)
        return params
    if content_type.startswith("multipart/"):
        return params  # only legacy methods send multipart; the raw bytes are recorded
    form: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
    for key in _JSON_FIELDS:
        if isinstance(form.get(key), str):
            # Undecodable JSON stays a string: the method answers invalid_*_format, as Slack does.
            with contextlib.suppress(ValueError):
                form[key] = json.loads(form[key])
    params.update(form)
    return params


class WebApi:
    """Slack's Web API, response_url and upload endpoints, answered from a Workspace."""

    def __init__(
        self,
        workspace: Workspace,
        app_methods: dict[str, Callable[[str, dict], dict]] | None = None,
    ) -> None:
        self.ws = workspace
        # Methods called with the app-level token (apps.connections.open), given (token, body).
        self._app_methods = dict(app_methods or {})
        self._methods: dict[str, Callable[[dict], dict]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # ---- routing, recording and scripted failures

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Answer one request (path may carry a query string); headers are lower-cased."""
        # One lock around the whole request: a call sees and leaves the workspace consistent.
        with self.ws.lock:
            try:
                return self._route(path, headers, raw)
            except Exception:
                # A bug in the double must show as a logged traceback and a 500, not a hung test.
                logger.exception("the Slack double failed answering %s", path)
                return _json_reply(500, {"ok": False, "error": "internal_error"})

    def _route(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        parts = urlsplit(path)
        route = parts.path
        if route.startswith("/api/"):
            return self._web_api(route.removeprefix("/api/"), path, headers, raw, parts.query)
        if route.startswith("/response/"):
            token = route.removeprefix("/response/")
            return self._text_endpoint("response", path, headers, raw, self._response_url, token)
        if route.startswith("/upload/"):
            file_id = route.removeprefix("/upload/")
            return self._text_endpoint("upload", path, headers, raw, self._upload, file_id)
        self.ws.record_call(route, path, headers, {}, raw, 404, {"text": "not_found"})
        return _text_reply(404, "not_found")

    def _web_api(self, method: str, path: str, headers: dict, raw: bytes, query: str) -> Reply:
        failure = self.ws.take_failure(method)
        try:
            body = parse_body(raw, headers.get("content-type", ""), query)
            answer = None
        except ValueError:
            body, answer = {}, {"ok": False, "error": "invalid_json"}
        if failure is not None and not failure.drop:
            answer = {"ok": False, "error": failure.error}
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            self.ws.record_call(method, path, headers, body, raw, failure.status, answer)
            return _json_reply(failure.status, answer, extra)
        if answer is None:
            answer = self._call(method, headers, body)
        # A dropped request is applied and recorded, then the answer is lost on the way back.
        dropped = failure is not None
        self.ws.record_call(method, path, headers, body, raw, 0 if dropped else 200, answer)
        return _json_reply(200, answer, drop=dropped)

    def _call(self, method: str, headers: dict, body: dict) -> dict:
        handler = self._methods.get(method)
        app_handler = self._app_methods.get(method)
        if handler is None and app_handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        authorization = headers.get("authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        token = token or body.get("token")
        if not token:
            return _error("not_authed")
        if app_handler is not None:
            return app_handler(str(token), body)
        if str(token).startswith("xapp-"):
            return _error("not_allowed_token_type")  # an app-level token opens sockets, no more
        if token != self.ws.bot_token:
            return _error("invalid_auth")
        return handler(body)

    def _text_endpoint(
        self,
        method: str,
        path: str,
        headers: dict,
        raw: bytes,
        answer: Callable[[str, bytes], tuple[int, str]],
        key: str,
    ) -> Reply:
        failure = self.ws.take_failure(method)
        body = _loads_or_empty(raw) if method == "response" else {"file_id": key}
        if failure is not None and not failure.drop:
            self.ws.record_call(
                method, path, headers, body, raw, failure.status, {"text": failure.error}
            )
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return _text_reply(failure.status, failure.error, extra)
        status, text = answer(key, raw)
        dropped = failure is not None
        self.ws.record_call(
            method, path, headers, body, raw, 0 if dropped else status, {"text": text}
        )
        return _text_reply(status, text, drop=dropped)

    # ---- auth and users

    def _auth_test(self, body: dict) -> dict:
        return {
            "ok": True,
            "url": "https://planbot-double.slack.com/",
            "team": "Planbot Double",
            "user": self.ws.users[self.ws.bot_user_id].name,
            "team_id": self.ws.team_id,
            "user_id": self.ws.bot_user_id,
            "bot_id": self.ws.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, body: dict) -> dict:
        user = self.ws.users.get(str(body.get("user") or ""))
        if user is None:
            return _error("user_not_found")
        return {"ok": True, "user": self.ws.user_object(user)}

    def _users_list(self, body: dict) -> dict:
        members = list(self.ws.users.values())
        page, next_cursor = _paginate(members, body, "users", default_limit=0)
        if page is None:
            return _error("invalid_cursor")
        return {
            "ok": True,
            "members": [self.ws.user_object(u) for u in page],
            "cache_ts": self.ws.unix_now(),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # ---- conversations

    def _conversations_open(self, body: dict) -> dict:
        if body.get("channel"):
            conversation = self.ws.conversations.get(str(body["channel"]))
            if conversation is None:
                return _error("channel_not_found")
            return {
                "ok": True,
                "no_op": True,
                "already_open": True,
                "channel": {"id": conversation.id},
            }
        user_ids = [u.strip() for u in str(body.get("users") or "").split(",") if u.strip()]
        if not user_ids:
            return _error("users_list_not_supplied")
        if len(user_ids) > 8:
            return _error("too_many_users")
        if len(user_ids) > 1:
            # Group DMs are outside what planbot does; say so rather than pretend.
            return {
                "ok": False,
                "error": "not_implemented",
                "detail": "the double opens 1:1 IMs only",
            }
        user = self.ws.users.get(user_ids[0])
        if user is None:
            return _error("user_not_found")
        if user.deleted:
            return _error("user_disabled")
        already_open = user.id in self.ws.dms
        conversation = self.ws.dm_for(user.id)
        channel = (
            self._conversation_object(conversation)
            if _flag(body.get("return_im"))
            else {"id": conversation.id}
        )
        return {"ok": True, "no_op": already_open, "already_open": already_open, "channel": channel}

    def _conversations_info(self, body: dict) -> dict:
        conversation = self.ws.conversations.get(str(body.get("channel") or ""))
        # The bot cannot see a private channel it is not in: Slack says it does not exist.
        if conversation is None or (conversation.is_private and not conversation.bot_is_member):
            return _error("channel_not_found")
        return {"ok": True, "channel": self._conversation_object(conversation)}

    def _conversations_history(self, body: dict) -> dict:
        conversation, problem = self._readable(body.get("channel"))
        if problem:
            return problem
        messages = self._within(self.ws.top_level(conversation), body)
        if messages is None:
            return _error("invalid_ts_oldest")
        messages.reverse()  # newest first, as Slack returns history
        page, next_cursor = _paginate(messages, body, "messages", default_limit=100)
        if page is None:
            return _error("invalid_cursor")
        include_metadata = _flag(body.get("include_all_metadata"))
        return {
            "ok": True,
            "messages": [_api_message(m, include_metadata) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_replies(self, body: dict) -> dict:
        conversation, problem = self._readable(body.get("channel"))
        if problem:
            return problem
        ts = str(body.get("ts") or "")
        message = conversation.messages.get(ts)
        if message is None:
            return _error("thread_not_found")
        if message.get("thread_ts", ts) != ts:
            thread = [message]  # the ts of a reply fetches just that reply
        else:
            thread = self.ws.thread(conversation, ts)
            replies = self._within(thread[1:], body)
            if replies is None:
                return _error("invalid_ts_oldest")
            thread = thread[:1] + replies
        page, next_cursor = _paginate(thread, body, "replies", default_limit=1000)
        if page is None:
            return _error("invalid_cursor")
        include_metadata = _flag(body.get("include_all_metadata"))
        return {
            "ok": True,
            "messages": [_api_message(m, include_metadata) for m in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _readable(self, channel: Any) -> tuple[Conversation | None, dict | None]:
        conversation = self.ws.conversations.get(str(channel or ""))
        if conversation is None or (conversation.is_private and not conversation.bot_is_member):
            return None, _error("channel_not_found")
        if not conversation.is_im and not conversation.bot_is_member:
            return None, _error("not_in_channel")
        return conversation, None

    def _within(self, messages: list[dict], body: dict) -> list[dict] | None:
        """Messages between `oldest` and `latest`, ends excluded unless `inclusive`; None if bad."""
        bounds = []
        for name in ("oldest", "latest"):
            value = body.get(name)
            try:
                bounds.append(ts_key(str(value)) if value not in (None, "") else None)
            except ArithmeticError:  # decimal.InvalidOperation: not a ts
                return None
        oldest, latest = bounds
        inclusive = _flag(body.get("inclusive"))
        kept = []
        for message in messages:
            key = ts_key(message["ts"])
            if oldest is not None and (key < oldest or (key == oldest and not inclusive)):
                continue
            if latest is not None and (key > latest or (key == latest and not inclusive)):
                continue
            kept.append(message)
        return kept

    def _conversation_object(self, conversation: Conversation) -> dict:
        base = {
            "id": conversation.id,
            "created": conversation.created,
            "is_archived": False,
            "is_org_shared": False,
            "context_team_id": self.ws.team_id,
        }
        if conversation.is_im:
            user = self.ws.users.get(conversation.im_user or "")
            return base | {
                "is_im": True,
                "user": conversation.im_user,
                "is_user_deleted": bool(user and user.deleted),
                "priority": 0,
            }
        return base | {
            "name": conversation.name,
            "name_normalized": conversation.name,
            "is_channel": not conversation.is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": conversation.is_private,
            "is_member": conversation.bot_is_member,
            "is_general": False,
        }

    # ---- chat

    def _chat_post_message(self, body: dict) -> dict:
        conversation = self.ws.resolve(str(body.get("channel") or ""))
        if conversation is None:
            return _error("channel_not_found")
        problem = (
            self._unwritable(conversation) or _content_problem(body) or _metadata_problem(body)
        )
        if problem:
            return problem
        message = self.ws.add_message(conversation, self._bot_fields(body), body.get("thread_ts"))
        self._emit_message("message", conversation, message)
        return {
            "ok": True,
            "channel": conversation.id,
            "ts": message["ts"],
            "message": _api_message(message, include_metadata=True),
        }

    def _chat_update(self, body: dict) -> dict:
        conversation = self.ws.conversations.get(str(body.get("channel") or ""))
        if conversation is None:
            return _error("channel_not_found")
        message = conversation.messages.get(str(body.get("ts") or ""))
        if message is None:
            return _error("message_not_found")
        if message.get("bot_id") != self.ws.bot_id:
            return _error("cant_update_message")
        # Omitted text or blocks keep the old ones; an empty blocks array removes them.
        merged = {
            "text": body["text"] if body.get("text") is not None else message.get("text"),
            "blocks": body["blocks"] if body.get("blocks") is not None else message.get("blocks"),
            "attachments": body.get("attachments"),
        }
        problem = _content_problem(merged) or _metadata_problem(body)
        if problem:
            return problem
        message["text"] = merged["text"] or ""
        if merged["blocks"]:
            message["blocks"] = copy.deepcopy(merged["blocks"])
        else:
            message.pop("blocks", None)
        if body.get("metadata"):
            message["metadata"] = copy.deepcopy(body["metadata"])
        message["edited"] = {"user": self.ws.bot_user_id, "ts": self.ws.next_ts(conversation.id)}
        self._emit_message("update", conversation, message)
        return {
            "ok": True,
            "channel": conversation.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": _api_message(message, include_metadata=True),
        }

    def _chat_delete(self, body: dict) -> dict:
        conversation = self.ws.conversations.get(str(body.get("channel") or ""))
        if conversation is None:
            return _error("channel_not_found")
        ts = str(body.get("ts") or "")
        message = conversation.messages.get(ts)
        if message is None:
            return _error("message_not_found")
        if message.get("bot_id") != self.ws.bot_id:
            return _error("cant_delete_message")
        self.ws.remove_message(conversation, ts)
        self.ws.emit("delete", channel=conversation.id, ts=ts, thread_ts=message.get("thread_ts"))
        return {"ok": True, "channel": conversation.id, "ts": ts}

    def _chat_post_ephemeral(self, body: dict) -> dict:
        conversation = self.ws.resolve(str(body.get("channel") or ""))
        user = self.ws.users.get(str(body.get("user") or ""))
        if conversation is None:
            return _error("channel_not_found")
        if user is None:
            return _error("user_not_found")
        if conversation.is_im and conversation.im_user != user.id:
            return _error("user_not_in_channel")
        if not conversation.is_im and not conversation.bot_is_member:
            return _error("not_in_channel")
        problem = _content_problem(body)
        if problem:
            return problem
        ts = self.ws.next_ts(conversation.id)
        self.ws.emit(
            "ephemeral",
            channel=conversation.id,
            user=user.id,
            ts=ts,
            thread_ts=body.get("thread_ts"),
            text=body.get("text") or "",
            blocks=body.get("blocks") or [],
        )
        return {"ok": True, "message_ts": ts}

    def _chat_get_permalink(self, body: dict) -> dict:
        conversation = self.ws.conversations.get(str(body.get("channel") or ""))
        if conversation is None:
            return _error("channel_not_found")
        ts = str(body.get("message_ts") or "")
        message = conversation.messages.get(ts)
        if message is None:
            return _error("message_not_found")
        permalink = f"{PERMALINK_BASE}/archives/{conversation.id}/p{ts.replace('.', '')}"
        if message.get("thread_ts", ts) != ts:
            permalink += f"?thread_ts={message['thread_ts']}&cid={conversation.id}"
        return {"ok": True, "channel": conversation.id, "permalink": permalink}

    def _unwritable(self, conversation: Conversation) -> dict | None:
        if conversation.is_im:
            user = self.ws.users.get(conversation.im_user or "")
            # Assumed from conversations.open's contract: a deactivated user's IM refuses posts.
            return _error("user_disabled") if user is not None and user.deleted else None
        return None if conversation.bot_is_member else _error("not_in_channel")

    def _bot_fields(self, body: dict) -> dict:
        fields: dict[str, Any] = {
            "user": self.ws.bot_user_id,
            "bot_id": self.ws.bot_id,
            "text": body.get("text") or "",
            "team": self.ws.team_id,
        }
        if body.get("blocks"):
            fields["blocks"] = body["blocks"]
        if body.get("attachments"):
            fields["attachments"] = body["attachments"]
        if body.get("metadata"):
            fields["metadata"] = body["metadata"]
        return fields

    def _emit_message(self, kind: str, conversation: Conversation, message: dict) -> None:
        self.ws.emit(
            kind,
            channel=conversation.id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts")
            if message.get("thread_ts") != message["ts"]
            else None,
            text=message.get("text", ""),
            blocks=message.get("blocks", []),
            metadata=message.get("metadata"),
        )

    # ---- views

    def _views_publish(self, body: dict) -> dict:
        user = self.ws.users.get(str(body.get("user_id") or ""))
        if user is None:
            return _error("user_not_found")
        view = body.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            return _invalid_arguments(["must be home [json-pointer:/view/type]"])
        problem = _view_problem(view)
        if problem:
            return problem
        current_id = self.ws.home_views.get(user.id)
        if _stale_hash(body.get("hash"), self.ws.views.get(current_id or "")):
            return _error("hash_conflict")
        stored = self._store_view(view, view_id=current_id)
        self.ws.home_views[user.id] = stored["id"]
        self.ws.view_users[stored["id"]] = user.id
        self.ws.emit("view", user=user.id, view=stored, blocks=stored["blocks"])
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_open(self, body: dict) -> dict:
        trigger_id = str(body.get("trigger_id") or body.get("interactivity_pointer") or "")
        if not trigger_id:
            return _invalid_arguments(["missing required field: trigger_id"])
        user_id = None
        if trigger_id in self.ws.triggers:
            user_id, issued = self.ws.triggers[trigger_id]
            if self.ws.now() - issued > TRIGGER_LIFETIME:
                return _error("expired_trigger_id")
        view = body.get("view")
        if isinstance(view, dict) and view.get("type") != "modal":
            return _invalid_arguments(["must be modal [json-pointer:/view/type]"])
        problem = _view_problem(view)
        if problem:
            return problem
        external_id = view.get("external_id")
        if external_id and any(v.get("external_id") == external_id for v in self.ws.views.values()):
            return _error("duplicate_external_id")
        stored = self._store_view(view)
        if user_id:
            self.ws.view_users[stored["id"]] = user_id
        self.ws.emit("view", user=user_id, view=stored, blocks=stored["blocks"])
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_update(self, body: dict) -> dict:
        view_id, external_id = body.get("view_id"), body.get("external_id")
        if not view_id and not external_id:
            return _invalid_arguments(["must provide view_id or external_id"])
        current = self.ws.views.get(str(view_id or ""))
        if current is None and external_id:
            current = next(
                (v for v in self.ws.views.values() if v.get("external_id") == external_id), None
            )
        if current is None:
            return _error("not_found")
        problem = _view_problem(body.get("view"))
        if problem:
            return problem
        if _stale_hash(body.get("hash"), current):
            return _error("hash_conflict")
        stored = self._store_view(body["view"], view_id=current["id"])
        user_id = self.ws.view_users.get(stored["id"])
        self.ws.emit("view", user=user_id, view=stored, blocks=stored["blocks"])
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _store_view(self, view: dict, *, view_id: str | None = None) -> dict:
        """Save a view under a new or existing id, with a fresh hash as Slack gives each update."""
        view_id = view_id or self.ws.new_id("V")
        stored = {
            "id": view_id,
            "team_id": self.ws.team_id,
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
            "app_installed_team_id": self.ws.team_id,
            "bot_id": self.ws.bot_id,
            **copy.deepcopy(view),
        }
        stored.update(
            id=view_id,
            root_view_id=view_id,
            hash=f"{self.ws.unix_now()}.{self.ws.new_secret(8)}",
        )
        self.ws.views[view_id] = stored
        return stored

    # ---- files

    def _files_get_upload_url(self, body: dict) -> dict:
        filename = str(body.get("filename") or "")
        length = _int(body.get("length"), -1)
        if not filename or length < 0:
            return _invalid_arguments(["filename and length are required"])
        alt_txt = body.get("alt_txt")
        if isinstance(alt_txt, str) and len(alt_txt) > 1000:
            return _error("alt_txt_too_large")
        stored = StoredFile(
            id=self.ws.new_id("F"),
            filename=filename,
            length=length,
            alt_txt=alt_txt,
            created=self.ws.unix_now(),
        )
        self.ws.files[stored.id] = stored
        return {
            "ok": True,
            "upload_url": f"{self.ws.base_url}/upload/{stored.id}",
            "file_id": stored.id,
        }

    def _upload(self, file_id: str, raw: bytes) -> tuple[int, str]:
        stored = self.ws.files.get(file_id)
        if stored is None:
            return 404, "file_not_found"
        stored.data = raw
        return 200, f"OK - {len(raw)}"

    def _files_complete_upload(self, body: dict) -> dict:
        items = body.get("files")
        if not isinstance(items, list) or not items:
            return _invalid_arguments(["files must be a non-empty array"])
        stored_files = []
        for item in items:
            stored = self.ws.files.get(str(item.get("id") if isinstance(item, dict) else ""))
            if stored is None or stored.data is None:
                return _error("file_not_found")
            stored.title = item.get("title") or stored.filename
            stored_files.append(stored)
        channel_id = body.get("channel_id") or str(body.get("channels") or "").split(",")[0]
        conversation = None
        if channel_id:
            conversation = self.ws.resolve(str(channel_id))
            if conversation is None:
                return _error("channel_not_found")
            problem = self._unwritable(conversation)
            if problem:
                return problem
        objects = [self._file_object(f) for f in stored_files]
        if conversation is not None:
            fields = {
                "user": self.ws.bot_user_id,
                "bot_id": self.ws.bot_id,
                "text": body.get("initial_comment") or "",
                "team": self.ws.team_id,
                "files": objects,
                "upload": True,
                "display_as_bot": False,
            }
            message = self.ws.add_message(conversation, fields, body.get("thread_ts"))
            self.ws.emit(
                "file",
                channel=conversation.id,
                ts=message["ts"],
                thread_ts=message.get("thread_ts"),
                text=fields["text"],
                files=objects,
            )
        return {"ok": True, "files": objects}

    def _file_object(self, stored: StoredFile) -> dict:
        mimetype = mimetypes.guess_type(stored.filename)[0] or "application/octet-stream"
        return {
            "id": stored.id,
            "created": stored.created,
            "timestamp": stored.created,
            "name": stored.filename,
            "title": stored.title,
            "mimetype": mimetype,
            "filetype": stored.filename.rsplit(".", 1)[-1].lower()
            if "." in stored.filename
            else "",
            "user": self.ws.bot_user_id,
            "size": len(stored.data or b""),
            "alt_txt": stored.alt_txt,
            "url_private": f"{self.ws.base_url}/files/{stored.id}/{stored.filename}",
            "permalink": f"{PERMALINK_BASE}/files/{self.ws.bot_user_id}/{stored.id}",
        }

    # ---- response_url

    def _response_url(self, token: str, raw: bytes) -> tuple[int, str]:
        hook = self.ws.response_urls.get(token)
        if hook is None:
            return 404, "no_service"
        if self.ws.now() - hook.created > RESPONSE_URL_LIFETIME:
            return 404, "expired_url"
        if hook.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        body = _loads_or_empty(raw)
        if raw and not body:
            return 400, "invalid_payload"
        conversation = self.ws.conversations[hook.channel_id]
        original = conversation.messages.get(hook.message_ts or "")
        if original is not None and original.get("bot_id") != self.ws.bot_id:
            original = None  # only the bot's own message can be replaced or deleted
        if _flag(body.get("delete_original")):
            hook.uses += 1
            if original is not None:
                self.ws.remove_message(conversation, original["ts"])
                self.ws.emit("delete", channel=conversation.id, ts=original["ts"])
            else:
                self.ws.emit(
                    "response", channel=conversation.id, user=hook.user_id, delete_original=True
                )
            return 200, "ok"
        problem = _content_problem(body)
        if problem:
            return 400, problem["error"]
        hook.uses += 1
        text, blocks = body.get("text") or "", body.get("blocks") or []
        if _flag(body.get("replace_original")) and original is not None:
            original["text"] = text
            original["blocks"] = copy.deepcopy(blocks)
            original["edited"] = {
                "user": self.ws.bot_user_id,
                "ts": self.ws.next_ts(conversation.id),
            }
            self._emit_message("update", conversation, original)
        elif body.get("response_type") == "in_channel":
            message = self.ws.add_message(
                conversation, self._bot_fields(body), body.get("thread_ts")
            )
            self._emit_message("message", conversation, message)
        else:
            self.ws.emit(
                "response",
                channel=conversation.id,
                user=hook.user_id,
                thread_ts=body.get("thread_ts"),
                text=text,
                blocks=blocks,
                replace_original=_flag(body.get("replace_original")),
            )
        return 200, "ok"


# ---- answers and parameter helpers


def _error(code: str) -> dict:
    return {"ok": False, "error": code}


def _invalid_arguments(errors: list[str]) -> dict:
    return {
        "ok": False,
        "error": "invalid_arguments",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def _invalid_blocks(errors: list[str]) -> dict:
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def _content_problem(body: dict) -> dict | None:
    """Slack's answer to a message's text and blocks breaking a limit, or None."""
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        return _error("invalid_blocks_format")
    text = body.get("text")
    text = str(text) if text is not None and not isinstance(text, str) else text
    errors = message_text_errors(text, blocks, body.get("attachments"))
    if errors:
        return _error(errors[0])
    errors = message_block_errors(blocks)
    return _invalid_blocks(errors) if errors else None


def _metadata_problem(body: dict) -> dict | None:
    metadata = body.get("metadata")
    if metadata is None or metadata == "":
        return None
    valid = (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
    return None if valid else _error("invalid_metadata_format")


def _view_problem(view: Any) -> dict | None:
    errors = view_errors(view)
    if errors:
        return _invalid_arguments(errors)
    errors = view_block_errors(view)
    return _invalid_blocks(errors) if errors else None


def _stale_hash(given: Any, current: dict | None) -> bool:
    return bool(given) and current is not None and given != current.get("hash")


def _api_message(message: dict, include_metadata: bool) -> dict:
    """A stored message as the Web API shows it; metadata only when asked for."""
    shown = copy.deepcopy(message)
    if not include_metadata:
        shown.pop("metadata", None)
    return shown


def _paginate(items: list, body: dict, kind: str, *, default_limit: int) -> tuple[list | None, str]:
    """One page of items and the cursor for the next ("" at the end); None for a bad cursor."""
    start = 0
    cursor = body.get("cursor")
    if cursor:
        try:
            prefix, _, offset = b64decode(str(cursor)).decode().partition(":")
            start = int(offset)
        except ValueError:
            return None, ""
        if prefix != kind or start < 0:
            return None, ""
    limit = _int(body.get("limit"), default_limit) or default_limit or len(items) or 1
    end = start + limit
    next_cursor = b64encode(f"{kind}:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _loads_or_empty(raw: bytes) -> dict:
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _json_reply(
    status: int, answer: dict, headers: dict | None = None, *, drop: bool = False
) -> Reply:
    body = json.dumps(answer).encode()
    return Reply(status, body, "application/json; charset=utf-8", headers or {}, drop)


def _text_reply(
    status: int, text: str, headers: dict | None = None, *, drop: bool = False
) -> Reply:
    return Reply(status, text.encode(), "text/plain; charset=utf-8", headers or {}, drop)


def _rich_text(text: str, block_id: str) -> dict:
    """The rich_text block Slack attaches to a message a person types."""
    return {
        "type": "rich_text",
        "block_id": block_id,
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


# ---- transports


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SlackDouble/1.0"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve()

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Upgrade", "").lower() == "websocket":
            # Socket Mode: this request becomes a WebSocket until either side closes it.
            self.close_connection = True
            self.server.socket_mode.serve(self)
            return
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.api.handle(self.path, headers, raw)
        if reply.drop:
            # Slack accepted the request but the answer never arrives: close without a byte.
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: the double's record is `requests`, not an access log on stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: WebApi, socket_mode: SocketMode) -> None:
        # Port 0: the OS picks a free port, so parallel test runs never collide.
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self.socket_mode = socket_mode


class InProcessWebClient(WebClient):
    """A real WebClient whose requests go straight to the double's handler, without sockets."""

    def __init__(self, *, api: WebApi, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._double_api = api

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        reply = self._double_api.handle(_path_of(url), _headers_of(req), _data_of(req))
        return _as_urllib_response(url, reply)

    def _upload_file(self, *, url: str, data: bytes, **_: Any) -> FileUploadV2Result:
        reply = self._double_api.handle(_path_of(url), {"content-length": str(len(data))}, data)
        response = _as_urllib_response(url, reply)
        return FileUploadV2Result(status=response["status"], body=response["body"])


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _data_of(req: Request) -> bytes:
    data = req.data
    return data if isinstance(data, bytes) else (data or b"")


def _headers_of(req: Request) -> dict[str, str]:
    headers = {k.lower(): str(v) for k, v in req.header_items()}
    headers.setdefault("host", req.host)
    headers["content-length"] = str(len(_data_of(req)))
    return headers


def _as_urllib_response(url: str, reply: Reply) -> dict[str, Any]:
    """What urllib would have produced for this reply: a dict, an HTTPError, or a lost answer."""
    if reply.drop:
        raise RemoteDisconnected("Remote end closed connection without response")
    message = HTTPMessage()
    message["Content-Type"] = reply.content_type
    message["Content-Length"] = str(len(reply.body))
    for name, value in reply.headers.items():
        message[name] = value
    if not 200 <= reply.status < 300:
        raise HTTPError(url, reply.status, "double", message, io.BytesIO(reply.body))
    return {"status": reply.status, "headers": message, "body": reply.body.decode("utf-8")}


# ---- the double


class SlackDouble:
    """A fake Slack workspace and Web API on a loopback port chosen by the OS."""

    def __init__(
        self,
        team_id: str = "T0PLANBOT",
        bot_user_id: str = "U0PLANBOT",
        bot_id: str = "B0PLANBOT",
        bot_token: str = "xoxb-double-token",
        clock: Clock | None = None,
        *,
        app_id: str = "A0PLANBOT",
        app_token: str | None = None,
    ) -> None:
        self._ws = Workspace(
            team_id=team_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_token=bot_token,
            clock=clock,
        )
        self._socket = SocketMode(
            self._ws, app_id=app_id, app_token=app_token or f"xapp-1-{app_id}-1-double"
        )
        self._api = WebApi(
            self._ws, app_methods={"apps.connections.open": self._socket.connections_open}
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> SlackDouble:
        """Serve the Web API on 127.0.0.1 in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(self._api, self._socket)
        host, port = server.server_address[:2]
        with self._ws.lock:
            self._ws.base_url = f"http://{host}:{port}"
        # serve_forever notices shutdown() only between polls: a short interval keeps stop() quick.
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        thread.name = f"slack-double-{port}"
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._socket.close_all()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> SlackDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        if self._server is None:
            raise RuntimeError("start() the Slack double before using its URL")
        return self._ws.base_url

    @property
    def api_url(self) -> str:
        """http://127.0.0.1:PORT/api/, the base_url a WebClient needs."""
        return f"{self.base_url}/api/"

    @property
    def team_id(self) -> str:
        return self._ws.team_id

    @property
    def bot_user_id(self) -> str:
        return self._ws.bot_user_id

    @property
    def bot_id(self) -> str:
        return self._ws.bot_id

    @property
    def bot_token(self) -> str:
        return self._ws.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (xapp-…) apps.connections.open accepts."""
        return self._socket.app_token

    def web_client(self, token: str | None = None, **kwargs: Any) -> WebClient:
        """A real WebClient speaking HTTP to the double (kwargs go to WebClient, e.g. retry_handlers)."""
        return WebClient(token=token or self._ws.bot_token, base_url=self.api_url, **kwargs)

    def in_process_client(self, token: str | None = None, **kwargs: Any) -> WebClient:
        """A WebClient answered by the double in-process: same answers, recording and failures."""
        base = self._ws.base_url
        return InProcessWebClient(
            api=self._api, token=token or self._ws.bot_token, base_url=f"{base}/api/", **kwargs
        )

    # ---- seeding the workspace

    def add_user(
        self,
        name: str,
        *,
        real_name: str | None = None,
        title: str | None = None,
        tz: str = "Europe/London",
        user_id: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        is_admin: bool = False,
    ) -> str:
        """Add a member and return their id (U0 and 8 upper-case letters or digits)."""
        with self._ws.lock:
            uid = self._ws.claim_id(user_id) if user_id else self._ws.new_id("U")
            self._ws.add_user(
                User(
                    id=uid,
                    name=name,
                    real_name=real_name if real_name is not None else name,
                    title=title or "",
                    tz=tz,
                    deleted=deleted,
                    is_bot=is_bot,
                    is_admin=is_admin,
                )
            )
            return uid

    def add_channel(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        is_private: bool = False,
        bot_is_member: bool = True,
    ) -> str:
        """Add a channel and return its id (C0…)."""
        with self._ws.lock:
            if channel_id in self._ws.placeholders:
                # A response_url already made this channel up; keep its messages, take the facts.
                self._ws.placeholders.discard(channel_id)
                placeholder = self._ws.conversations[channel_id]
                placeholder.name = name.removeprefix("#")
                placeholder.is_private = is_private
                placeholder.bot_is_member = bot_is_member
                return channel_id
            cid = self._ws.claim_id(channel_id) if channel_id else self._ws.new_id("C")
            self._ws.add_conversation(
                Conversation(
                    id=cid,
                    name=name.removeprefix("#"),
                    created=self._ws.unix_now(),
                    is_private=is_private,
                    bot_is_member=bot_is_member,
                )
            )
            return cid

    def dm_channel(self, user_id: str) -> str:
        """The bot's IM with this user (the id conversations.open returns)."""
        return self._ws.dm_for(user_id).id

    def user_says(
        self, user_id: str, text: str, *, channel: str | None = None, thread_ts: str | None = None
    ) -> dict:
        """Store a message typed by a person (in their IM with the bot unless channel is given)."""
        with self._ws.lock:
            conversation = self._conversation(channel or user_id)
            fields = {
                "user": user_id,
                "text": text,
                "team": self._ws.team_id,
                "client_msg_id": self._ws.new_uuid(),
                "blocks": [_rich_text(text, self._ws.new_secret(5))],
            }
            message = self._ws.add_message(conversation, fields, thread_ts)
            return _with_channel(message, conversation.id)

    def edit_message(self, channel: str, ts: str, text: str) -> dict:
        """Edit a stored message as its author would; returns the new and previous message."""
        with self._ws.lock:
            conversation = self._conversation(channel)
            message = self._message(conversation, ts)
            previous = copy.deepcopy(message)
            message["text"] = text
            if "client_msg_id" in message:
                message["blocks"] = [_rich_text(text, self._ws.new_secret(5))]
            message["edited"] = {
                "user": message.get("user"),
                "ts": self._ws.next_ts(conversation.id),
            }
            return {
                "message": _with_channel(message, conversation.id),
                "previous_message": _with_channel(previous, conversation.id),
            }

    def delete_message(self, channel: str, ts: str) -> dict:
        """Delete a stored message as its author would; returns it."""
        with self._ws.lock:
            conversation = self._conversation(channel)
            self._message(conversation, ts)
            return _with_channel(self._ws.remove_message(conversation, ts), conversation.id)

    def new_response_url(
        self, user_id: str, channel_id: str, *, message_ts: str | None = None
    ) -> str:
        """A response_url for one user in one channel (message_ts: the message it may replace)."""
        with self._ws.lock:
            self._ensure_conversation(channel_id, user_id)
            token = self._ws.new_secret(24)
            self._ws.response_urls[token] = ResponseUrl(
                user_id=user_id,
                channel_id=channel_id,
                created=self._ws.now(),
                message_ts=message_ts,
            )
            return f"{self._ws.base_url}/response/{token}"

    def new_trigger_id(self, user_id: str) -> str:
        """A trigger_id that views.open maps to this user and refuses after 3 seconds."""
        with self._ws.lock:
            now = self._ws.now()
            digits = "".join(c for c in self._ws.new_secret(40) if c.isdigit())[:9].ljust(9, "7")
            trigger_id = f"{int(now.timestamp())}.{digits}.{self._ws.new_secret(21).lower()}"
            self._ws.triggers[trigger_id] = (user_id, now)
            return trigger_id

    # ---- reading what happened

    def messages(self, channel: str) -> list[dict]:
        """Top-level messages of a channel (or a user's IM), oldest first."""
        with self._ws.lock:
            conversation = self._conversation(channel)
            return [_with_channel(m, conversation.id) for m in self._ws.top_level(conversation)]

    def thread(self, channel: str, thread_ts: str) -> list[dict]:
        """A thread's parent followed by its replies."""
        with self._ws.lock:
            conversation = self._conversation(channel)
            return [
                _with_channel(m, conversation.id) for m in self._ws.thread(conversation, thread_ts)
            ]

    def home_view(self, user_id: str) -> dict | None:
        """The Home tab last published for this user, if any."""
        with self._ws.lock:
            view_id = self._ws.home_views.get(user_id)
            return copy.deepcopy(self._ws.views[view_id]) if view_id else None

    def file_content(self, file_id: str) -> bytes | None:
        """The bytes uploaded for a file, or None before the upload."""
        with self._ws.lock:
            return self._ws.files[file_id].data

    @property
    def feed(self) -> list[dict]:
        """Everything the bot made visible, in order."""
        with self._ws.lock:
            return copy.deepcopy(self._ws.feed)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order."""
        with self._ws.lock:
            return list(self._ws.requests)

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Requests for one Web API method, or "response" / "upload" for those URLs."""
        with self._ws.lock:
            return [r for r in self._ws.requests if r.method == method]

    def reset_requests(self) -> None:
        with self._ws.lock:
            self._ws.requests.clear()

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        drop: bool = False,
        times: int = 1,
    ) -> None:
        """Script a failure for the next `times` calls of `method` (see the module contract)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if drop:
            failure = Failure(status=200, error="", retry_after=None, drop=True, remaining=times)
        else:
            if status is None:
                if retry_after is not None:
                    status = 429
                elif error is None:
                    raise ValueError("fail_next needs status, error, retry_after or drop")
                elif method in _TEXT_ENDPOINTS:
                    # response_url and uploads answer errors with a 4xx and a word, not ok:false.
                    status = 404 if error in ("used_url", "expired_url", "no_service") else 400
                else:
                    status = 200
            if status == 429 and retry_after is None:
                retry_after = 1  # Slack always says how long to wait
            if error is None:
                error = {429: "ratelimited"}.get(
                    status, "internal_error" if status >= 500 else "invalid_request"
                )
            failure = Failure(status, error, retry_after, drop=False, remaining=times)
        self._ws.add_failure(method, failure)

    # ---- Socket Mode (see socket_mode.py)

    def socket_connected(self, timeout: float = 5) -> bool:
        """Wait until an app holds an open Socket Mode connection; False after `timeout` seconds."""
        return self._socket.connected(timeout)

    def push_envelope(
        self, kind: str, payload: dict, *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> str:
        """Send a slash_commands, events_api or interactive envelope; returns its envelope_id.

        The payload is what `SlackRequest.parsed()` gives for the same request.
        """
        return self._socket.push(
            kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict | None:
        """The app's ack of an envelope ({"envelope_id", "payload"?}), or None after `timeout`."""
        return self._socket.ack(envelope_id, timeout)

    def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's disconnect message and close; the client reconnects with a new ticket."""
        self._socket.disconnect(reason)

    # ---- helpers

    def _conversation(self, channel: str) -> Conversation:
        conversation = self._ws.resolve(channel)
        if conversation is None:
            raise KeyError(f"unknown channel or user {channel}")
        return conversation

    def _message(self, conversation: Conversation, ts: str) -> dict:
        if ts not in conversation.messages:
            raise KeyError(f"no message {ts} in {conversation.id}")
        return conversation.messages[ts]

    def _ensure_conversation(self, channel_id: str, user_id: str) -> None:
        """Make room for a response_url in a conversation the double was not told about."""
        if channel_id in self._ws.conversations:
            return
        self._ws.claim_id(channel_id)
        is_im = channel_id.startswith("D")
        conversation = Conversation(
            id=channel_id,
            name=channel_id.lower(),
            created=self._ws.unix_now(),
            is_private=channel_id.startswith("G"),
            # A command in a channel the bot never joined still gets a working response_url.
            bot_is_member=False,
            im_user=user_id if is_im else None,
        )
        self._ws.add_conversation(conversation)
        if not is_im:
            self._ws.placeholders.add(channel_id)
        if is_im and user_id in self._ws.users:
            self._ws.dms.setdefault(user_id, channel_id)


def _with_channel(message: dict, channel_id: str) -> dict:
    return {**copy.deepcopy(message), "channel": channel_id}
