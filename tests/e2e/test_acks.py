"""Acks never wait behind answers: Slack's 3 seconds hold however slow the answers are.

Slack shows an error and retries a request not acknowledged within 3 seconds
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response). Here
the response_url is held shut, as behind a slow Slack, while 100 people ask at once: every
command must be acknowledged while none of the answers has got through, and then every answer
must arrive. Nothing is timed; the ack figures are measured by bench/bench_acks.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.clock import FixedClock
from bot.deps import make_deps
from bot.settings import Settings
from bot.slack.client import make_client
from bot.slack_double import SignedRequests, SlackDouble
from tests.e2e.serving import serving

PEOPLE = 100
SECRET = "acks-signing-secret"
CLOCK = FixedClock.at_date(date(2018, 11, 20))


@pytest.fixture
def double() -> Iterator[SlackDouble]:
    double = SlackDouble(clock=CLOCK).start()
    yield double
    double.stop()


def _app(seeded, double: SlackDouble, **settings: str):
    """The app as `planbot run` builds it: acks on Bolt's pool, answers on a pool of their own."""
    settings = Settings(
        _env_file=None,
        database_url=seeded.url.render_as_string(hide_password=False),
        slack_api_url=double.api_url,
        slack_bot_token=double.bot_token,
        **settings,
    )
    deps = make_deps(settings, engine=seeded, clock=CLOCK, client=make_client(settings))
    return create_app(settings, deps=deps), deps


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _answers_arrive(double: SlackDouble) -> None:
    _wait_for(lambda: len(double.requests_for("response")) == PEOPLE, "every answer")
    answers = double.requests_for("response")
    assert all(r.status == 200 for r in answers)
    assert all("Priority 7" in str(r.body) or "PRIORITY 7" in str(r.body) for r in answers)


def test_http_acks_do_not_wait_for_slow_answers(seeded, double):
    app, deps = _app(seeded, double, slack_signing_secret=SECRET)
    signer = SignedRequests(
        signing_secret=SECRET, team_id=double.team_id, bot_user_id=double.bot_user_id
    )
    people = [double.add_user(f"person.{n}") for n in range(PEOPLE)]
    requests = [
        signer.command(
            person,
            "status 7",
            channel_id=double.dm_channel(person),
            response_url=double.new_response_url(person, double.dm_channel(person)),
        )
        for person in people
    ]
    slow_slack = double.hold("response")
    try:
        with serving(app) as url, ThreadPoolExecutor(PEOPLE) as crowd:
            statuses = list(crowd.map(lambda request: request.post(url, timeout=60)[0], requests))
            # Every command was acknowledged while not one answer had got through.
            assert statuses == [200] * PEOPLE
            assert double.requests_for("response") == []
            assert double.waiting("response") >= 1
            slow_slack.set()
            _answers_arrive(double)
    finally:
        slow_slack.set()
        deps.background.shutdown()


def test_socket_mode_acks_do_not_wait_for_slow_answers(seeded, double):
    app, deps = _app(seeded, double, slack_app_token=double.app_token)
    signer = SignedRequests(
        signing_secret=SECRET, team_id=double.team_id, bot_user_id=double.bot_user_id
    )
    people = [double.add_user(f"person.{n}") for n in range(PEOPLE)]
    slow_slack = double.hold("response")
    handler = SocketModeHandler(app, double.app_token)
    handler.connect()
    try:
        assert double.socket_connected(timeout=10)
        envelopes = [
            double.push_envelope(
                "slash_commands",
                signer.command(
                    person,
                    "status 7",
                    channel_id=double.dm_channel(person),
                    response_url=double.new_response_url(person, double.dm_channel(person)),
                ).parsed(),
            )
            for person in people
        ]
        acks = [double.wait_for_ack(envelope, timeout=30) for envelope in envelopes]
        assert all(ack is not None for ack in acks)
        assert double.requests_for("response") == []
        slow_slack.set()
        _answers_arrive(double)
    finally:
        slow_slack.set()
        double.stop()
        handler.client.closed = True
        handler.client.message_queue.put(None)
        handler.close()
        deps.background.shutdown()
