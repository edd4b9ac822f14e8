"""The one assembly point: build the Bolt app and register every listener once."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy import Engine

import handlers
from bot.background import Background
from bot.clock import Clock
from bot.deps import Deps, make_deps
from bot.settings import Settings
from store.engine import migrate

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    client: WebClient | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    deps: Deps | None = None,
    process_before_response: bool = False,
) -> App:
    """The Bolt app with every handler registered; migrations are applied to the database first.

    `process_before_response=True` (the shell, the demo, most tests) finishes each listener and
    the work it hands on before answering the request, so the bot's answer can be read at once.
    """
    if deps is None:
        deps = make_deps(
            settings,
            engine=engine,
            clock=clock,
            client=client,
            background=Background.inline() if process_before_response else None,
        )
    migrate(deps.engine)
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    app = App(
        # Named, or Bolt names the app by walking the whole call stack (inspect.stack(), which
        # reads every frame's source: milliseconds in a deep stack).
        name="planbot",
        client=deps.client,
        signing_secret=signing_secret,
        # Without a signing secret only Socket Mode requests (which carry no signature) can arrive.
        request_verification_enabled=bool(signing_secret),
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=True,
    )
    app.error(_on_error)
    handlers.register_all(app, deps)
    return app


def _on_error(error: Exception, body: dict, logger: logging.Logger) -> BoltResponse | None:
    """Log every listener error; answer 200 to requests nobody handles, so Slack does not retry them."""
    if isinstance(error, BoltUnhandledRequestError):
        kind = (
            body.get("event", {}).get("type")
            or body.get("type")
            or body.get("command")
            or "request"
        )
        logger.debug("no listener for %s; acknowledged", kind)
        return BoltResponse(status=200, body="")
    logger.exception("listener failed: %s", error)
    return None
