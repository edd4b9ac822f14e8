"""HTTP mode: one endpoint, /slack/events, for events, commands and interactivity (Bolt's convention)."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"


def asgi_app(app: App) -> SlackRequestHandler:
    """An ASGI application serving the Bolt app; Bolt verifies each request's signature."""
    return SlackRequestHandler(app, path=EVENTS_PATH)
