"""What each Web API method does to the workspace, one module per method family.

Every method is a function (workspace, parameters) -> Slack's JSON answer; the caller has already
checked the token, taken the workspace's lock and applied scripted failures and rate limits.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.slack_double.methods import chat, conversations, files, users, views
from bot.slack_double.workspace import Workspace

Method = Callable[[Workspace, dict], dict]

WEB_API_METHODS: dict[str, Method] = {
    **users.METHODS,
    **conversations.METHODS,
    **chat.METHODS,
    **views.METHODS,
    **files.METHODS,
}

__all__ = ["WEB_API_METHODS", "Method"]
