"""The double's workspace: users, conversations, messages, views, files and what the bot did.

Everything here is guarded by one re-entrant lock, because the HTTP server answers on its own
threads while tests seed and read the same state. Ids and secrets come from a random generator
seeded with the team id, so two doubles fed the same calls give the same answers.
"""

from __future__ import annotations

import copy
import itertools
import random
import string
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock, SystemClock

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
TRIGGER_LIFETIME = timedelta(seconds=3)
PERMALINK_BASE = "https://double.slack.local"
_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits


@dataclass
class RecordedRequest:
    """One request the double received, with what it answered."""

    method: str  # "chat.postMessage", or "response" / "upload" for those URLs
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict
    raw: bytes
    # 0 when the connection was dropped unanswered (fail_next(drop=True)).
    status: int
    # The JSON answer, or {"text": ...} for response_url and upload answers; for a dropped
    # request, what Slack did but never got to say.
    response: dict | None
    at: datetime
    # For a 429: the Retry-After answered, and which rate limit refused the call (None when the
    # 429 was scripted with fail_next).
    retry_after: int | None = None
    rate_limit: str | None = None


@dataclass
class Failure:
    """A scripted failure for the next `remaining` calls of one method."""

    status: int
    error: str
    retry_after: int | None
    drop: bool
    remaining: int


@dataclass
class User:
    """A member of the workspace, human or bot."""

    id: str
    name: str
    real_name: str
    title: str
    tz: str
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False


@dataclass
class Conversation:
    """A channel or the bot's IM with one user; messages are keyed by ts in posting order."""

    id: str
    name: str
    created: int
    is_private: bool = False
    bot_is_member: bool = True
    im_user: str | None = None
    messages: dict[str, dict] = field(default_factory=dict)

    @property
    def is_im(self) -> bool:
        return self.im_user is not None


@dataclass
class ResponseUrl:
    """A response_url handed to the bot: one user, one channel, 5 uses, 30 minutes."""

    user_id: str
    channel_id: str
    created: datetime
    message_ts: str | None = None
    uses: int = 0


@dataclass
class StoredFile:
    """A file announced with files.getUploadURLExternal; `data` arrives with the upload POST."""

    id: str
    filename: str
    length: int
    alt_txt: str | None
    created: int
    title: str = ""
    data: bytes | None = None


