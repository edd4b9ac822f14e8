"""HTTP mode: one endpoint, /slack/events, for events, commands and interactivity (Bolt's convention).

A thin ASGI application in front of the Bolt app, instead of Bolt's builtin ASGI adapter, which
calls `app.dispatch` on the event loop (so one slow dispatch holds every other request), reads
any body whole, and answers a body it cannot parse with 500 and a traceback. Here:

- a body over MAX_BODY is refused with 413 without being read (Content-Length), or as soon as a
  chunked body passes it;
- a body that cannot be read (not UTF-8, bad JSON, a bad `payload` field) or a timestamp that is
  not a number is 400;
- a readable body of a shape nobody handles goes to Bolt with its fields left out, so Bolt still
  checks the signature over the raw body (401 if forged) and acknowledges it with 200, as Slack
  wants of every request it sends (https://docs.slack.dev/apis/events-api/#responding);
- Bolt's dispatch runs on a worker thread, so requests never wait for each other's dispatch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few kilobytes; a megabyte is generous and bounds what one request holds.
MAX_BODY = 1_048_576
# Seconds since the epoch, in ASCII digits (int() would also take " 17…" or Arabic-Indic digits).
_TIMESTAMP = re.compile(r"\A[0-9]{1,12}\Z")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class TooLarge(Exception):
    """The body passed MAX_BODY while it was being read."""


class SlackEndpoint:
    """An ASGI application serving a Bolt app at EVENTS_PATH; Bolt verifies each signature."""

    def __init__(self, app: App, *, path: str = EVENTS_PATH, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.path = path
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: nothing here speaks them, and uvicorn closes the connection
        if scope["path"] != self.path:
            await _answer(send, 404, "Not Found")
            return
        if scope["method"] != "POST":
            await _answer(send, 405, "Method Not Allowed", allow="POST")
            return
        # Header values are Latin-1 on the wire (RFC 9110); decoding them can never fail.
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            status = 413 if length.isdigit() else 400
            await _answer(send, status, "Payload Too Large" if status == 413 else "Bad Request")
            return
        try:
            raw = await _read_body(receive, self.max_body)
        except TooLarge:
            await _answer(send, 413, "Payload Too Large")
            return
        request = _bolt_request(raw, headers, scope.get("query_string", b""))
        if request is None:
            await _answer(send, 400, "Bad Request")
            return
        # Off the event loop: Bolt's dispatch blocks (middleware, the wait for ack()), and on
        # the loop it would hold every other request until it returned.
        response: BoltResponse = await asyncio.to_thread(self.app.dispatch, request)
        await _send(send, response)


def asgi_app(app: App) -> SlackEndpoint:
    """An ASGI application serving the Bolt app; Bolt verifies each request's signature."""
    return SlackEndpoint(app)


async def _read_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return bytes(body)  # the client left; nothing will read the answer either
        body += message.get("body", b"")
        if len(body) > limit:
            raise TooLarge
        if not message.get("more_body", False):
            return bytes(body)


def _bolt_request(raw: bytes, headers: dict[str, str], query: bytes) -> BoltRequest | None:
    """The request for Bolt, or None when it cannot be read (answered 400)."""
    timestamp = headers.get("x-slack-request-timestamp")
    if timestamp is not None and not _TIMESTAMP.match(timestamp):
        return None  # Bolt's signature check would fail on int() with a traceback
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    query_text = query.decode("latin-1")
    try:
        request = BoltRequest(body=body, query=query_text, headers=headers)
    except ValueError:  # json.JSONDecodeError: the body, or its `payload` field
        log.info("refused a request whose body is not what Slack sends (%d bytes)", len(raw))
        return None
    except (AttributeError, TypeError, KeyError, IndexError):
        # Valid JSON of a shape Bolt does not expect ([], a string where an object belongs).
        return _shapeless(body, query_text, headers)
    if not _expected_shape(request.body):
        return _shapeless(body, query_text, headers)
    return request


def _shapeless(body: str, query: str, headers: dict[str, str]) -> BoltRequest:
    """The request with its fields left out and its raw body kept: Bolt checks the signature over
    the raw body, then finds no listener and acknowledges it (bot/app.py answers 200)."""
    # Info, not warning: the signature is not checked yet, so anyone could fill the log.
    log.info("a request of an unexpected shape (%d characters) goes to Bolt bare", len(body))
    request = BoltRequest(body="", query=query, headers=headers)
    request.raw_body = body
    return request


def _expected_shape(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    if "command" in body:
        # A slash command always names who typed it
        # (https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling).
        return isinstance(body.get("user_id"), str)
    # Events API: the event is an object (https://docs.slack.dev/apis/events-api/#callback-field);
    # a string or list there makes Bolt's listener matching fail.
    event = body.get("event")
    return event is None or (isinstance(event, dict) and isinstance(event.get("type", ""), str))


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _answer(send: Send, status: int, text: str, **extra: str) -> None:
    headers = {"content-type": ["text/plain; charset=utf-8"]}
    headers.update({name: [value] for name, value in extra.items()})
    await _send(send, BoltResponse(status=status, body=text, headers=headers))


async def _send(send: Send, response: BoltResponse) -> None:
    body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
    if not isinstance(body, bytes):
        body = json.dumps(body).encode("utf-8")
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
