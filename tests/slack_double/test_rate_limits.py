"""Slack's rate limits in the double: opt-in, 429 with Retry-After, per channel, workspace, tiers.

Time here is a fake monotonic clock the tests move on by hand: nothing sleeps.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, builtin_handlers

from bot.slack_double import Rate, RateLimits, SlackDouble


class Seconds:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def limited(double, seconds) -> SlackDouble:
    """The running double with Slack's published limits on."""
    double.enable_rate_limits(RateLimits(), monotonic=seconds)
    return double


def throttled(call) -> SlackApiError:
    """The 429 a WebClient call raised."""
    with pytest.raises(SlackApiError) as raised:
        call()
    assert raised.value.response.status_code == 429
    return raised.value


def post(client, channel: str, text: str = "x") -> str:
    return client.chat_postMessage(channel=channel, text=text)["ts"]


def test_limits_are_off_unless_asked_for(double, client, alice):
    for _ in range(20):
        post(client, alice)
    assert double.rate_limits is None
    assert double.rate_limited() == []


def test_a_burst_per_channel_then_429_with_retry_after_and_nothing_posted(limited, client, alice):
    for i in range(3):  # Slack allows short bursts above one a second
        post(client, alice, f"burst {i}")
    refused = throttled(lambda: post(client, alice, "one too many"))
    assert refused.response.headers["Retry-After"] == "1"
    assert refused.response.data == {"ok": False, "error": "ratelimited"}
    assert [m["text"] for m in limited.messages(alice)] == ["burst 0", "burst 1", "burst 2"]
    [recorded] = limited.rate_limited("chat.postMessage")
    assert (recorded.status, recorded.retry_after) == (429, 1)
    assert recorded.rate_limit == f"chat.postMessage in {alice}"  # an IM goes by its user's id
    assert recorded.body["text"] == "one too many"


def test_the_channel_refills_at_one_message_a_second(limited, client, seconds, alice):
    for _ in range(3):
        post(client, alice)
    throttled(lambda: post(client, alice))
    seconds.advance(0.5)
    assert throttled(lambda: post(client, alice)).response.headers["Retry-After"] == "1"
    seconds.advance(0.5)
    post(client, alice)  # one second after the burst: one more message
    throttled(lambda: post(client, alice))
    seconds.advance(60)
    for _ in range(3):  # a quiet minute refills the burst, and no more than the burst
        post(client, alice)
    throttled(lambda: post(client, alice))
    assert len(limited.rate_limited()) == 4


def test_channels_are_limited_independently_and_a_user_id_shares_its_dms_limit(
    limited, client, alice
):
    bob = limited.add_user("bob")
    committee = limited.add_channel("committee")
    dm = limited.dm_channel(alice)
    post(client, alice)
    post(client, dm)
    post(client, alice)
    throttled(lambda: post(client, dm))  # alice's id and her IM's id are one channel
    post(client, bob)
    post(client, committee)
    post(client, "#committee")
    assert [r.rate_limit for r in limited.rate_limited()] == [f"chat.postMessage in {alice}"]


def test_the_workspace_wide_cap_holds_across_channels(double, client, seconds):
    cap = Rate(per_second=2, burst=5)
    double.enable_rate_limits(RateLimits(post_message_per_workspace=cap), monotonic=seconds)
    people = [double.add_user(f"lead{i}") for i in range(7)]
    for person in people[:5]:
        post(client, person)
    refused = throttled(lambda: post(client, people[5]))
    assert refused.response.headers["Retry-After"] == "1"
    [recorded] = double.rate_limited()
    assert recorded.rate_limit == "chat.postMessage across the workspace"
    seconds.advance(0.5)  # two a second: one more after half a second
    post(client, people[5])
    throttled(lambda: post(client, people[6]))


def test_the_default_workspace_cap_stops_a_fan_out_to_many_dms(limited, client):
    people = [limited.add_user(f"lead{i}") for i in range(11)]
    for person in people[:10]:
        post(client, person)
    throttled(lambda: post(client, people[10]))
    assert limited.rate_limited()[0].rate_limit == "chat.postMessage across the workspace"


def test_conversations_open_is_tier_3_fifty_a_minute(limited, client, seconds, alice):
    for _ in range(50):
        client.conversations_open(users=alice)
    refused = throttled(lambda: client.conversations_open(users=alice))
    assert refused.response.headers["Retry-After"] == "2"  # 60/50 = 1.2 s, in whole seconds
    seconds.advance(1.2)
    client.conversations_open(users=alice)
    throttled(lambda: client.conversations_open(users=alice))
    seconds.advance(60)
    for _ in range(50):
        client.conversations_open(users=alice)
    assert [r.rate_limit for r in limited.rate_limited()] == ["conversations.open"] * 2


