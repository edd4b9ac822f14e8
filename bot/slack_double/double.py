"""SlackDouble: a fake Slack workspace and its Web API on a loopback port, for tests and the shell.

Seed it (add_user, add_channel), point a WebClient at it (web_client, in_process_client, api_url),
play the people (user_says, edit_message, new_response_url), read what happened (messages, feed,
requests), and make Slack misbehave on purpose:

- `fail_next(method, ...)` scripts the next call(s) of a method, or of "response" / "upload"
  for those URLs: an HTTP status, an `ok: false` error, a 429 with Retry-After, or `drop=True`,
  where the call is applied and recorded (status 0) and then the connection closes unanswered,
  as when Slack posted a message but the answer was lost on the way back.
- `enable_rate_limits(RateLimits(...))` throttles like Slack (see rate_limits.py); off by default.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock
from bot.slack_double.http_server import LoopbackServer
from bot.slack_double.in_process import InProcessWebClient
from bot.slack_double.rate_limits import RateLimiter, RateLimits
from bot.slack_double.socket_mode import SocketMode
from bot.slack_double.web_api import TEXT_ENDPOINTS, WebApi
from bot.slack_double.workspace import (
    Conversation,
    Failure,
    RecordedRequest,
    ResponseUrl,
    User,
    Workspace,
)


def _workspace_fact(name: str, doc: str) -> property:
    """A read-only property for one of the workspace's fixed facts (team_id, bot_token, ...)."""
    return property(lambda double: getattr(double._ws, name), doc=doc)


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
        rate_limits: RateLimits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """rate_limits: throttle like Slack from the start (see enable_rate_limits); monotonic:
        the limiter's seconds, which tests replace with a fake they move on."""
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
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._monotonic = monotonic
        if rate_limits is not None:
            self.enable_rate_limits(rate_limits)

    # ---- lifecycle

    def start(self) -> SlackDouble:
        """Serve the Web API on 127.0.0.1 in a daemon thread."""
        if self._server is not None:
            return self
        server = LoopbackServer(self._api, self._socket)
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

    team_id = _workspace_fact("team_id", "The workspace's id (T…).")
    bot_user_id = _workspace_fact("bot_user_id", "The bot's own user id (U…).")
    bot_id = _workspace_fact("bot_id", "The bot's id (B…), on every message it posts.")
    bot_token = _workspace_fact("bot_token", "The bot token (xoxb-…) the Web API accepts.")

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
        return self.feed_since(0)

    def feed_since(self, start: int) -> list[dict]:
        """What the bot made visible after its first `start` items (copies, as `feed`'s are).

        A terminal that shows each new item once copies only the new ones: copying the whole
        feed at every step grows with the session.
        """
        with self._ws.lock:
            return copy.deepcopy(self._ws.feed[start:])

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
                elif method in TEXT_ENDPOINTS:
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

    def hold(self, endpoint: str) -> threading.Event:
        """Make every call of `endpoint` (a method, or "response") wait until the event is set.

        A Slack that takes its time, under the test's control: nothing sleeps, and the test
        can see how many calls are waiting (`waiting`).
        """
        gate = threading.Event()
        self._api.gates[endpoint] = gate
        return gate

    def waiting(self, endpoint: str) -> int:
        """How many calls of `endpoint` are waiting at its gate."""
        with self._ws.lock:
            return self._api.waiting.get(endpoint, 0)

    # ---- Slack's rate limits (see rate_limits.py)

    def enable_rate_limits(
        self, limits: RateLimits | None = None, *, monotonic: Callable[[], float] | None = None
    ) -> RateLimits:
        """Throttle like Slack from now on (Slack's published limits unless `limits` says).

        Every limit starts with its burst available. A throttled call is answered 429 with
        Retry-After and {"ok": false, "error": "ratelimited"}, is not applied, and is recorded.
        """
        limits = limits if limits is not None else RateLimits()
        with self._ws.lock:
            self._api.rate_limiter = RateLimiter(limits, monotonic or self._monotonic)
        return limits

    def disable_rate_limits(self) -> None:
        """Stop throttling (the default)."""
        with self._ws.lock:
            self._api.rate_limiter = None

    @property
    def rate_limits(self) -> RateLimits | None:
        """The limits in force, or None when the double does not throttle."""
        with self._ws.lock:
            limiter = self._api.rate_limiter
            return limiter.limits if limiter is not None else None

    def rate_limited(self, method: str | None = None) -> list[RecordedRequest]:
        """Requests answered 429, of one method or all; `rate_limit` names the limit that refused
        each (None for a 429 scripted with fail_next)."""
        with self._ws.lock:
            return [
                r
                for r in self._ws.requests
                if r.status == 429 and (method is None or r.method == method)
            ]

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

    def socket_ping(self) -> int:
        """Ping every open Socket Mode connection (RFC 6455 5.5.2); how many were pinged."""
        return self._socket.ping()

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


def _rich_text(text: str, block_id: str) -> dict:
    """The rich_text block Slack attaches to a message a person types."""
    return {
        "type": "rich_text",
        "block_id": block_id,
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
