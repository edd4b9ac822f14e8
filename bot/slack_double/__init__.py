"""A local Slack double: a fake Web API on loopback plus signed requests into the real Bolt app.

Used by the end-to-end tests, `planbot shell` and `planbot demo`; no Slack types leak further.

    double.py          SlackDouble: seeding, clients, reading what happened, scripted failures
    workspace.py       the fake workspace's state and what the double recorded
    web_api.py         routing, tokens, recording, rate limits and scripted failures
    methods/           what each Web API method does, one module per family, and response_url
    answers.py         HTTP replies, Slack's error bodies, message and view checks
    params.py          reading parameters: bodies, flags, cursors
    content_limits.py  Slack's message, Block Kit and view size limits
    rate_limits.py     Slack's per-method rate limits (opt-in)
    http_server.py     the loopback HTTP server; in_process.py, a WebClient without sockets
    socket_mode.py     Socket Mode over the same port
    signed_requests.py signed commands, events and actions for the Bolt app
"""

from bot.slack_double.double import SlackDouble
from bot.slack_double.rate_limits import Rate, RateLimits
from bot.slack_double.signed_requests import SignedRequests, SlackRequest
from bot.slack_double.workspace import RecordedRequest

__all__ = ["Rate", "RateLimits", "RecordedRequest", "SignedRequests", "SlackDouble", "SlackRequest"]