class Workspace:
    """The fake Slack workspace the Web API methods read and change."""

    def __init__(
        self,
        *,
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        bot_token: str,
        clock: Clock | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_token = bot_token
        self.clock: Clock = clock if clock is not None else SystemClock()
        # Upload and response URLs point here; the server swaps in its loopback URL on start.
        self.base_url = "http://slack-double.invalid"
        self.users: dict[str, User] = {}
        self.conversations: dict[str, Conversation] = {}
        self.dms: dict[str, str] = {}
        # Conversations made up for a response_url; add_channel may still describe them properly.
        self.placeholders: set[str] = set()
        self.views: dict[str, dict] = {}
        self.home_views: dict[str, str] = {}
        self.view_users: dict[str, str] = {}
        self.files: dict[str, StoredFile] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.triggers: dict[str, tuple[str, datetime]] = {}
        self.feed: list[dict] = []
        self.requests: list[RecordedRequest] = []
        self.failures: dict[str, deque[Failure]] = {}
        self._rng = random.Random(team_id)
        self._issued: set[str] = set()
        self._last_ts_us: dict[str, int] = {}
        self._seq = itertools.count(1)
        # Slack lists the bot's own user in users.list and answers users.info for it.
        self.claim_id(bot_user_id)
        self.add_user(
            User(
                id=bot_user_id,
                name="planbot",
                real_name="planbot",
                title="",
                tz="America/Los_Angeles",
                is_bot=True,
            )
        )

    # ---- time, ids and secrets

    def now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as U0K7Q2ZP4M (prefix, "0", 8 upper-case alnum)."""
        with self.lock:
            while True:
                candidate = prefix + "0" + "".join(self._rng.choices(_ID_ALPHABET, k=8))
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate

    def claim_id(self, given: str) -> str:
        """Reserve an id chosen by the caller, refusing duplicates."""
        with self.lock:
            if given in self._issued:
                raise ValueError(f"id {given} is already in use")
            self._issued.add(given)
            return given

    def new_secret(self, length: int = 24) -> str:
        with self.lock:
            return "".join(self._rng.choices(_SECRET_ALPHABET, k=length))

    def new_uuid(self) -> str:
        with self.lock:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_ts(self, conversation_id: str) -> str:
        """A message ts from the clock, strictly increasing per conversation even if time stands."""
        with self.lock:
            micros = (self.now() - EPOCH) // timedelta(microseconds=1)
            micros = max(micros, self._last_ts_us.get(conversation_id, 0) + 1)
            self._last_ts_us[conversation_id] = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def unix_now(self) -> int:
        return int(self.now().timestamp())

    # ---- users and conversations

    def add_user(self, user: User) -> User:
        """Store a user whose id came from new_id or claim_id."""
        with self.lock:
            self.users[user.id] = user
            return user

    def user_object(self, user: User) -> dict:
        """The user as users.info and users.list show it, tz offset taken at the clock's time."""
        try:
            local = self.now().astimezone(ZoneInfo(user.tz))
            tz_offset = int(local.utcoffset().total_seconds())
            tz_label = local.tzname() or user.tz
        except (ZoneInfoNotFoundError, ValueError):
            # Slack can hand back a zone this machine does not know; planbot must fall back.
            tz_offset, tz_label = 0, user.tz
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_admin": user.is_admin,
            "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": self.unix_now(),
            "profile": {
                "real_name": user.real_name,
                "display_name": user.name,
                "title": user.title,
                "team": self.team_id,
            },
        }

    def add_conversation(self, conversation: Conversation) -> Conversation:
        """Store a conversation whose id came from new_id or claim_id."""
        with self.lock:
            self.conversations[conversation.id] = conversation
            return conversation

    def dm_for(self, user_id: str) -> Conversation:
        """The bot's IM with a user, opened on first use and stable afterwards."""
        with self.lock:
            if user_id not in self.users:
                raise KeyError(f"unknown user {user_id}")
            if user_id not in self.dms:
                conversation = Conversation(
                    id=self.new_id("D"), name=user_id, created=self.unix_now(), im_user=user_id
                )
                self.add_conversation(conversation)
                self.dms[user_id] = conversation.id
            return self.conversations[self.dms[user_id]]

    def resolve(self, channel: str | None) -> Conversation | None:
        """The conversation a `channel` argument means: an id, a user id (their IM) or a #name."""
        with self.lock:
            if not channel:
                return None
            if channel in self.conversations:
                return self.conversations[channel]
            if channel.startswith(("U", "W")) and channel in self.users:
                return self.dm_for(channel)
            name = channel.removeprefix("#")
            for conversation in self.conversations.values():
                if not conversation.is_im and conversation.name == name:
                    return conversation
            return None

    # ---- messages

    def add_message(self, conversation: Conversation, fields: dict, thread_ts: str | None) -> dict:
        """Store a message, threading it under its parent and updating the parent's counters."""
        with self.lock:
            ts = self.next_ts(conversation.id)
            message = {"type": "message", **copy.deepcopy(fields), "ts": ts}
            parent = self._thread_parent(conversation, thread_ts)
            if parent is not None:
                message["thread_ts"] = parent["ts"]
                message["parent_user_id"] = parent.get("user")
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                reply_users = parent.setdefault("reply_users", [])
                if message.get("user") not in reply_users:
                    reply_users.append(message.get("user"))
                parent["reply_users_count"] = len(reply_users)
                parent["latest_reply"] = ts
            conversation.messages[ts] = message
            return message

    def _thread_parent(self, conversation: Conversation, thread_ts: str | None) -> dict | None:
        # A reply to a reply joins the parent's thread; an unknown thread_ts posts top-level,
        # which is what Slack does rather than failing.
        if not thread_ts or thread_ts not in conversation.messages:
            return None
        message = conversation.messages[thread_ts]
        parent_ts = message.get("thread_ts", thread_ts)
        return conversation.messages.get(parent_ts, message)

    def remove_message(self, conversation: Conversation, ts: str) -> dict:
        with self.lock:
            message = conversation.messages.pop(ts)
            parent_ts = message.get("thread_ts")
            parent = conversation.messages.get(parent_ts) if parent_ts != ts else None
            if parent is not None:
                replies = self.thread(conversation, parent_ts)[1:]
                parent["reply_count"] = len(replies)
                parent["latest_reply"] = replies[-1]["ts"] if replies else parent_ts
            return message

    def top_level(self, conversation: Conversation) -> list[dict]:
        with self.lock:
            return [
                m
                for m in _by_ts(conversation.messages.values())
                if m.get("thread_ts", m["ts"]) == m["ts"]
            ]

    def thread(self, conversation: Conversation, thread_ts: str) -> list[dict]:
        with self.lock:
            return [
                m
                for m in _by_ts(conversation.messages.values())
                if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts
            ]

    # ---- what the bot made visible, what it sent, and what should fail

    def emit(self, kind: str, **fields: Any) -> dict:
        """Append an entry to the feed a shell renders; every entry has the same core keys."""
        with self.lock:
            entry = {
                "kind": kind,
                "channel": None,
                "user": None,
                "ts": None,
                "thread_ts": None,
                "text": "",
                "blocks": [],
                **copy.deepcopy(fields),
                "seq": next(self._seq),
            }
            self.feed.append(entry)
            return entry

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(request)

    def record_call(
        self,
        method: str,
        path: str,
        headers: dict,
        body: dict,
        raw: bytes,
        status: int,
        response: dict | None,
        *,
        retry_after: int | None = None,
        rate_limit: str | None = None,
    ) -> None:
        """Record one request with copies of what it carried, stamped by the double's clock."""
        self.record(
            RecordedRequest(
                method=method,
                path=path,
                headers=dict(headers),
                body=copy.deepcopy(body),
                raw=raw,
                status=status,
                response=copy.deepcopy(response),
                at=self.now(),
                retry_after=retry_after,
                rate_limit=rate_limit,
            )
        )

    def add_failure(self, method: str, failure: Failure) -> None:
        with self.lock:
            self.failures.setdefault(method, deque()).append(failure)

    def take_failure(self, method: str) -> Failure | None:
        """The failure scripted for this call of `method`, if any, using up one of its times."""
        with self.lock:
            queue = self.failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.popleft()
            return failure


def ts_key(ts: str) -> Decimal:
    """A ts as a number, for ordering and oldest/latest filters."""
    return Decimal(ts)


def _by_ts(messages: Any) -> list[dict]:
    return sorted(messages, key=lambda m: ts_key(m["ts"]))
