"""Socket Mode end to end: the real app on slack_bolt's SocketModeHandler, Slack played by the double.

The handler runs slack_sdk's built-in client: apps.connections.open through the app's WebClient,
then the double's WebSocket on the same loopback port
(https://docs.slack.dev/apis/events-api/using-socket-mode).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from base64 import b64encode
from collections.abc import Callable, Iterator
from datetime import date
from hashlib import sha1
from urllib.parse import urlsplit

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.slack_double import SignedRequests, SlackDouble

TODAY = FixedClock.at_date(date(2018, 11, 20))
# slack_sdk tunnels Socket Mode through these (and ignores NO_PROXY): never for a loopback double.
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    with SlackDouble(clock=FixedClock(TODAY.now())) as running:
        yield running


@pytest.fixture
def signer(double) -> SignedRequests:
    return SignedRequests(team_id=double.team_id, bot_user_id=double.bot_user_id)


@pytest.fixture
def handler(double, sqlite_seeded) -> Iterator[SocketModeHandler]:
    """planbot's app, as `planbot run` builds it, connected to the double over Socket Mode."""
    settings = Settings(
        _env_file=None,
        database_url=str(sqlite_seeded.url),
        slack_api_url=double.api_url,
        slack_bot_token=double.bot_token,
        slack_app_token=double.app_token,
    )
    app = create_app(
        settings, double.web_client(), engine=sqlite_seeded, clock=FixedClock(TODAY.now())
    )
    handler = SocketModeHandler(app, double.app_token)
    handler.connect()
    assert double.socket_connected(timeout=5)
    yield handler
    # Slack's side closes first, so the client is not left waiting on its socket's read timeout,
    # and its message loop is woken rather than left to its one-second poll.
    double.stop()
    handler.client.closed = True
    handler.client.message_queue.put(None)
    handler.close()


def eventually(read: Callable[[], object], timeout: float = 5) -> object:
    """Poll `read` every 10 ms until it gives something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := read()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
    return value


def answers(double: SlackDouble, containing: str) -> list[dict]:
    return [i for i in double.feed if i["kind"] == "response" and containing in i["text"]]


def command(double: SlackDouble, signer: SignedRequests, text: str):
    user = double.add_user("lead")
    channel = double.dm_channel(user)
    return signer.command(
        user, text, channel_id=channel, response_url=double.new_response_url(user, channel)
    )


def channel_join(double: SlackDouble, signer: SignedRequests):
    user = double.add_user("newcomer")
    channel = double.add_channel("general")
    return signer.message(
        user, channel, f"<@{user}> has joined the channel", "1542704400.000100",
        subtype="channel_join", channel_type="channel",
    )  # fmt: skip


def link_path(url: str) -> str:
    """/link/?ticket=…: the path the double records a connection's traffic under."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sent_to_app(double: SlackDouble) -> list[dict]:
    return [r.response for r in double.requests_for("socket") if r.response is not None]


# ---- the app on the socket


def test_a_slash_command_is_acked_and_answered_through_its_response_url(double, signer, handler):
    request = command(double, signer, "status 7")
    assert request.envelope_type == "slash_commands"

    envelope_id = double.push_envelope(request.envelope_type, request.parsed())

    assert double.wait_for_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
    [answer] = eventually(lambda: answers(double, "Priority 7"))
    assert answer["user"] == request.parsed()["user_id"]
    [envelope] = [m for m in sent_to_app(double) if m.get("envelope_id") == envelope_id]
    assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"] is True
    assert envelope["payload"]["command"] == "/plan" and envelope["payload"]["text"] == "status 7"


def test_an_event_nobody_handles_is_still_acked(double, signer, handler):
    # Bolt acks an envelope only when the app answers 200 (A13); planbot answers 200 to the
    # requests no listener takes, so Slack does not redeliver them.
    request = channel_join(double, signer)
    assert request.envelope_type == "events_api"

    envelope_id = double.push_envelope(request.envelope_type, request.parsed())

    assert double.wait_for_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
    [envelope] = [m for m in sent_to_app(double) if m.get("envelope_id") == envelope_id]
    assert envelope["accepts_response_payload"] is False
    assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")


def test_a_redelivered_envelope_is_acked_too(double, signer, handler):
    request = channel_join(double, signer)
    first = double.push_envelope(request.envelope_type, request.parsed())
    again = double.push_envelope(
        request.envelope_type, request.parsed(), retry_attempt=1, retry_reason="timeout"
    )

    assert double.wait_for_ack(first, timeout=5) is not None
    assert double.wait_for_ack(again, timeout=5) == {"envelope_id": again}
    redelivery = next(m for m in sent_to_app(double) if m.get("envelope_id") == again)
    assert redelivery["payload"]["event_id"] == request.parsed()["event_id"]
    assert (redelivery["retry_attempt"], redelivery["retry_reason"]) == (1, "timeout")


def test_after_a_disconnect_the_client_reconnects_and_commands_are_answered(
    double, signer, handler
):
    first_link = double.requests_for("apps.connections.open")[0].response["url"]

    double.socket_disconnect()

    assert double.socket_connected(timeout=5)
    opened = double.requests_for("apps.connections.open")
    assert len(opened) == 2 and opened[1].response["url"] != first_link
    disconnect = [m for m in sent_to_app(double) if m.get("type") == "disconnect"]
    assert disconnect == [
        {"type": "disconnect", "reason": "refresh_requested", "debug_info": disconnect[0]["debug_info"]}
    ]  # fmt: skip
    request = command(double, signer, "status 7")
    envelope_id = double.push_envelope(request.envelope_type, request.parsed())
    assert double.wait_for_ack(envelope_id, timeout=5) is not None
    eventually(lambda: answers(double, "Priority 7"))
    # The envelope went down the new connection.
    [pushed] = [
        r
        for r in double.requests_for("socket")
        if (r.response or {}).get("envelope_id") == envelope_id
    ]
    assert pushed.path == link_path(opened[1].response["url"])


