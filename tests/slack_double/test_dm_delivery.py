"""What a sender of DMs meets: people it cannot reach, message metadata, and history paging to
reconcile "was my message posted?" after an unknown outcome."""

from __future__ import annotations

import json

from tests.slack_double.helpers import api_error

# ---- people a DM cannot reach


def test_users_info_finds_deactivated_people_but_not_unknown_ones(double, client):
    gone = double.add_user("gone", deleted=True)
    assert client.users_info(user=gone)["user"]["deleted"] is True
    assert api_error(lambda: client.users_info(user="U0NOBODY00"))["error"] == "user_not_found"
    assert api_error(lambda: client.chat_postMessage(channel=gone, text="x"))["error"] == (
        "user_disabled"
    )


def test_conversations_open_refuses_bots_and_deactivated_people(double, client):
    gone = double.add_user("gone", deleted=True)
    helper = double.add_user("otherbot", is_bot=True)
    for user, refused in (
        (gone, "user_disabled"),
        (double.bot_user_id, "cannot_dm_bot"),
        (helper, "cannot_dm_bot"),
        ("U0NOBODY00", "user_not_found"),
    ):
        assert api_error(lambda u=user: client.conversations_open(users=u))["error"] == refused


# ---- message metadata, the tag a sender reconciles by


REMINDER = {"event_type": "planbot_reminder", "event_payload": {"reminder_id": "r-7", "n": 2}}


def test_metadata_round_trips_through_post_history_and_replies(double, client, alice):
    posted = client.chat_postMessage(channel=alice, text="Action 3 is due", metadata=REMINDER)
    assert posted["message"]["metadata"] == REMINDER  # Slack echoes what it stored
    dm = posted["channel"]
    reply = {"event_type": "planbot_reply", "event_payload": {"reminder_id": "r-7"}}
    client.chat_postMessage(channel=dm, text="noted", thread_ts=posted["ts"], metadata=reply)
    history = client.conversations_history(channel=dm, include_all_metadata=True)
    assert [m["metadata"] for m in history["messages"]] == [REMINDER]
    thread = client.conversations_replies(channel=dm, ts=posted["ts"], include_all_metadata=True)
    assert [m["metadata"] for m in thread["messages"]] == [REMINDER, reply]
    plain = client.conversations_replies(channel=dm, ts=posted["ts"])["messages"]
    assert all("metadata" not in m for m in plain)
    assert double.messages(dm)[0]["metadata"] == REMINDER


def test_metadata_sent_as_a_form_field_is_decoded_and_bad_metadata_refused(double, client, alice):
    form = {"channel": alice, "text": "form", "metadata": json.dumps(REMINDER)}
    client.api_call("chat.postMessage", data=form)
    assert double.messages(alice)[0]["metadata"] == REMINDER
    for bad in ({"event_type": "x"}, {"event_payload": {}}, "not json"):
        assert (
            api_error(lambda b=bad: client.chat_postMessage(channel=alice, text="x", metadata=b))[
                "error"
            ]
            == "invalid_metadata_format"
        )


def test_chat_update_replaces_metadata_and_keeps_it_when_omitted(double, client, alice):
    posted = client.chat_postMessage(channel=alice, text="v1", metadata=REMINDER)
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    assert double.messages(alice)[0]["metadata"] == REMINDER
    newer = {"event_type": "planbot_reminder", "event_payload": {"reminder_id": "r-8"}}
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v3", metadata=newer)
    assert double.messages(alice)[0]["metadata"] == newer


# ---- history paging, as a sender reconciling reads it


def texts(page) -> list[str]:
    return [m["text"] for m in page["messages"]]


def test_history_pages_stay_put_while_new_messages_arrive(double, client, alice):
    for i in range(5):
        client.chat_postMessage(channel=alice, text=str(i))
    dm = double.dm_channel(alice)
    first = client.conversations_history(channel=dm, limit=2)
    assert texts(first) == ["4", "3"] and first["has_more"] is True
    client.chat_postMessage(channel=alice, text="new")  # posted while the sender pages
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel=dm, limit=2, cursor=cursor)
    assert texts(second) == ["2", "1"]
    cursor = second["response_metadata"]["next_cursor"]
    last = client.conversations_history(channel=dm, limit=2, cursor=cursor)
    assert texts(last) == ["0"] and last["has_more"] is False
    assert last["response_metadata"]["next_cursor"] == ""


def test_history_between_oldest_and_latest_with_inclusive(double, client, alice):
    ts = [client.chat_postMessage(channel=alice, text=str(i))["ts"] for i in range(5)]
    dm = double.dm_channel(alice)
    between = client.conversations_history(channel=dm, oldest=ts[1], latest=ts[3])
    assert texts(between) == ["2"]
    both_ends = client.conversations_history(channel=dm, oldest=ts[1], latest=ts[3], inclusive=True)
    assert texts(both_ends) == ["3", "2", "1"]
    paged = client.conversations_history(channel=dm, oldest=ts[0], limit=3)
    assert texts(paged) == ["4", "3", "2"]
    rest = client.conversations_history(
        channel=dm, oldest=ts[0], limit=3, cursor=paged["response_metadata"]["next_cursor"]
    )
    assert texts(rest) == ["1"]


def test_history_refuses_bad_bounds_and_cursors(double, client, alice):
    client.chat_postMessage(channel=alice, text="x")
    dm = double.dm_channel(alice)
    assert api_error(lambda: client.conversations_history(channel=dm, oldest="soon"))["error"] == (
        "invalid_ts_oldest"
    )
    for cursor in ("bm9wZQ==", "not base64!", "dXNlcnM6MQ=="):  # "nope", junk, a users.list one
        assert (
            api_error(lambda c=cursor: client.conversations_history(channel=dm, cursor=c))["error"]
            == "invalid_cursor"
        )


def test_replies_page_oldest_first_with_a_cursor(double, client, alice):
    parent = client.chat_postMessage(channel=alice, text="parent")
    dm = parent["channel"]
    for i in range(4):
        client.chat_postMessage(channel=dm, text=f"reply {i}", thread_ts=parent["ts"])
    seen, cursor = [], None
    while True:
        page = client.conversations_replies(channel=dm, ts=parent["ts"], limit=2, cursor=cursor)
        seen += texts(page)
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == ["parent", "reply 0", "reply 1", "reply 2", "reply 3"]


def reconcile(client, channel: str, reminder_id: str, since: str) -> str | None:
    """What a sender does after an unknown outcome: the ts of its tagged message, if posted."""
    cursor = None
    while True:
        page = client.conversations_history(
            channel=channel, oldest=since, include_all_metadata=True, limit=2, cursor=cursor
        )
        for message in page["messages"]:
            payload = message.get("metadata", {}).get("event_payload", {})
            if payload.get("reminder_id") == reminder_id:
                return message["ts"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            return None


def test_a_sender_finds_its_tagged_message_in_history_among_others(double, client, alice):
    dm = client.conversations_open(users=alice)["channel"]["id"]
    since = client.chat_postMessage(channel=dm, text="yesterday")["ts"]
    for i in range(3):
        double.user_says(alice, f"chatter {i}")
    posted = client.chat_postMessage(channel=dm, text="today", metadata=REMINDER)
    for i in range(3):
        double.user_says(alice, f"more {i}")
    assert reconcile(client, dm, "r-7", since) == posted["ts"]
    assert reconcile(client, dm, "r-8", since) is None
