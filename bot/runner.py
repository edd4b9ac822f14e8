"""`planbot run`: the bot and its scheduler in one process, until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from bot.app import create_app
from bot.deps import make_deps
from bot.settings import Settings

log = logging.getLogger(__name__)

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
    from scheduler import build_scheduler

    deps = make_deps(settings)
    app = create_app(settings, deps=deps)
    scheduler = build_scheduler(settings, deps)
    scheduler.start()
    try:
        if http:
            _serve_http(app, host=host, port=port)
        else:
            _serve_socket_mode(app, settings)
    finally:
        scheduler.shutdown(wait=True)
        deps.background.shutdown(wait=True)
        deps.engine.dispose()
        log.info("planbot stopped")
    return 0


def _serve_http(app, *, host: str, port: int) -> None:
    import uvicorn

    from bot.http import asgi_app

    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then restores the handlers it found and
    # raises the signal again; with these in place that second delivery is harmless, so the
    # scheduler and the database are closed by run() too.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: log.info("stopping"))
    uvicorn.Server(uvicorn.Config(asgi_app(app), host=host, port=port, log_level="info")).run()


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
    handler.close()
