"""Signed commands, events and actions built by SignedRequests, dispatched into a Bolt app."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot.slack_double import SignedRequests
from tests.slack_double.helpers import section

SECRET = "test-secret"


NOW = 1_772_442_000


def test_signatures_verify_with_slack_sdk():
    requests = SignedRequests(signing_secret=SECRET, now=lambda: NOW)
    request = requests.command("U0ALICE000", "status 3")
    verifier = SignatureVerifier(SECRET, clock=SimpleNamespace(now=lambda: NOW))
    assert verifier.is_valid_request(request.body, request.headers)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "command=%2Fplan" in request.body and "text=status+3" in request.body
    forged = requests.command("U0ALICE000", "status 3", bad_signature=True)
    assert not verifier.is_valid_request(forged.body, forged.headers)


def test_event_ids_are_fresh_unless_a_retry_repeats_them():
    requests = SignedRequests(signing_secret=SECRET, now=lambda: NOW)
    first = json.loads(requests.message("U0ALICE000", "D0ALICE000", "green", "1.000100").body)
    retry = requests.message(
        "U0ALICE000",
        "D0ALICE000",
        "green",
        "1.000100",
        event_id=first["event_id"],
        retry_num=1,
        retry_reason="http_timeout",
    )
    other = json.loads(requests.message("U0ALICE000", "D0ALICE000", "x", "1.000200").body)
    assert first["type"] == "event_callback" and first["event_id"].startswith("Ev0")
    assert other["event_id"] != first["event_id"]
    assert json.loads(retry.body)["event_id"] == first["event_id"]
    assert retry.headers["x-slack-retry-num"] == "1"
    assert retry.headers["x-slack-retry-reason"] == "http_timeout"
    assert retry.to_socket_mode().headers["x-slack-retry-num"] == ["1"]
    assert first["authorizations"][0]["user_id"] == "U0PLANBOT"


def test_message_events_have_slacks_shapes():
    requests = SignedRequests(signing_secret=SECRET, now=lambda: NOW)
    reply = requests.message("U0ALICE000", "D0ALICE000", "green", "2.000001", thread_ts="1.000001")
    event = json.loads(reply.body)["event"]
    assert event["thread_ts"] == "1.000001" and "subtype" not in event  # Slack's own quirk
    assert (event["channel_type"], event["event_ts"]) == ("im", "2.000001")
    edit = requests.message_changed(
        "D0ALICE000", "1.000001", "amber", user_id="U0ALICE000", previous_text="green"
    )
    changed = json.loads(edit.body)["event"]
    assert changed["subtype"] == "message_changed" and changed["hidden"] is True
    assert changed["message"]["ts"] == changed["previous_message"]["ts"] == "1.000001"
    assert changed["message"]["edited"]["ts"] == changed["ts"] != "1.000001"
    assert changed["previous_message"]["text"] == "green"
    removal = requests.message_deleted(
        "D0ALICE000", "1.000001", user_id="U0ALICE000", previous_text="green"
    )
    deleted = json.loads(removal.body)["event"]
    assert deleted["subtype"] == "message_deleted" and deleted["hidden"] is True
    assert deleted["deleted_ts"] == deleted["previous_message"]["ts"] == "1.000001"


@pytest.fixture
def app(double) -> App:
    app = App(client=double.web_client(), signing_secret=SECRET, process_before_response=True)

    @app.command("/plan")
    def plan(ack, respond, command):
        ack()
        respond(f"You asked for {command['text']}")

    @app.action("confirm")
    def confirm(ack, respond):
        ack()
        respond(text="Confirmed", replace_original=True)

    @app.message()
    def heard(message, say):
        say(text=f"Heard: {message['text']}", thread_ts=message["ts"])

    @app.event("app_home_opened")
    def home(event, client):
        seen = "again" if "view" in event else "first"
        client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": [section(seen)]}
        )

    @app.view("update")
    def submitted(ack, view, client, body):
        ack()
        value = view["state"]["values"]["rag"]["pick"]["value"]
        client.chat_postMessage(channel=body["user"]["id"], text=f"Saved {value}")

    return app


def test_a_signed_command_reaches_the_bolt_app_and_its_response_url(double, app, alice):
    requests = SignedRequests(signing_secret=SECRET, double=double)
    response = requests.command(alice, "status", channel_id=double.dm_channel(alice)).dispatch(app)
    assert response.status == 200
    assert double.feed[-1]["kind"] == "response"
    assert double.feed[-1]["text"] == "You asked for status" and double.feed[-1]["user"] == alice
    assert requests.command(alice, "status").to_socket_mode().mode == "socket_mode"
    assert app.dispatch(requests.command(alice, "again").to_socket_mode()).status == 200


def test_a_block_action_replaces_the_message_it_came_from(double, app, client, alice):
    posted = client.chat_postMessage(channel=alice, text="Confirm?")
    message = double.messages(alice)[0]
    requests = SignedRequests(signing_secret=SECRET, double=double)
    assert (
        requests.block_actions(alice, "confirm", "yes", message=message).dispatch(app).status == 200
    )
    assert double.messages(alice)[0]["text"] == "Confirmed"
    assert double.messages(alice)[0]["ts"] == posted["ts"]


def test_bad_signatures_and_stale_timestamps_get_401(double, app, alice):
    requests = SignedRequests(signing_secret=SECRET, double=double)
    assert requests.command(alice, "status", bad_signature=True).dispatch(app).status == 401
    # Bolt checks timestamps against the real time, which SignedRequests reads by default.
    stale = int(requests.now()) - 301
    assert requests.command(alice, "status", timestamp=stale).dispatch(app).status == 401
    assert not any(e["kind"] == "response" for e in double.feed)


def test_post_sends_the_signed_request_over_http(double):
    requests = SignedRequests(signing_secret=SECRET)
    status, body = requests.event({"type": "app_mention"}).post(f"{double.base_url}/nowhere")
    assert (status, body) == (404, "not_found")


def test_message_events_reach_listeners_and_the_bots_own_echo_does_not(double, app, alice):
    requests = SignedRequests(signing_secret=SECRET, double=double)
    said = double.user_says(alice, "green")
    assert requests.message(alice, said["channel"], "green", said["ts"]).dispatch(app).status == 200
    [reply] = double.thread(said["channel"], said["ts"])[1:]
    assert reply["text"] == "Heard: green"
    echo = requests.message("U0PLANBOT", said["channel"], "Heard", reply["ts"], bot_id="B0PLANBOT")
    assert echo.dispatch(app).status == 200
    assert len(double.requests_for("chat.postMessage")) == 1


def test_app_home_opened_carries_the_published_view_and_submissions_dispatch(double, app, alice):
    requests = SignedRequests(signing_secret=SECRET, double=double)
    assert requests.app_home_opened(alice).dispatch(app).status == 200
    assert requests.app_home_opened(alice).dispatch(app).status == 200
    assert double.home_view(alice)["blocks"] == [section("again")]
    values = {"rag": {"pick": {"type": "plain_text_input", "value": "amber"}}}
    assert requests.view_submission(alice, "update", values).dispatch(app).status == 200
    assert double.messages(alice)[-1]["text"] == "Saved amber"
