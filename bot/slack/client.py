"""The Web API client: Slack's URL (or the double's), honouring 429 Retry-After."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RateLimitErrorRetryHandler

from bot.settings import Settings


def make_client(settings: Settings) -> WebClient:
    """A client that waits out a 429's Retry-After and never resends blindly.

    slack_sdk's default ConnectionErrorRetryHandler is left out on purpose: after a connection
    reset Slack may already have posted the message, and a blind resend posts it twice. Senders
    that must not duplicate reconcile from the conversation's history instead.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
