"""Socket Mode for the Slack double: apps.connections.open and a stdlib WebSocket endpoint.

Enough of Slack's Socket Mode (https://docs.slack.dev/apis/events-api/using-socket-mode) for
slack_sdk's built-in client, which Bolt's SocketModeHandler runs on:

- `apps.connections.open` takes the app-level token (xapp-…) and answers a
  `ws://127.0.0.1:PORT/link/?ticket=…` URL on the double's own port. A ticket opens one
  connection; a bot token is refused with `not_allowed_token_type`, anything else `invalid_auth`.
- The endpoint speaks RFC 6455: the handshake with Sec-WebSocket-Accept, text frames (masked by
  the client, unmasked from the server, fragments reassembled), ping/pong and the close handshake.
  On connect it sends `hello`.
- `push` sends an envelope to the newest connection; an ack (`{"envelope_id", "payload"?}`) counts
  from any connection, as an envelope in flight survives a refresh. `disconnect` sends Slack's
  `{"type": "disconnect"}`, then closes, so the client reconnects through a new ticket. `ping`
  sends a ping frame, which wakes a client blocked reading its socket.

Socket traffic is recorded in the double's `requests` with method "socket" and the connection's
path (`/link/?ticket=…`): the handshake (body: the query, headers: the upgrade request's, status
101 or the refusal's, response: `hello` or the refusal), each message the app sent (body: the
message, response: None) and each message sent to the app (body: {}, response: the message).
Frames on an open connection have status 101; pings, pongs and close frames are not recorded.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import socket
import struct
import threading
from base64 import b64encode
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from bot.slack_double.workspace import Workspace

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

logger = logging.getLogger(__name__)

KINDS = ("slash_commands", "events_api", "interactive")
LINK_PATH = "/link/"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
_OP_CONTINUATION, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
_OP_CLOSE, _OP_PING, _OP_PONG = 0x8, 0x9, 0xA
_MAX_MESSAGE = 1 << 20  # Slack's envelopes and acks are far smaller; more is a runaway client
# How long a connection the double closed waits for the client to hang up before it is cut.
_CLOSE_GRACE = 2.0


class _ProtocolError(Exception):
    """The client broke RFC 6455; the connection closes with this status code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _Link:
    """One WebSocket connection: frames out under a lock, frames in on the handler's thread."""

    def __init__(self, request: BaseHTTPRequestHandler, path: str) -> None:
        self.path = path
        self._sock: socket.socket = request.connection
        self._rfile = request.rfile
        self._wfile = request.wfile
        self._send_lock = threading.Lock()
        self._closing = False
        self._cutter: threading.Timer | None = None
        self.done = threading.Event()

    def send(self, opcode: int, payload: bytes) -> bool:
        """Send one unmasked frame; False when the connection is closing or gone."""
        with self._send_lock:
            if self._closing:
                return False
            try:
                self._wfile.write(_frame(opcode, payload))
            except OSError:
                return False
            return True

    def close(self, code: int, reason: str = "") -> None:
        """Start the close handshake; the connection is cut if the client does not hang up."""
        with self._send_lock:
            if self._closing:
                return
            with contextlib.suppress(OSError):  # the client may already be gone
                self._wfile.write(_frame(_OP_CLOSE, struct.pack("!H", code) + reason.encode()))
            self._closing = True
        self._cutter = threading.Timer(_CLOSE_GRACE, self.cut)
        self._cutter.daemon = True
        self._cutter.start()

    def cut(self) -> None:
        """Drop the connection now (the reader sees the end of the stream)."""
        with self._send_lock:
            self._closing = True
        with contextlib.suppress(OSError):  # already gone
            self._sock.shutdown(socket.SHUT_RDWR)

    def finished(self) -> None:
        if self._cutter is not None:
            self._cutter.cancel()
        self.done.set()

    def read_message(self) -> tuple[int, bytes] | None:
        """The next text or binary message, reassembled; None once the stream ends.

        Pings are answered and a close frame is echoed here, so the caller sees only messages.
        """
        fragments: list[bytes] = []
        first_opcode = None
        while True:
            frame = self._read_frame()
            if frame is None:
                return None
            fin, opcode, data = frame
            if opcode == _OP_PING:
                self.send(_OP_PONG, data)
            elif opcode == _OP_PONG:
                pass
            elif opcode == _OP_CLOSE:
                code = data[:2] if len(data) >= 2 else b""
                self.close(struct.unpack("!H", code)[0] if code else 1000)
                return None
            elif opcode in (_OP_TEXT, _OP_BINARY, _OP_CONTINUATION):
                if (opcode == _OP_CONTINUATION) != (first_opcode is not None):
                    raise _ProtocolError(1002, "unexpected continuation frame")
                first_opcode = opcode if first_opcode is None else first_opcode
                fragments.append(data)
                if sum(map(len, fragments)) > _MAX_MESSAGE:
                    raise _ProtocolError(1009, "message too big")
                if fin:
                    return first_opcode, b"".join(fragments)
            else:
                raise _ProtocolError(1002, f"unknown opcode {opcode}")

    def _read_frame(self) -> tuple[bool, int, bytes] | None:
        head = self._read(2)
        if head is None:
            return None
        fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
        masked, length = bool(head[1] & 0x80), head[1] & 0x7F
        if head[0] & 0x70:
            raise _ProtocolError(1002, "reserved bits set without an extension")
        if not masked:
            # RFC 6455 5.1: a client must mask every frame it sends.
            raise _ProtocolError(1002, "client frames must be masked")
        if length >= 126:
            extended = self._read(2 if length == 126 else 8)
            if extended is None:
                return None
            length = struct.unpack("!H" if length == 126 else "!Q", extended)[0]
        if opcode >= _OP_CLOSE and (length > 125 or not fin):
            raise _ProtocolError(1002, "bad control frame")
        if length > _MAX_MESSAGE:
            raise _ProtocolError(1009, "message too big")
        key = self._read(4)
        data = self._read(length) if length else b""
        if key is None or data is None:
            return None
        return fin, opcode, _unmask(data, key)

    def _read(self, n: int) -> bytes | None:
        try:
            data = self._rfile.read(n)
        except OSError:
            return None
        return data if len(data) == n else None


