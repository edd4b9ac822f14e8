"""A local Slack double: a fake Web API on loopback plus signed requests into the real Bolt app.

Used by the end-to-end tests, `planbot shell` and `planbot demo`; no Slack types leak further.
"""

from bot.slack_double.requests import SignedRequests, SlackRequest
from bot.slack_double.server import SlackDouble
from bot.slack_double.state import RecordedRequest

__all__ = ["RecordedRequest", "SignedRequests", "SlackDouble", "SlackRequest"]
