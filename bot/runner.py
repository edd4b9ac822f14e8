"""`planbot run`: the bot and its scheduler in one process, until SIGTERM or SIGINT."""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
import threading
from urllib.error import URLError

from bot.app import create_app
from bot.deps import make_deps
from bot.settings import Settings

log = logging.getLogger(__name__)

# `planbot run`'s own exit code for a port another process holds (README, "Exit codes"): a
# supervisor can tell "another planbot is already running" from a crash (1) or bad settings (2).
PORT_IN_USE = 3

NO_TOKENS = """planbot run needs Slack credentials, and {missing} {verb} not set.
  Socket Mode (the default) needs SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…).
  HTTP mode (--http) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.
The README's "Install in your Slack workspace" section says where to find them.
Without a workspace, try the bot locally: `planbot demo` plays the loop, `planbot shell` lets you talk to it."""


def missing_credentials(settings: Settings, *, http: bool) -> list[str]:
    needed = {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    if http:
        needed["SLACK_SIGNING_SECRET"] = settings.slack_signing_secret
    else:
        needed["SLACK_APP_TOKEN"] = settings.slack_app_token
    return [name for name, value in needed.items() if value is None]


def run(settings: Settings, *, http: bool, port: int, host: str) -> int:
    missing = missing_credentials(settings, http=http)
    if missing:
        print(
            NO_TOKENS.format(
                missing=" and ".join(missing), verb="is" if len(missing) == 1 else "are"
            ),
            file=sys.stderr,
        )
        return 2
    listener = None
    if http:
        try:
            listener = _listen(host, port)
        except OSError as exc:
            return _cannot_listen(exc, host, port)
    try:
        return _run(settings, listener)
    finally:
        if listener is not None:
            listener.close()


def _run(settings: Settings, listener: socket.socket | None) -> int:
    from scheduler import build_scheduler

    deps = make_deps(settings)
    try:
        # Bolt checks the token only at the first request, then answers every request 500 if
        # Slack refuses it: check it once here and stop with the reason instead.
        problem = _slack_problem(deps, settings)
        if problem:
            print(f"planbot: {problem}", file=sys.stderr)
            return 1
        app = create_app(settings, deps=deps)
        scheduler = build_scheduler(settings, deps)
        scheduler.start()
        try:
            if listener is not None:
                _serve_http(app, listener)
            else:
                _serve_socket_mode(app, settings)
        finally:
            scheduler.shutdown(wait=True)
            log.info("planbot stopped")
    finally:
        deps.background.shutdown(wait=True)
        deps.engine.dispose()
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The HTTP port, bound before anything starts, so a port in use is one clear line."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        # As asyncio's own servers do: a restart may bind while old connections are in TIME_WAIT
        # (a port another process listens on is still refused).
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    return listener


def _cannot_listen(exc: OSError, host: str, port: int) -> int:
    if exc.errno == errno.EADDRINUSE:
        print(
            f"planbot: {host}:{port} is already in use (another planbot, or another server, "
            "listens there); stop it or choose another --port.",
            file=sys.stderr,
        )
        return PORT_IN_USE
    if isinstance(exc, socket.gaierror):
        print(f"planbot: --host {host!r} is not an address of this machine.", file=sys.stderr)
        return 2
    print(f"planbot: cannot listen on {host}:{port}: {exc.strerror or exc}.", file=sys.stderr)
    return 1


def _slack_problem(deps, settings: Settings) -> str | None:
    """Why Slack will not work with this token, in one line, or None when auth.test passes."""
    from slack_sdk.errors import SlackApiError

    # slack_sdk logs a failed connection at ERROR before raising; the line below says it once.
    quiet = logging.getLogger("slack_sdk.web.base_client")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        deps.client.auth_test()
    except SlackApiError as exc:
        if exc.response.status_code >= 500:
            return (
                f"Slack answered auth.test with HTTP {exc.response.status_code}; "
                "try again when Slack is up (https://slack-status.com)."
            )
        return (
            f"Slack refused SLACK_BOT_TOKEN (auth.test: {exc.response.get('error')}); copy the "
            "Bot User OAuth Token again from the app's OAuth & Permissions page."
        )
    except (URLError, OSError) as exc:
        # URLError wraps the socket's error (refused, unknown host, TLS) in .reason.
        reason = getattr(exc, "reason", None) or exc
        reason = getattr(reason, "strerror", None) or reason
        return (
            f"planbot cannot reach Slack at {settings.slack_api_url} ({reason}); "
            "check SLACK_API_URL and the network."
        )
    finally:
        quiet.setLevel(level)
    return None


def _serve_http(app, listener: socket.socket) -> None:
    import uvicorn

    from bot.http import EVENTS_PATH, asgi_app

    host, port = listener.getsockname()[:2]
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then restores the handlers it found and
    # raises the signal again; with these in place that second delivery is harmless, so the
    # scheduler and the database are closed by run() too.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: log.info("stopping"))
    config = uvicorn.Config(asgi_app(app), host=host, port=port, log_level="info")
    # uvicorn names the address only when it binds the socket itself.
    log.info("planbot serving Slack's requests at http://%s:%s%s", host, port, EVENTS_PATH)
    uvicorn.Server(config).run(sockets=[listener])


def _serve_socket_mode(app, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    handler.connect()  # a refused app token raises SlackApiError: the CLI reports it in one line
    # A failed WebSocket handshake only logs a warning inside slack_sdk; say so plainly.
    if handler.client.is_connected():
        log.info("planbot connected to Slack in Socket Mode")
    else:
        log.error(
            "Slack's Socket Mode connection did not open; planbot keeps retrying until stopped"
        )
    stop.wait()
    # Stop taking envelopes, let the listeners already running finish, then close: closing
    # first (slack_sdk's close() disconnects before it waits for its workers) left those
    # listeners' acks on a closed connection, so Slack showed the people an error though their
    # answers came. slack_sdk's message processor waits on its queue a second at a time and
    # looks at `closed` only between waits: mark the client closed and wake it. close() may
    # still wait for the connection's reader, up to slack_sdk's receive timeout (3 s).
    # Envelopes still queued are not acknowledged, so Slack sends them again.
    client = handler.client
    client.closed = True
    client.message_queue.put(None)
    client.message_processor.shutdown()
    client.message_workers.shutdown(wait=True)
    handler.close()
