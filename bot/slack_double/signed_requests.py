"""Signed Slack requests (commands, events, interactivity) for dispatching into the real Bolt app.

Bodies and headers are built the way Slack sends them (https://api.slack.com/types/event,
https://docs.slack.dev/interactivity/implementing-slash-commands, and the fixtures of Bolt's own
scenario tests) and signed with slack_sdk's SignatureVerifier
(https://api.slack.com/authentication/verifying-requests-from-slack), so Bolt's own request
verification runs in every test.
"""

from __future__ import annotations

import itertools
import json
import random
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode
from urllib.request import ProxyHandler, Request, build_opener

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from bot.slack_double.double import SlackDouble

_ALNUM = string.ascii_uppercase + string.digits
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


@dataclass
class SlackRequest:
    """A raw body and its headers, exactly as Slack would send them."""

    body: str
    headers: dict[str, str]

    def to_bolt(self) -> BoltRequest:
        """The request as an HTTP-mode BoltRequest (signature checked by the app)."""
        return BoltRequest(body=self.body, headers=dict(self.headers))

    def to_socket_mode(self) -> BoltRequest:
        """The request as Bolt's Socket Mode adapter builds it: parsed body, retry headers only."""
        retry_headers = {
            k: v
            for k, v in self.headers.items()
            if k in ("x-slack-retry-num", "x-slack-retry-reason")
        }
        return BoltRequest(mode="socket_mode", body=self.parsed(), headers=retry_headers or None)

    def parsed(self) -> dict:
        """The body as a dict: JSON, the `payload` of an interaction, or the command's form.

        This is also the `payload` of the Socket Mode envelope Slack sends instead.
        """
        if self.headers.get("content-type") == _JSON:
            return json.loads(self.body)
        form = dict(parse_qsl(self.body, keep_blank_values=True))
        return json.loads(form["payload"]) if "payload" in form else form

    @property
    def envelope_type(self) -> str:
        """The Socket Mode envelope type for this request: events_api, interactive or slash_commands.

        `double.push_envelope(request.envelope_type, request.parsed())` delivers it over the socket.
        """
        if self.headers.get("content-type") == _JSON:
            return "events_api"
        return "interactive" if "payload" in dict(parse_qsl(self.body)) else "slash_commands"

    def dispatch(self, app: App) -> BoltResponse:
        """Run the request through the app's middleware and listeners."""
        return app.dispatch(self.to_bolt())

    def post(self, url: str, timeout: float = 10) -> tuple[int, str]:
        """POST the request over real HTTP (to planbot's HTTP-mode server) and return the answer."""
        request = Request(url, data=self.body.encode(), headers=self.headers, method="POST")
        # No proxy: these requests are for a local server, whatever the environment says.
        opener = build_opener(ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()


class SignedRequests:
    """Builds signed Slack requests for one app in one workspace."""

    def __init__(
        self,
        signing_secret: str = "test-secret",
        team_id: str = "T0PLANBOT",
        api_app_id: str = "A0PLANBOT",
        bot_user_id: str = "U0PLANBOT",
        now: Callable[[], float] = time.time,
        *,
        double: SlackDouble | None = None,
    ) -> None:
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.now = now
        # Given the double, commands and block actions get a response_url that works, trigger
        # ids are ones views.open knows, and app_home_opened carries the published Home view.
        self.double = double
        self._verifier = SignatureVerifier(signing_secret)
        self._counter = itertools.count(1)
        self._rng = random.Random()

    # ---- slash commands

    def command(
        self,
        user_id: str,
        text: str,
        *,
        command: str = "/plan",
        channel_id: str = "C0GENERAL1",
        channel_name: str | None = None,
        user_name: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        **common: Any,
    ) -> SlackRequest:
        """A slash command, form-encoded as Slack posts it."""
        if response_url is None and self.double is not None:
            response_url = self.double.new_response_url(user_id, channel_id)
        fields = {
            "token": "verification-token",
            "team_id": self.team_id,
            "team_domain": "planbot-double",
            "channel_id": channel_id,
            "channel_name": channel_name or _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or "",
            "trigger_id": trigger_id or self._trigger_id(user_id),
        }
        return self._signed(urlencode(fields), _FORM, **common)

    # ---- Events API

    def event(self, event: dict, *, event_id: str | None = None, **common: Any) -> SlackRequest:
        """Any event inside an Events API envelope; event_id is fresh unless given (retries)."""
        envelope = {
            "token": "verification-token",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self._event_id(),
            "event_time": int(self.now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{self._secret(40)}",
        }
        return self._signed(json.dumps(envelope), _JSON, **common)

    def message(
        self,
        user_id: str,
        channel: str,
        text: str,
        ts: str,
        *,
        thread_ts: str | None = None,
        event_id: str | None = None,
        bot_id: str | None = None,
        subtype: str | None = None,
        channel_type: str = "im",
        **common: Any,
    ) -> SlackRequest:
        """A message event; a thread reply carries thread_ts and, as Slack sends it, no subtype."""
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": channel_type,
            "team": self.team_id,
        }
        if bot_id is None:
            event["client_msg_id"] = str(uuid.uuid4())
            event["blocks"] = [_rich_text(text)]
        else:
            event["bot_id"] = bot_id
        if subtype is not None:
            event["subtype"] = subtype
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return self.event(event, event_id=event_id, **common)

    def message_changed(
        self,
        channel: str,
        ts: str,
        text: str,
        *,
        user_id: str,
        previous_text: str,
        event_id: str | None = None,
        thread_ts: str | None = None,
        **common: Any,
    ) -> SlackRequest:
        """An edit: the edited message is event.message (its ts is `ts`); the event has its own ts.
        A reply in a thread keeps its thread_ts in both messages, as Slack sends it."""
        edit_ts = self._event_ts()
        threaded = {"thread_ts": thread_ts} if thread_ts else {}
        message = self._said(
            user_id,
            text,
            ts,
            edited={"user": user_id, "ts": edit_ts},
            client_msg_id=str(uuid.uuid4()),
            blocks=[_rich_text(text)],
            **threaded,
        )
        previous = self._said(
            user_id, previous_text, ts, blocks=[_rich_text(previous_text)], **threaded
        )
        event = _hidden_change(
            "message_changed", channel, edit_ts, message=message, previous_message=previous
        )
        return self.event(event, event_id=event_id, **common)

    def message_deleted(
        self,
        channel: str,
        ts: str,
        *,
        user_id: str,
        previous_text: str,
        event_id: str | None = None,
        thread_ts: str | None = None,
        **common: Any,
    ) -> SlackRequest:
        """A deletion: deleted_ts names the message, previous_message holds what it said."""
        threaded = {"thread_ts": thread_ts} if thread_ts else {}
        event = _hidden_change(
            "message_deleted",
            channel,
            self._event_ts(),
            deleted_ts=ts,
            previous_message=self._said(user_id, previous_text, ts, **threaded),
        )
        return self.event(event, event_id=event_id, **common)

    def _said(self, user_id: str, text: str, ts: str, **extra: Any) -> dict:
        """A person's message as an edit or delete event quotes it."""
        return {
            "type": "message",
            "user": user_id,
            "text": text,
            "team": self.team_id,
            "ts": ts,
            **extra,
        }

    def app_home_opened(
        self, user_id: str, *, tab: str = "home", channel: str | None = None, **common: Any
    ) -> SlackRequest:
        """The user opened the app's Home or Messages tab."""
        if channel is None:
            channel = self.double.dm_channel(user_id) if self.double else "D0" + self._id(8)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": channel,
            "tab": tab,
            "event_ts": self._event_ts(),
        }
        view = self.double.home_view(user_id) if self.double else None
        if view is not None:
            event["view"] = (
                view  # present once a Home view was published (api.slack.com/events/app_home_opened)
            )
        return self.event(event, **common)

    # ---- interactivity

    def block_actions(
        self,
        user_id: str,
        action_id: str,
        value: str,
        *,
        block_id: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        selected_option: dict | None = None,
        **common: Any,
    ) -> SlackRequest:
        """A button click (or, with selected_option, a choice in a select menu) on a message
        (channel + message_ts or message) or in a view."""
        if message is not None:
            message_ts = message_ts or message.get("ts")
            thread_ts = thread_ts or message.get("thread_ts")
            channel = channel or message.get("channel")
        if response_url is None and channel is not None and view is None and self.double:
            response_url = self.double.new_response_url(user_id, channel, message_ts=message_ts)
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id or self._secret(5),
            "value": value,
            "action_ts": f"{self.now():.6f}",
            "text": {"type": "plain_text", "text": value, "emoji": True},
        }
        if selected_option is not None:
            # A select menu's action carries the chosen option instead of a value and a text.
            action = {
                "type": "static_select",
                "action_id": action_id,
                "block_id": action["block_id"],
                "selected_option": selected_option,
                "action_ts": action["action_ts"],
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification-token",
            "trigger_id": trigger_id or self._trigger_id(user_id),
            "team": {"id": self.team_id, "domain": "planbot-double"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
            payload["state"] = view.get("state", {"values": {}})
        else:
            container: dict[str, Any] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            if thread_ts is not None:
                container["thread_ts"] = thread_ts
            payload["container"] = container
            payload["channel"] = {"id": channel, "name": _channel_name(channel or "")}
            payload["message"] = message or {
                "type": "message",
                "ts": message_ts,
                "user": self.bot_user_id,
                "text": "",
                **({"thread_ts": thread_ts} if thread_ts else {}),
            }
            payload["state"] = {"values": {}}
        if response_url is not None:
            payload["response_url"] = response_url
        return self._interaction(payload, **common)

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        state_values: dict,
        *,
        private_metadata: str = "",
        view_id: str | None = None,
        **common: Any,
    ) -> SlackRequest:
        """A modal submitted with these state values ({block_id: {action_id: {...}}})."""
        view_id = view_id or "V0" + self._id(8)
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "planbot-double"},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification-token",
            "trigger_id": self._trigger_id(user_id),
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": state_values},
                "hash": f"{int(self.now())}.{self._secret(8)}",
                "title": {"type": "plain_text", "text": "planbot"},
                "clear_on_close": False,
                "notify_on_close": False,
                "close": None,
                "submit": None,
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": self.api_app_id,
                "external_id": "",
                "app_installed_team_id": self.team_id,
                "bot_id": self.double.bot_id if self.double else "B0PLANBOT",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload, **common)

    # ---- signing and ids

    def _interaction(self, payload: dict, **common: Any) -> SlackRequest:
        return self._signed(urlencode({"payload": json.dumps(payload)}), _FORM, **common)

    def _signed(
        self,
        body: str,
        content_type: str,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> SlackRequest:
        stamp = str(int(self.now()) if timestamp is None else timestamp)
        verifier = (
            SignatureVerifier(self.signing_secret + "-wrong") if bad_signature else self._verifier
        )
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
            "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if retry_num is not None:
            headers["x-slack-retry-num"] = str(retry_num)
        if retry_reason is not None:
            headers["x-slack-retry-reason"] = retry_reason
        return SlackRequest(body=body, headers=headers)

    def _user(self, user_id: str) -> dict:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def _trigger_id(self, user_id: str) -> str:
        if self.double is not None:
            return self.double.new_trigger_id(user_id)
        return f"{int(self.now())}.{self._rng.randrange(10**11)}.{self._secret(32).lower()}"

    def _event_id(self) -> str:
        # A counter in the id keeps every generated event_id distinct, as Slack's are.
        return f"Ev0{next(self._counter):04d}{self._id(6)}"

    def _event_ts(self) -> str:
        return f"{self.now():.6f}"

    def _id(self, length: int) -> str:
        return "".join(self._rng.choices(_ALNUM, k=length))

    def _secret(self, length: int) -> str:
        return "".join(self._rng.choices(string.ascii_letters + string.digits, k=length))


def _hidden_change(subtype: str, channel: str, event_ts: str, **fields: Any) -> dict:
    """A message_changed or message_deleted event: hidden, with its own ts (event_ts)."""
    return {
        "type": "message",
        "subtype": subtype,
        "hidden": True,
        **fields,
        "channel": channel,
        "event_ts": event_ts,
        "ts": event_ts,
        "channel_type": _channel_type(channel),
    }


def _channel_type(channel: str) -> str:
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")


def _channel_name(channel: str) -> str:
    return "directmessage" if channel.startswith("D") else channel.lower()


def _rich_text(text: str) -> dict:
    return {
        "type": "rich_text",
        "block_id": "dbl",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
