"""The double's Web API through real slack_sdk clients, over HTTP and in-process: each method
family, response_url, and Slack's message and view limits."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.clock import FixedClock
from bot.slack_double import SlackDouble
from bot.slack_double.content_limits import message_block_errors, view_block_errors
from tests.slack_double.helpers import ID, START, api_error, button, section, table

# ---- routing and tokens


def test_the_double_listens_on_a_loopback_port_chosen_by_the_os(double):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", double.base_url)
    assert double.api_url == double.base_url + "/api/"
    assert not double.base_url.endswith(":0")


def test_auth_test_names_the_bot(client):
    answer = client.auth_test()
    assert answer["user_id"] == "U0PLANBOT"
    assert answer["bot_id"] == "B0PLANBOT"
    assert answer["team_id"] == "T0PLANBOT"
    assert answer["url"].startswith("https://")


def test_a_wrong_or_missing_token_is_refused(double):
    assert api_error(double.web_client(token="xoxb-nope").auth_test)["error"] == "invalid_auth"
    assert api_error(WebClient(base_url=double.api_url).auth_test)["error"] == "not_authed"
    assert api_error(lambda: double.web_client().api_call("made.up"))["error"] == "unknown_method"


# ---- users


def test_users_info_gives_the_time_zone_at_the_clocks_time(double, client, clock, alice):
    assert ID.match(alice)
    user = client.users_info(user=alice)["user"]
    assert user["tz"] == "America/New_York"
    assert (user["tz_offset"], user["tz_label"]) == (-5 * 3600, "EST")
    assert user["profile"] == {
        "real_name": "Alice Lead",
        "display_name": "alice",
        "title": "Action lead",
        "team": "T0PLANBOT",
    }
    clock.set(datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert client.users_info(user=alice)["user"]["tz_offset"] == -4 * 3600
    assert api_error(lambda: client.users_info(user="U0NOBODY00"))["error"] == "user_not_found"


def test_users_list_pages_with_a_cursor(double, client):
    added = [double.add_user(f"lead{i}") for i in range(5)]
    seen, cursor = [], None
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        assert len(page["members"]) <= 2
        seen += [m["id"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == ["U0PLANBOT", *added]  # the bot user is listed too, as Slack does


# ---- conversations and messages


def test_conversations_open_returns_the_same_dm_every_time(double, client, alice):
    first = client.conversations_open(users=alice)
    second = client.conversations_open(users=[alice])
    assert first["channel"]["id"] == second["channel"]["id"] == double.dm_channel(alice)
    assert first["channel"]["id"].startswith("D0")
    assert second["already_open"] is True
    gone = double.add_user("gone", deleted=True)
    assert api_error(lambda: client.conversations_open(users=gone))["error"] == "user_disabled"
    assert (
        api_error(lambda: client.conversations_open(users="U0NOBODY00"))["error"]
        == "user_not_found"
    )


def test_post_message_to_a_user_lands_in_their_dm_with_thread_and_metadata(double, client, alice):
    metadata = {"event_type": "planbot_reminder", "event_payload": {"reminder_id": 7}}
    parent = client.chat_postMessage(
        channel=alice, text="How is action 3 going?", metadata=metadata
    )
    dm = double.dm_channel(alice)
    assert parent["channel"] == dm
    assert re.fullmatch(r"\d{10}\.\d{6}", parent["ts"])
    reply = client.chat_postMessage(channel=dm, text="Thanks!", thread_ts=parent["ts"])
    assert reply["message"]["thread_ts"] == parent["ts"]

    [top] = double.messages(dm)
    assert top["metadata"] == metadata
    assert top["bot_id"] == "B0PLANBOT" and top["user"] == "U0PLANBOT"
    assert top["reply_count"] == 1
    assert [m["text"] for m in double.thread(dm, parent["ts"])] == [
        "How is action 3 going?",
        "Thanks!",
    ]
    assert [e["kind"] for e in double.feed] == ["message", "message"]
    assert double.feed[1]["thread_ts"] == parent["ts"]
    [newest] = double.feed_since(1)
    assert newest == double.feed[1] and double.feed_since(2) == []
    newest["text"] = "changed by a reader"
    assert double.feed[1]["text"] == "Thanks!"  # readers get copies
    recorded = double.requests_for("chat.postMessage")[0]
    assert recorded.body["metadata"] == metadata
    assert recorded.headers["authorization"] == "Bearer xoxb-double-token"


def test_history_shows_metadata_only_when_asked(double, client, alice):
    metadata = {"event_type": "planbot_reminder", "event_payload": {"reminder_id": 1}}
    client.chat_postMessage(channel=alice, text="reminder", metadata=metadata)
    double.user_says(alice, "on track")
    dm = double.dm_channel(alice)
    plain = client.conversations_history(channel=dm)["messages"]
    assert [m["text"] for m in plain] == ["on track", "reminder"]  # newest first
    assert all("metadata" not in m for m in plain)
    full = client.conversations_history(channel=dm, include_all_metadata=True)["messages"]
    assert full[1]["metadata"] == metadata
    assert "metadata" not in full[0]


def test_history_filters_by_oldest_and_limit_and_refuses_unknown_channels(double, client, alice):
    ts = [client.chat_postMessage(channel=alice, text=str(i))["ts"] for i in range(4)]
    dm = double.dm_channel(alice)
    newer = client.conversations_history(channel=dm, oldest=ts[1])["messages"]
    assert [m["text"] for m in newer] == ["3", "2"]
    page = client.conversations_history(channel=dm, limit=1)
    assert page["has_more"] is True and page["messages"][0]["text"] == "3"
    assert api_error(lambda: client.conversations_history(channel="C0NOWHERE0"))["error"] == (
        "channel_not_found"
    )


def test_ts_values_increase_even_when_the_clock_stands_still(double, client, alice):
    stamps = [client.chat_postMessage(channel=alice, text="x")["ts"] for _ in range(3)]
    assert stamps == sorted(set(stamps), key=float)
    assert stamps[0] == f"{int(START.timestamp())}.000000"


def test_post_message_refuses_unknown_channels_and_channels_without_the_bot(double, client):
    outside = double.add_channel("committee", bot_is_member=False)
    assert api_error(lambda: client.chat_postMessage(channel="C0NOWHERE0", text="x"))["error"] == (
        "channel_not_found"
    )
    assert api_error(lambda: client.chat_postMessage(channel=outside, text="x"))["error"] == (
        "not_in_channel"
    )


def test_chat_update_and_delete_change_the_stored_message(double, client):
    channel = double.add_channel("committee")
    posted = client.chat_postMessage(channel=channel, text="Digest v1", blocks=[section("v1")])
    updated = client.chat_update(channel=channel, ts=posted["ts"], text="Digest v2")
    assert updated["ts"] == posted["ts"]
    [message] = double.messages(channel)
    assert message["text"] == "Digest v2"
    assert message["blocks"] == [section("v1")]  # omitted blocks are kept, as Slack does
    assert double.feed[-1]["kind"] == "update"
    assert api_error(lambda: client.chat_update(channel=channel, ts="1.000000", text="x"))[
        "error"
    ] == ("message_not_found")
    client.chat_delete(channel=channel, ts=posted["ts"])
    assert double.messages(channel) == []
    assert double.feed[-1]["kind"] == "delete"


def test_ephemeral_messages_and_permalinks(double, client, alice):
    channel = double.add_channel("committee")
    answer = client.chat_postEphemeral(channel=channel, user=alice, text="only you")
    assert double.feed[-1] | {"seq": 0} == {
        "kind": "ephemeral",
        "channel": channel,
        "user": alice,
        "ts": answer["message_ts"],
        "thread_ts": None,
        "text": "only you",
        "blocks": [],
        "seq": 0,
    }
    assert double.messages(channel) == []
    ts = client.chat_postMessage(channel=channel, text="digest")["ts"]
    link = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    assert link == f"https://double.slack.local/archives/{channel}/p{ts.replace('.', '')}"


def test_people_can_talk_edit_and_delete(double, alice):
    said = double.user_says(alice, "green, done by Friday")
    assert set(said) >= {"type", "user", "text", "ts", "channel", "client_msg_id", "team"}
    assert said["channel"] == double.dm_channel(alice)
    edited = double.edit_message(said["channel"], said["ts"], "amber")
    assert edited["previous_message"]["text"] == "green, done by Friday"
    assert edited["message"]["text"] == "amber" and edited["message"]["edited"]["user"] == alice
    assert double.delete_message(said["channel"], said["ts"])["text"] == "amber"
    assert double.messages(alice) == []
    assert double.feed == []  # only what the bot shows goes to the feed


# ---- views


def test_views_publish_stores_the_home_tab_and_detects_hash_conflicts(double, client, alice):
    home = {"type": "home", "blocks": [section("Your actions")]}
    first = client.views_publish(user_id=alice, view=home)["view"]
    assert first["id"].startswith("V0") and first["hash"]
    second = client.views_publish(user_id=alice, view=home, hash=first["hash"])["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert (
        api_error(lambda: client.views_publish(user_id=alice, view=home, hash=first["hash"]))[
            "error"
        ]
        == "hash_conflict"
    )
    assert double.feed[-1]["kind"] == "view" and double.feed[-1]["user"] == alice
    assert double.home_view(alice)["blocks"] == home["blocks"]


def test_views_open_and_update_a_modal(double, client, clock, alice):
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Update"}, "blocks": []}
    opened = client.views_open(trigger_id=double.new_trigger_id(alice), view=modal)["view"]
    assert double.feed[-1]["user"] == alice
    changed = modal | {"blocks": [section("Saved")]}
    updated = client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])["view"]
    assert updated["blocks"] == [section("Saved")]
    stale = client.views_update
    assert (
        api_error(lambda: stale(view_id=opened["id"], view=changed, hash=opened["hash"]))["error"]
        == "hash_conflict"
    )
    trigger = double.new_trigger_id(alice)
    clock.advance(timedelta(seconds=4))
    assert api_error(lambda: client.views_open(trigger_id=trigger, view=modal))["error"] == (
        "expired_trigger_id"
    )


# ---- files


def test_files_upload_v2_runs_all_three_steps_against_the_double(double, client):
    channel = double.add_channel("committee")
    parent = client.chat_postMessage(channel=channel, text="Weekly digest")["ts"]
    png = b"\x89PNG\r\n\x1a\nchart"
    answer = client.files_upload_v2(
        channel=channel,
        content=png,
        filename="rag.png",
        title="RAG chart",
        initial_comment="This week",
        thread_ts=parent,
    )
    file_id = answer["file"]["id"]
    assert ID.match(file_id) and answer["file"]["title"] == "RAG chart"
    assert double.file_content(file_id) == png
    [_, reply] = double.thread(channel, parent)
    assert reply["files"][0]["id"] == file_id and reply["text"] == "This week"
    assert double.feed[-1]["kind"] == "file" and double.feed[-1]["thread_ts"] == parent
    methods = [r.method for r in double.requests]
    assert methods[-3:] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


# ---- response_url


def test_response_url_takes_ephemeral_and_in_channel_replies(double, alice):
    channel = double.add_channel("committee")
    hook = WebhookClient(double.new_response_url(alice, channel))
    assert re.fullmatch(re.escape(double.base_url) + r"/response/\w+", hook.url)
    answer = hook.send(text="Only you can see this")
    assert (answer.status_code, answer.body) == (200, "ok")
    assert double.feed[-1]["kind"] == "response" and double.feed[-1]["user"] == alice
    hook.send(text="Everyone sees this", response_type="in_channel")
    assert [m["text"] for m in double.messages(channel)] == ["Everyone sees this"]
    assert double.requests_for("response")[0].body == {"text": "Only you can see this"}


def test_response_url_allows_five_uses_then_answers_404(double, alice):
    hook = WebhookClient(double.new_response_url(alice, double.dm_channel(alice)))
    assert [hook.send(text=str(i)).status_code for i in range(5)] == [200] * 5
    sixth = hook.send(text="one too many")
    assert (sixth.status_code, sixth.body) == (404, "used_url")


def test_response_url_expires_after_30_minutes(double, clock, alice):
    hook = WebhookClient(double.new_response_url(alice, double.dm_channel(alice)))
    clock.advance(timedelta(minutes=29))
    assert hook.send(text="still fine").status_code == 200
    clock.advance(timedelta(minutes=2))
    late = hook.send(text="too late")
    assert (late.status_code, late.body) == (404, "expired_url")


def test_response_url_can_replace_the_message_it_came_from(double, client, alice):
    channel = double.add_channel("committee")
    ts = client.chat_postMessage(channel=channel, text="Confirm RAG?", blocks=[section("?")])["ts"]
    hook = WebhookClient(double.new_response_url(alice, channel, message_ts=ts))
    hook.send(text="Confirmed", replace_original=True)
    assert double.messages(channel)[0]["text"] == "Confirmed"
    assert double.feed[-1]["kind"] == "update"


# ---- Slack's limits


def payload(blocks=None, text="fallback"):
    return {"text": text, "blocks": blocks}


LIMITS = [
    # (name, build(n) -> message kwargs, largest allowed n, expected error)
    ("50 blocks", lambda n: payload([section()] * n), 50, "invalid_blocks"),
    ("section text", lambda n: payload([section("x" * n)]), 3000, "invalid_blocks"),
    (
        "section fields",
        lambda n: payload([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * n}]),
        10,
        "invalid_blocks",
    ),
    (
        "field text",
        lambda n: payload([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * n}]}]),
        2000,
        "invalid_blocks",
    ),
    (
        "header text",
        lambda n: payload([{"type": "header", "text": {"type": "plain_text", "text": "h" * n}}]),
        150,
        "invalid_blocks",
    ),
    (
        "actions elements",
        lambda n: payload([{"type": "actions", "elements": [button(i) for i in range(n)]}]),
        25,
        "invalid_blocks",
    ),
    (
        "context elements",
        lambda n: payload([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * n}]),
        10,
        "invalid_blocks",
    ),
    ("block_id", lambda n: payload([section(block_id="b" * n)]), 255, "invalid_blocks"),
    ("one table", lambda n: payload([table(1) for _ in range(n)]), 1, "invalid_blocks"),
    ("table rows", lambda n: payload([table(n)]), 100, "invalid_blocks"),
    ("table cells", lambda n: payload([table(1, cells=n)]), 20, "invalid_blocks"),
    ("text length", lambda n: payload(text="t" * n), 40_000, "msg_too_long"),
]


@pytest.mark.parametrize(
    ("build", "limit", "error"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS]
)
def test_post_message_enforces_slacks_limits(double, client, build, limit, error):
    channel = double.add_channel("committee")
    assert client.chat_postMessage(channel=channel, **build(limit))["ok"]
    assert (
        api_error(lambda: client.chat_postMessage(channel=channel, **build(limit + 1)))["error"]
        == error
    )


def test_a_second_table_gets_only_one_table_allowed(double, client):
    channel = double.add_channel("committee")
    body = api_error(
        lambda: client.chat_postMessage(channel=channel, text="t", blocks=[table(1), table(1)])
    )
    assert body["errors"] == ["only_one_table_allowed"]


def test_block_errors_name_the_block_index():
    blocks = [section(), section(), section("x" * 3001)]
    assert message_block_errors(blocks) == [
        "must be at most 3000 characters [json-pointer:/blocks/2/text/text]"
    ]
    assert message_block_errors([section()] * 51) == ["must provide an array of at most 50 blocks"]


def test_messages_need_text_or_blocks_and_known_block_types(double, client):
    channel = double.add_channel("committee")
    with pytest.warns(UserWarning, match="text"):  # slack_sdk nags before sending either
        empty = api_error(lambda: client.chat_postMessage(channel=channel, text=""))
        assert client.chat_postMessage(channel=channel, blocks=[{"type": "divider"}])["ok"]
    assert empty["error"] == "no_text"
    unknown = api_error(
        lambda: client.chat_postMessage(channel=channel, text="x", blocks=[{"type": "carousel"}])
    )
    assert unknown["error"] == "invalid_blocks"
    assert "/blocks/0/type" in unknown["errors"][0]


def test_limits_apply_to_updates_ephemerals_and_response_urls(double, client, alice):
    channel = double.add_channel("committee")
    too_many = [section()] * 51
    ts = client.chat_postMessage(channel=channel, text="x")["ts"]
    assert api_error(lambda: client.chat_update(channel=channel, ts=ts, text="x", blocks=too_many))[
        "error"
    ] == ("invalid_blocks")
    assert (
        api_error(
            lambda: client.chat_postEphemeral(
                channel=channel, user=alice, text="x", blocks=too_many
            )
        )["error"]
        == "invalid_blocks"
    )
    hook = WebhookClient(double.new_response_url(alice, channel))
    rejected = hook.send(text="x", blocks=too_many)
    assert (rejected.status_code, rejected.body) == (400, "invalid_blocks")


def test_views_allow_100_blocks_and_no_tables_in_modals(double, client, alice):
    home = {"type": "home", "blocks": [section()] * 100}
    assert client.views_publish(user_id=alice, view=home)["ok"]
    too_big = api_error(
        lambda: client.views_publish(user_id=alice, view=home | {"blocks": [section()] * 101})
    )
    assert too_big["error"] == "invalid_arguments"
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [table(2)]}
    trigger = double.new_trigger_id(alice)
    assert (
        api_error(lambda: client.views_open(trigger_id=trigger, view=modal))["error"]
        == "invalid_blocks"
    )
    assert view_block_errors(modal) == [
        "table blocks are not allowed in modals [json-pointer:/view/blocks/0]"
    ]
    # Tables do render in App Home.
    assert client.views_publish(user_id=alice, view={"type": "home", "blocks": [table(2)]})["ok"]


# ---- many clients, and the in-process client


def test_concurrent_clients_get_distinct_ts(double, alice):
    stamps: list[str] = []

    def post() -> None:
        client = double.web_client()
        stamps.extend(client.chat_postMessage(channel=alice, text="x")["ts"] for _ in range(10))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(stamps)) == 60 == len(double.messages(alice))


def exercise(double: SlackDouble, client) -> list:
    """The same calls, failures included, made through either client; returns what came back."""
    user = double.add_user("bob", tz="Europe/London")
    channel = double.add_channel("committee")
    answers = [client.auth_test().data, client.users_info(user=user).data]
    posted = client.chat_postMessage(
        channel=user, text="hi", metadata={"event_type": "e", "event_payload": {}}
    )
    answers += [
        posted.data,
        client.chat_update(channel=posted["channel"], ts=posted["ts"], text="hey").data,
    ]
    answers.append(
        client.conversations_history(channel=posted["channel"], include_all_metadata=True).data
    )
    answers.append(
        client.views_publish(user_id=user, view={"type": "home", "blocks": [section()]}).data
    )
    answers.append(client.files_upload_v2(channel=channel, content=b"abc", filename="a.csv").data)
    for failure in ({"status": 429, "retry_after": 1}, {"error": "fatal_error"}, {"drop": True}):
        double.fail_next("chat.postMessage", **failure)
        try:
            client.chat_postMessage(channel=channel, text="x")
        except SlackApiError as error:
            answers.append((error.response.status_code, error.response.data))
        except RemoteDisconnected as error:
            answers.append(type(error).__name__)
    answers.append(
        api_error(lambda: client.chat_postMessage(channel=channel, text="x", blocks=[table(101)]))
    )
    return answers


def normalised(value) -> str:
    """JSON with the double's host and port taken out (they differ between two doubles)."""
    return re.sub(r"http://[^/\"]+", "http://double", json.dumps(value, sort_keys=True))


def test_the_in_process_client_answers_and_records_like_http(clock):
    with SlackDouble(clock=FixedClock(START)) as over_http:
        http_answers = exercise(over_http, over_http.web_client(retry_handlers=[]))
        http_log = [(r.method, r.body, r.status, r.response) for r in over_http.requests]
    in_process = SlackDouble(clock=FixedClock(START))  # never started: no sockets at all
    local_answers = exercise(in_process, in_process.in_process_client(retry_handlers=[]))
    local_log = [(r.method, r.body, r.status, r.response) for r in in_process.requests]
    assert normalised(local_answers) == normalised(http_answers)
    assert normalised(local_log) == normalised(http_log)
    assert normalised(in_process.feed) == normalised(over_http.feed)
    assert "RemoteDisconnected" in local_answers