class SocketMode:
    """The double's Socket Mode: tickets, connections, envelopes pushed and acks received."""

    def __init__(self, workspace: Workspace, *, app_id: str, app_token: str) -> None:
        self.ws = workspace
        self.app_id = app_id
        self.app_token = app_token
        # Lock order: this lock before the workspace lock, which also guards the tickets (the Web
        # API issues them while it holds that lock).
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []  # open and not told to go away, oldest first
        self._all_links: list[_Link] = []  # every connection whose reader is still running
        self._connected = threading.Event()
        self._acks: dict[str, dict] = {}

    # ---- apps.connections.open (called by the Web API under the workspace lock)

    def connections_open(self, token: str, body: dict) -> dict:
        """A single-use WebSocket URL for the app-level token."""
        if token.startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        ticket = self.ws.new_secret(32)
        with self.ws.lock:
            self._tickets.add(ticket)
        host = self.ws.base_url.split("://", 1)[1]
        return {"ok": True, "url": f"ws://{host}{LINK_PATH}?ticket={ticket}"}

    # ---- the WebSocket endpoint (called on the HTTP server's thread for the request)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        """Upgrade the request to a WebSocket and read from it until either side closes."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = dict(parse_qsl(urlsplit(request.path).query))
        refusal = self._refusal(request.path, headers, query)
        if refusal is not None:
            status, text = refusal
            body = text.encode()
            # Recorded before it is sent, so whoever sees the answer also finds it in `requests`.
            self.ws.record_call("socket", request.path, headers, query, b"", status, {"text": text})
            request.wfile.write(
                f"HTTP/1.1 {status} {text}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            return
        accept = b64encode(hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest())
        try:
            request.wfile.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
        except OSError:
            return  # the client gave up during the handshake; its ticket is spent
        link = _Link(request, request.path)
        with self._lock:
            # Registered and greeted in one step: nothing can be pushed before the hello.
            self._links.append(link)
            self._all_links.append(link)
            hello = {
                "type": "hello",
                "num_connections": len(self._links),
                "debug_info": {
                    "host": "applink-double",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
            self.ws.record_call("socket", request.path, headers, query, b"", 101, hello)
            link.send(_OP_TEXT, json.dumps(hello).encode())
            self._connected.set()
        try:
            self._read_until_closed(link)
        finally:
            with self._lock:
                self._forget(link)
                self._all_links.remove(link)
                self._lock.notify_all()
            link.finished()

    def _refusal(self, path: str, headers: dict, query: dict) -> tuple[int, str] | None:
        if urlsplit(path).path != LINK_PATH:
            return 404, "Not Found"
        if "upgrade" not in headers.get("connection", "").lower() or not headers.get(
            "sec-websocket-key"
        ):
            return 400, "Bad Request"
        if headers.get("sec-websocket-version") != "13":
            return 426, "Upgrade Required"
        with self.ws.lock:
            ticket = query.get("ticket", "")
            if ticket not in self._tickets:
                # Unknown or already used: the client must ask apps.connections.open again.
                return 401, "Unauthorized"
            self._tickets.discard(ticket)
        return None

    def _read_until_closed(self, link: _Link) -> None:
        try:
            while (message := link.read_message()) is not None:
                self._received(link, *message)
        except _ProtocolError as error:
            logger.warning("Socket Mode client broke the protocol: %s", error.reason)
            link.close(error.code, error.reason)

    def _received(self, link: _Link, opcode: int, data: bytes) -> None:
        try:
            message = json.loads(data.decode("utf-8")) if opcode == _OP_TEXT else None
        except ValueError:
            message = None
        if not isinstance(message, dict):
            message = {"text": data.decode("utf-8", errors="replace")}
        self.ws.record_call("socket", link.path, {}, message, data, 101, None)
        envelope_id = message.get("envelope_id")
        if isinstance(envelope_id, str):
            with self._lock:
                # Slack keeps the first ack; a second one for the same envelope changes nothing.
                self._acks.setdefault(envelope_id, message)
                self._lock.notify_all()

    # ---- what the tests drive

    def connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def push(self, kind: str, payload: dict, *, retry_attempt: int, retry_reason: str) -> str:
        """Send an envelope to the newest connection; returns its envelope_id."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        envelope_id = self.ws.new_uuid()
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": copy.deepcopy(payload),
            # Slack takes a response payload in the ack of commands and interactions, not events.
            "accepts_response_payload": kind != "events_api",
        }
        # Slack marks redelivery on Events API envelopes (always) and on nothing else; a retry of
        # another kind is shown the same way when a test asks for one.
        if kind == "events_api" or retry_attempt or retry_reason:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        with self._lock:
            if not self._links:
                raise RuntimeError("no Socket Mode connection: wait for socket_connected() first")
            link = self._links[-1]
            sent = link.send(_OP_TEXT, json.dumps(envelope).encode())
        if not sent:
            raise RuntimeError("the Socket Mode connection closed while sending the envelope")
        self.ws.record_call("socket", link.path, {}, {}, b"", 101, envelope)
        return envelope_id

    def ack(self, envelope_id: str, timeout: float) -> dict | None:
        with self._lock:
            self._lock.wait_for(lambda: envelope_id in self._acks, timeout)
            ack = self._acks.get(envelope_id)
            return copy.deepcopy(ack) if ack is not None else None

    def ping(self) -> int:
        """Send a ping frame to every open connection; how many took it (pongs are answered
        by the client and not recorded)."""
        with self._lock:
            links = list(self._links)
        return sum(link.send(_OP_PING, b"double") for link in links)

    def disconnect(self, reason: str) -> None:
        """Tell every open connection to go away, then close it; the client reconnects."""
        with self._lock:
            links, self._links = self._links, []
            self._connected.clear()
        if not links:
            raise RuntimeError("no Socket Mode connection to disconnect")
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-double"}}
        for link in links:
            if link.send(_OP_TEXT, json.dumps(message).encode()):
                self.ws.record_call("socket", link.path, {}, {}, b"", 101, message)
            link.close(1000, reason)

    def close_all(self, timeout: float = _CLOSE_GRACE) -> None:
        """Close every connection and wait (bounded) for their readers to finish."""
        with self._lock:
            links = list(self._all_links)
            self._links = []
            self._connected.clear()
        for link in links:
            link.close(1001, "going away")
        for link in links:
            if not link.done.wait(timeout):
                link.cut()
                link.done.wait(timeout)

    # ---- helpers

    def _forget(self, link: _Link) -> None:
        if link in self._links:
            self._links.remove(link)
        if not self._links:
            self._connected.clear()


def _frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked frame as a server sends it."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return head + payload


def _unmask(data: bytes, key: bytes) -> bytes:
    mask = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")).to_bytes(len(data), "big")
