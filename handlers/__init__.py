"""Slack listeners, one module per surface; register_all binds them all to the app once."""

from __future__ import annotations

from dataclasses import replace

from slack_bolt import App

from bot.deps import Deps
from handlers import actions, commands, home, messages, views

# What the listeners subscribe to and the bot scopes their Web API calls need; manifest.yml must
# match (tests/test_docs.py checks it).
SLASH_COMMANDS = commands.SLASH_COMMANDS
EVENTS: tuple[str, ...] = (
    "message.im",  # replies, their edits and deletions
    "app_home_opened",  # the App Home
)
SCOPES = (
    "commands",  # /plan
    "chat:write",  # the DM fallback of a /plan answer, reminders, the digest
    "im:write",  # conversations.open, to DM a lead
    "im:history",  # conversations.history: find a reminder an unknown send outcome may have posted
    "users:read",  # users.info: a lead's time zone
)


def register_all(app: App, deps: Deps) -> None:
    deps = replace(deps, home=home.register(app, deps))
    commands.register(app, deps)
    actions.register(app, deps)
    messages.register(app, deps)
    views.register(app, deps)
