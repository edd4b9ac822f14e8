"""HTTP mode under hostile requests: 400 for what cannot be read, 413 for what is too big, 200 for a
signed request of a shape nobody handles, and one slow request never holds the others.

The ASGI application is driven in-process (scope, receive, send), so each test sees exactly how
much of a body was read; tests/e2e/test_plan_command.py covers the same app over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.http import EVENTS_PATH, MAX_BODY, asgi_app

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class Exchange:
    """One request through the ASGI app: what it answered and how much of the body it read."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str], method: str, path: str):
        self.chunks = chunks
        self.headers = headers
        self.method = method
        self.path = path
        self.read = 0
        self.status: int | None = None
        self.body = b""

    async def run(self, app) -> Exchange:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            # Header bytes as a client may send them: UTF-8 where it wants to.
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 3000),
        }

        async def receive():
            if self.read >= len(self.chunks):
                return {"type": "http.disconnect"}
            chunk = self.chunks[self.read]
            self.read += 1
            return {
                "type": "http.request",
                "body": chunk,
                "more_body": self.read < len(self.chunks),
            }

        async def send(message):
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        await app(scope, receive, send)
        return self


def exchange(
    app,
    body: bytes | list[bytes],
    headers: dict[str, str],
    *,
    method: str = "POST",
    path: str = EVENTS_PATH,
    content_length: bool = True,
) -> Exchange:
    chunks = body if isinstance(body, list) else [body]
    headers = dict(headers)
    if content_length:
        headers["content-length"] = str(sum(map(len, chunks)))
    else:
        headers["transfer-encoding"] = "chunked"
    return asyncio.run(Exchange(chunks, headers, method, path).run(app))


def signed(world, body: str | bytes, content_type: str, *, timestamp: str | None = None):
    raw = body.encode() if isinstance(body, str) else body
    stamp = timestamp or str(int(time.time()))  # Slack signs with the wall clock, as Bolt checks
    signature = SignatureVerifier(world.signing_secret).generate_signature(
        timestamp=stamp, body=raw.decode("utf-8", errors="replace")
    )
    return raw, {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature or "",
    }


# --- 400: bodies that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", "event": ', JSON),
        ("{not json}", JSON),
        (urlencode({"payload": "{not json"}), FORM),
        ("payload=", FORM),
        (b"command=/plan&text=\xff\xfe", FORM),
    ],
)
def test_a_body_that_cannot_be_read_is_400(world, caplog, body, content_type):
    raw, headers = signed(world, body, content_type)
    done = exchange(asgi_app(world.app), raw, headers)
    assert done.status == 400, done.body
    assert "Traceback" not in caplog.text
    assert world.double.requests_for("response") == []


@pytest.mark.parametrize("stamp", ["soon", "12ab", "", "١٧٠٠٠٠٠٠٠٠", " 1700000000"])
def test_a_timestamp_that_is_not_a_number_is_400(world, caplog, stamp):
    request = world.requests.command(world.admin.user_id, "status 7")
    headers = {**request.headers, "x-slack-request-timestamp": stamp}
    done = exchange(asgi_app(world.app), request.body.encode(), headers)
    assert done.status == 400, done.body
    assert "Traceback" not in caplog.text


# --- 200: signed, readable, but of a shape nobody expects --------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[]", JSON),
        ('"x"', JSON),
        ("null", JSON),
        ('{"type": "event_callback", "event": "x"}', JSON),
        ('{"type": "event_callback", "event": []}', JSON),
        ('{"type": "event_callback", "event": {"type": "message", "channel": 5}}', JSON),
        ('{"type": "event_callback", "authorizations": "x", "event": {"type": "message"}}', JSON),
        (urlencode({"payload": "[]"}), FORM),
        (urlencode({"command": "/plan", "text": "status 7"}), FORM),
        (
            urlencode({"payload": json.dumps({"type": "block_actions", "user": "x", "team": 5})}),
            FORM,
        ),
    ],
)
def test_a_signed_body_of_an_unexpected_shape_is_acknowledged(world, caplog, body, content_type):
    raw, headers = signed(world, body, content_type)
    done = exchange(asgi_app(world.app), raw, headers)
    assert done.status == 200, done.body
    assert "Traceback" not in caplog.text