def test_users_info_is_tier_4_a_hundred_a_minute_and_methods_are_counted_apart(
    limited, client, alice
):
    for _ in range(100):
        client.users_info(user=alice)
    assert throttled(lambda: client.users_info(user=alice)).response.headers["Retry-After"] == "1"
    client.conversations_open(users=alice)  # another method, another limit
    post(client, alice)
    for _ in range(30):
        client.auth_test()  # Slack's "special" tier without a figure: not limited
    assert [r.method for r in limited.rate_limited()] == ["users.info"]


def test_a_method_can_be_given_its_own_limit_or_none(double, client, seconds, alice):
    limits = RateLimits().with_method("users.info", Rate(per_second=1, burst=1))
    double.enable_rate_limits(limits.with_method("conversations.open", None), monotonic=seconds)
    client.users_info(user=alice)
    throttled(lambda: client.users_info(user=alice))
    for _ in range(80):
        client.conversations_open(users=alice)
    assert double.rate_limits.methods["users.info"] == Rate(per_second=1, burst=1)
    assert "conversations.open" not in double.rate_limits.methods


def test_scaled_limits_let_a_paced_sender_send_1000_dms_in_two_seconds(double, seconds):
    limits = double.enable_rate_limits(RateLimits().scaled(100), monotonic=seconds)
    assert limits.post_message_per_channel.per_second == 100
    assert limits.post_message_per_workspace == Rate(per_second=500, burst=10)
    client = double.in_process_client(retry_handlers=[])
    people = [double.add_user(f"lead{i}") for i in range(1000)]
    started = seconds.now
    pace = 1 / limits.post_message_per_workspace.per_second
    for person in people:
        post(client, person)
        seconds.advance(pace)
    assert double.rate_limited() == []
    assert seconds.now - started == pytest.approx(2.0)
    assert all(len(double.messages(person)) == 1 for person in people)


def test_slack_sdks_retry_handler_waits_retry_after_and_gets_through(double, seconds, alice):
    double.enable_rate_limits(monotonic=seconds)
    # RateLimitErrorRetryHandler sleeps Retry-After (plus jitter) in real time: here the sleep
    # moves the fake monotonic clock instead, as real seconds would move time.monotonic.
    slept: list[float] = []

    def sleep(duration: float) -> None:
        slept.append(duration)
        seconds.advance(duration)

    handler = RateLimitErrorRetryHandler(max_retry_count=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleep))
        client = double.web_client(retry_handlers=[handler])
        for i in range(5):
            post(client, alice, str(i))
    assert [m["text"] for m in double.messages(alice)] == ["0", "1", "2", "3", "4"]
    assert len(slept) == len(double.rate_limited()) == 2
    assert all(1 <= duration < 2 for duration in slept)


def test_the_in_process_client_is_throttled_the_same_way(double, seconds, alice):
    double.enable_rate_limits(monotonic=seconds)
    client = double.in_process_client(retry_handlers=[])
    for _ in range(3):
        post(client, alice)
    refused = throttled(lambda: post(client, alice))
    assert refused.response.headers["Retry-After"] == "1"
    assert refused.response.data["error"] == "ratelimited"


def test_a_throttled_call_leaves_a_scripted_failure_for_the_next_call(limited, client, alice):
    for _ in range(3):
        post(client, alice)
    limited.fail_next("chat.postMessage", error="fatal_error")
    throttled(lambda: post(client, alice))
    limited.disable_rate_limits()
    with pytest.raises(SlackApiError) as raised:
        post(client, alice)
    assert raised.value.response.data["error"] == "fatal_error"
    statuses = [(r.status, r.rate_limit) for r in limited.requests_for("chat.postMessage")]
    assert statuses[-2:] == [(429, f"chat.postMessage in {alice}"), (200, None)]


def test_limits_can_be_on_from_the_start_and_rates_must_be_positive(clock, seconds):
    with SlackDouble(clock=clock, rate_limits=RateLimits(), monotonic=seconds) as double:
        alice = double.add_user("alice")
        client = double.web_client(retry_handlers=[])
        for _ in range(3):
            post(client, alice)
        throttled(lambda: post(client, alice))
    with pytest.raises(ValueError):
        Rate(per_second=0, burst=1)
    with pytest.raises(ValueError):
        RateLimits().scaled(0)