# ---- the double's side of the protocol


def test_apps_connections_open_wants_the_app_level_token(double):
    with_bot_token = double.web_client(retry_handlers=[])
    app_client = double.web_client(token=double.app_token, retry_handlers=[])

    for token, error in [
        (double.bot_token, "not_allowed_token_type"),
        ("xapp-1-wrong", "invalid_auth"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            with_bot_token.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    url = with_bot_token.apps_connections_open(app_token=double.app_token)["url"]
    host = urlsplit(double.base_url).netloc
    assert url.startswith(f"ws://{host}/link/?ticket=")
    # An app-level token opens sockets and nothing else.
    with pytest.raises(SlackApiError) as refused:
        app_client.chat_postMessage(channel="C0GENERAL1", text="hi")
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_a_ticket_opens_one_connection_which_starts_with_hello(double):
    url = double.web_client().apps_connections_open(app_token=double.app_token)["url"]

    status, accepted, first = _raw_handshake(url)
    assert (status, accepted) == (101, True)
    assert first["type"] == "hello" and first["num_connections"] == 1

    status, _, _ = _raw_handshake(url)  # the same ticket again
    assert status == 401
    handshakes = [(r.path, r.status) for r in double.requests_for("socket") if "ticket" in r.body]
    assert handshakes == [(link_path(url), 101), (link_path(url), 401)]


def test_pushing_without_a_connection_says_so(double):
    assert double.socket_connected(timeout=0.01) is False
    with pytest.raises(RuntimeError, match="no Socket Mode connection"):
        double.push_envelope("events_api", {})


def _raw_handshake(url: str) -> tuple[int, bool, dict | None]:
    """Open the WebSocket by hand: status, whether Sec-WebSocket-Accept is right, first message."""
    parts = urlsplit(url)
    key = b64encode(os.urandom(16)).decode()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().strip()) != b"":
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        if status != 101:
            return status, False, None
        expected = b64encode(sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        b1, b2 = reader.read(2)
        assert b1 == 0x81 and not b2 & 0x80  # one final text frame, unmasked from the server
        length = b2 & 0x7F
        if length == 126:
            length = int.from_bytes(reader.read(2), "big")
        first = json.loads(reader.read(length))
        return status, headers.get("sec-websocket-accept") == expected.decode(), first


# ---- `planbot run`, the real process


def _planbot_run(double: SlackDouble, database_url: str, cwd) -> subprocess.Popen:
    """`planbot run` in Socket Mode against the double, once connected."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PROXY_VARIABLES and not k.startswith("SLACK_")
    }
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": double.bot_token,
        "SLACK_APP_TOKEN": double.app_token,
        "SLACK_API_URL": double.api_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not double.socket_connected(timeout=0.1):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "planbot run did not connect in Socket Mode"
    return process


def _stop(double: SlackDouble, process: subprocess.Popen) -> str:
    """SIGTERM, and its output once it has exited."""
    process.send_signal(signal.SIGTERM)
    # slack_sdk's client closes its socket only between reads, and a read waits up to 3 s for a
    # frame: pings wake it (they would stop it within 3 s without them).
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        double.socket_ping()
        time.sleep(0.02)
    output, _ = process.communicate(timeout=20)
    return output


def test_sigterm_with_commands_in_flight_leaves_none_answered_but_unacknowledged(
    tmp_path, sqlite_seeded
):
    """Slack shows an error for a command not acknowledged in 3 s, even if its answer comes:
    on SIGTERM the listeners already running finish, acks included, before the socket closes;
    the envelopes not yet taken are neither acknowledged nor answered (Slack sends them again)."""
    with SlackDouble() as double:
        process = _planbot_run(double, str(sqlite_seeded.url), tmp_path)
        signer = SignedRequests(team_id=double.team_id)
        sent = []
        for n in range(20):
            user = double.add_user(f"lead.{n}")
            channel = double.dm_channel(user)
            request = signer.command(
                user, "status 7", channel_id=channel,
                response_url=double.new_response_url(user, channel),
            )  # fmt: skip
            sent.append((user, double.push_envelope(request.envelope_type, request.parsed())))
        time.sleep(0.1)  # some answered, some running, some queued (seen: 4-11 of 20 unacked)
        output = _stop(double, process)
        time.sleep(0.5)
        answered = {i.get("user") for i in double.feed if i["kind"] == "response"}
        acked = {user for user, envelope in sent if double.wait_for_ack(envelope, timeout=0)}
    assert process.returncode == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
    assert answered <= acked, f"answered but never acknowledged: {sorted(answered - acked)}"


def test_planbot_run_in_socket_mode_answers_and_stops_cleanly_on_sigterm(tmp_path, sqlite_seeded):
    with SlackDouble() as double:
        process = _planbot_run(double, str(sqlite_seeded.url), tmp_path)
        try:
            request = command(double, SignedRequests(team_id=double.team_id), "help")
            envelope_id = double.push_envelope(request.envelope_type, request.parsed())
            assert double.wait_for_ack(envelope_id, timeout=10) is not None
            eventually(lambda: answers(double, "planbot — /plan"), timeout=10)
        finally:
            output = _stop(double, process)
    assert process.returncode == 0, output
    assert "connected to Slack in Socket Mode" in output and "planbot stopped" in output