def test_an_unsigned_body_of_an_unexpected_shape_is_still_refused(world):
    raw, headers = signed(world, "[]", JSON)
    headers["x-slack-signature"] = "v0=" + "0" * 64
    assert exchange(asgi_app(world.app), raw, headers).status == 401


# --- 413: bodies too big to read ----------------------------------------------------------------


def test_a_body_over_a_megabyte_is_413_without_being_read(world):
    raw, headers = signed(world, "x" * (MAX_BODY + 1), FORM)
    done = exchange(asgi_app(world.app), raw, headers)
    assert done.status == 413
    assert done.read == 0  # Content-Length said it all


def test_a_chunked_body_over_a_megabyte_is_cut_off_while_reading(world):
    chunk = b"x" * 65_536
    chunks = [chunk] * (2 * MAX_BODY // len(chunk))
    done = exchange(asgi_app(world.app), chunks, {"content-type": FORM}, content_length=False)
    assert done.status == 413
    assert done.read * len(chunk) <= MAX_BODY + len(chunk)  # stopped at the cap, not the end


def test_a_megabyte_exactly_is_read(world):
    request = world.requests.command(world.admin.user_id, "help")
    body = request.body + "&pad=" + "x" * (MAX_BODY - len(request.body) - 5)
    raw, headers = signed(world, body, FORM)
    assert len(raw) == MAX_BODY
    assert exchange(asgi_app(world.app), raw, headers).status == 200


def test_other_paths_and_methods(world):
    app = asgi_app(world.app)
    assert exchange(app, b"", {}, path="/elsewhere").status == 404
    assert exchange(app, b"", {}, method="GET").status == 405


# --- One slow dispatch never holds the others ---------------------------------------------------


class SlowThenFast:
    """An app whose first dispatch waits until a second dispatch has run."""

    def __init__(self) -> None:
        self.second_ran = threading.Event()
        self.calls = 0
        self.lock = threading.Lock()

    def dispatch(self, request) -> BoltResponse:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            # On the event loop this would wait forever for a request the loop cannot start.
            ok = self.second_ran.wait(timeout=10)
            return BoltResponse(status=200 if ok else 504, body="")
        self.second_ran.set()
        return BoltResponse(status=200, body="")


def test_a_slow_dispatch_does_not_hold_other_requests(world):
    app = asgi_app(SlowThenFast())
    request = world.requests.command(world.admin.user_id, "help")

    async def both():
        first = asyncio.create_task(
            Exchange([request.body.encode()], dict(request.headers), "POST", EVENTS_PATH).run(app)
        )
        await asyncio.sleep(0)  # let the first request start dispatching
        second = Exchange([request.body.encode()], dict(request.headers), "POST", EVENTS_PATH)
        await asyncio.wait_for(second.run(app), timeout=10)
        return await first, second

    first, second = asyncio.run(both())
    assert (first.status, second.status) == (200, 200)


# --- A response_url out of reach falls back to a DM ---------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dm_text(world, user: str) -> str:
    from bot.local.render import render_blocks

    [dm] = world.double.requests_for("chat.postMessage")
    assert dm.body["channel"] == user
    message = world.double.messages(user)[-1]
    return "\n".join(render_blocks(message.get("blocks") or [])) or message["text"]


def test_a_response_url_that_refuses_connections_falls_back_to_a_dm(world, caplog):
    user = world.admin.user_id
    request = world.requests.command(
        user,
        "status 7",
        channel_id=world.double.dm_channel(user),
        response_url=f"http://127.0.0.1:{_closed_port()}/response/gone",
    )
    assert request.dispatch(world.app).status == 200
    assert "PRIORITY 7" in _dm_text(world, user)
    assert "Traceback" not in caplog.text


def test_a_response_url_that_is_not_a_url_falls_back_to_a_dm(world, caplog):
    user = world.admin.user_id
    request = world.requests.command(
        user, "status 7", channel_id=world.double.dm_channel(user), response_url="not a url"
    )
    assert request.dispatch(world.app).status == 200
    assert "PRIORITY 7" in _dm_text(world, user)
    assert "Traceback" not in caplog.text


def test_a_response_url_that_drops_the_connection_falls_back_to_a_dm(world):
    user = world.admin.user_id
    world.double.fail_next("response", drop=True, times=5)
    assert world.command(user, "status 7") == 200
    assert "PRIORITY 7" in _dm_text(world, user)
