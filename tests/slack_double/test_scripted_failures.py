"""Failures scripted with fail_next: 429s, server errors, ok:false errors and dropped answers."""

from __future__ import annotations

from http.client import RemoteDisconnected
from types import SimpleNamespace

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, builtin_handlers, handler
from slack_sdk.webhook import WebhookClient

from tests.slack_double.helpers import api_error


def test_429_carries_retry_after_and_is_not_applied(double, client, alice):
    double.fail_next("chat.postMessage", status=429, retry_after=2)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=alice, text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "2"
    assert raised.value.response["error"] == "ratelimited"
    assert double.messages(alice) == []
    assert client.chat_postMessage(channel=alice, text="hi")["ok"]  # only the next call fails


def test_rate_limit_retry_handler_waits_retry_after_and_succeeds(double, alice, monkeypatch):
    slept: list[float] = []
    # RateLimitErrorRetryHandler sleeps with time.sleep(Retry-After + jitter); record instead.
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    client = double.web_client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    double.fail_next("chat.postMessage", status=429, retry_after=2)
    assert client.chat_postMessage(channel=alice, text="hi")["ok"]
    assert len(slept) == 1 and 2 <= slept[0] < 3
    assert [r.status for r in double.requests_for("chat.postMessage")] == [429, 200]
    assert len(double.messages(alice)) == 1


def test_server_errors_and_ok_false_errors(double, client, alice):
    double.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=alice, text="hi")
    assert (raised.value.response.status_code, raised.value.response["error"]) == (
        500,
        "internal_error",
    )
    for error in ("fatal_error", "is_archived", "invalid_auth"):
        double.fail_next("chat.postMessage", error=error)
        assert (
            api_error(lambda: client.chat_postMessage(channel=alice, text="hi"))["error"] == error
        )
    double.fail_next("users.info", error="user_not_found", times=2)
    for _ in range(2):
        assert api_error(lambda: client.users_info(user=alice))["error"] == "user_not_found"
    assert client.users_info(user=alice)["ok"]
    assert double.messages(alice) == []


def test_a_dropped_response_still_posts_the_message(double, client, alice):
    double.fail_next("chat.postMessage", drop=True)
    with pytest.raises(RemoteDisconnected):
        client.chat_postMessage(channel=alice, text="did it go?")
    assert [m["text"] for m in double.messages(alice)] == ["did it go?"]
    [recorded] = double.requests_for("chat.postMessage")
    assert recorded.status == 0 and recorded.body["text"] == "did it go?"
    assert recorded.response["ok"] is True  # what Slack did, though the bot never heard it


def test_the_default_connection_retry_double_posts_after_a_drop(double, alice, monkeypatch):
    # slack_sdk's default ConnectionErrorRetryHandler resends: planbot must reconcile instead.
    monkeypatch.setattr(handler, "time", SimpleNamespace(sleep=lambda seconds: None))
    double.fail_next("chat.postMessage", drop=True)
    assert double.web_client().chat_postMessage(channel=alice, text="reminder")["ok"]
    assert [m["text"] for m in double.messages(alice)] == ["reminder", "reminder"]


def test_response_url_and_uploads_can_fail_too(double, client, alice):
    hook = WebhookClient(double.new_response_url(alice, double.dm_channel(alice)))
    double.fail_next("response", status=500)
    assert hook.send(text="x").status_code == 500
    double.fail_next("upload", status=500)
    with pytest.raises(Exception, match="500"):
        client.files_upload_v2(channel=alice, content=b"x", filename="c.png")
    assert not any(e["kind"] == "file" for e in double.feed)


def test_a_post_dropped_after_slack_stored_it_is_found_by_its_metadata(double, client, alice):
    """The reminder case: the connection drops after the post; history says it went."""
    dm = client.conversations_open(users=alice)["channel"]["id"]
    tag = {"event_type": "planbot_reminder", "event_payload": {"reminder_id": "r-1"}}
    double.fail_next("chat.postMessage", drop=True)
    with pytest.raises(RemoteDisconnected):
        client.chat_postMessage(channel=dm, text="Action 3 is due", metadata=tag)
    history = client.conversations_history(channel=dm, include_all_metadata=True)
    [found] = [m for m in history["messages"] if m.get("metadata") == tag]
    [recorded] = double.requests_for("chat.postMessage")
    assert (recorded.status, recorded.response["ts"]) == (0, found["ts"])


def test_scripted_429s_are_counted_with_the_rate_limited_ones(double, client, alice):
    double.fail_next("users.info", retry_after=30, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.users_info(user=alice)
        assert raised.value.response.headers["Retry-After"] == "30"
    assert [(r.status, r.retry_after, r.rate_limit) for r in double.rate_limited()] == [
        (429, 30, None)
    ] * 2
