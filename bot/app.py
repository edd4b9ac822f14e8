"""The one assembly point: build the Bolt app and register every listener once."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from sqlalchemy import Engine

import handlers
from bot.clock import Clock, SystemClock
from bot.deps import Deps
from bot.settings import Settings
from store.engine import make_engine, migrate

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's URL (or the double's), honouring 429 Retry-After.

    slack_sdk's default ConnectionErrorRetryHandler is left out on purpose: after a connection
    reset Slack may already have posted the message, and a blind resend posts it twice
    (SLACK.md B10, E2). Senders that must not duplicate reconcile from history instead.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def create_app(
    settings: Settings,
    client: WebClient | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    process_before_response: bool = False,
) -> App:
    """The Bolt app with every handler registered; migrations are applied to the database first.

    `process_before_response=True` finishes each listener before answering the request, which the
    shell, the demo and the tests use to read the bot's answer deterministically.
    """
    engine = engine or make_engine(settings.database_url)
    migrate(engine)
    client = client or make_client(settings)
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Without a signing secret only Socket Mode requests (which carry no signature) can arrive.
        request_verification_enabled=bool(signing_secret),
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=True,
    )
    deps = Deps(settings=settings, engine=engine, clock=clock or SystemClock(), client=client)
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
