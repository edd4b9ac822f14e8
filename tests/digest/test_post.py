"""The digest end to end: posted through the Slack double into the committee channel, once a
week, within Slack's limits, with its fallbacks and its failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.digest.messages import MESSAGE_CHARS, block_chars
from bot.local.workspace import LocalSlack
from bot.slack.digest_post import digest_job, post_digest, snapshot_job
from bot.slack_double.content_limits import message_block_errors
from store import outbox

DAY = date(2018, 11, 20)


def top_messages(world: LocalSlack) -> list[dict]:
    return world.double.messages(world.committee_channel)


def thread_of(world: LocalSlack, top: dict) -> list[dict]:
    return world.double.thread(world.committee_channel, top["ts"])[1:]


def tables(message: dict) -> list[dict]:
    return [b for b in message.get("blocks", []) if b["type"] == "table"]


def assert_within_limits(message: dict) -> None:
    blocks = message.get("blocks") or []
    assert message_block_errors(blocks) == []
    assert len(tables(message)) <= 1
    assert block_chars(blocks) <= MESSAGE_CHARS
    assert len(message.get("text") or "") <= 4000


def admin_dms(world: LocalSlack) -> list[dict]:
    return world.double.messages(world.double.dm_channel(world.admin.user_id))


def test_the_seed_digest_posts_exception_first_with_its_thread_and_chart(world):
    posted = post_digest(world.deps, today=DAY)
    assert posted.ok and not posted.updated, posted.summary()
    [top] = top_messages(world)
    assert_within_limits(top)
    shown = str(top["blocks"])
    assert top["blocks"][0]["type"] == "header"
    # Exception first: what needs attention comes before the tracker table.
    assert shown.index("Overdue (7)") < shown.index("'type': 'table'")
    [table] = tables(top)
    assert [c["text"] for c in table["rows"][0]][:3] == ["CURRENT RAG RATINGS", "1", "2"]
    assert [c["text"] for c in table["rows"][5]][0] == "Not yet rated"
    assert "93 not yet rated" in top["text"] and "7 overdue" in top["text"]
    thread = thread_of(world, top)
    assert len(thread) == posted.replies + 1  # the replies, and the chart
    for message in thread:
        assert_within_limits(message)
    by_month = thread[0]
    assert [c["text"] for c in tables(by_month)[0]["rows"][0]] == [
        "RAG RATINGS",
        "NOV 2018 (live)",
    ]
    details = " ".join(str(m.get("blocks")) for m in thread)
    assert "Priority 15" in details and "*15.4*" in details
    [chart] = [m for m in thread if m.get("files")]
    assert chart is thread[-1]
    data = world.double.file_content(chart["files"][0]["id"])
    assert data.startswith(b"\x89PNG")
    assert posted.chart == "uploaded"


def test_a_second_trigger_the_same_week_updates_the_posted_digest(world):
    first = post_digest(world.deps, today=DAY)
    [top] = top_messages(world)
    replies = len(thread_of(world, top))
    world.clock.set(world.clock.now() + timedelta(days=2))  # Thursday, same ISO week
    again = post_digest(world.deps, today=date(2018, 11, 22))
    assert again.updated and again.ts == first.ts
    [updated] = top_messages(world)
    assert updated["ts"] == top["ts"] and "edited" in updated
    assert "22 Nov 2018" in str(updated["blocks"][0])
    assert len(thread_of(world, updated)) == replies  # no reply and no chart twice
    assert again.chart == "already in the thread"
    # The next ISO week is a new digest.
    post_digest(world.deps, today=date(2018, 11, 26))
    assert len(top_messages(world)) == 2


def test_a_refused_table_block_is_sent_as_preformatted_text(world):
    world.double.fail_next("chat.postMessage", error="invalid_blocks")
    posted = post_digest(world.deps, today=DAY)
    assert posted.ok and posted.fallback
    [top] = top_messages(world)
    assert tables(top) == []
    text = str(top["blocks"])
    assert "```CURRENT RAG RATINGS" in text and "Not yet rated" in text
    assert_within_limits(top)
    # Only the refused message fell back: the thread kept its table blocks.
    assert tables(thread_of(world, top)[0])


@pytest.mark.parametrize("error", ["is_archived", "not_in_channel", "channel_not_found"])
def test_a_channel_slack_refuses_tells_the_admins_and_keeps_the_digest(world, error):
    world.double.fail_next("chat.postMessage", error=error)
    posted = post_digest(world.deps, today=DAY)
    assert not posted.ok and error in posted.error
    assert top_messages(world) == []
    [alert] = admin_dms(world)
    assert "could not be posted" in alert["text"] and "/plan digest post" in alert["text"]
    with Session(world.engine) as session:
        [row] = outbox.rows(session=session, kinds=("digest",))
    assert row.status == "failed" and row.error == error and row.payload["blocks"]
    # The scheduled tick does not knock again; an admin's resend posts it, once.
    assert "failed" in digest_job(world.deps, world.clock.now())
    assert top_messages(world) == []
    resent = post_digest(world.deps, today=DAY)
    assert resent.ok and not resent.updated
    assert len(top_messages(world)) == 1
    assert len(admin_dms(world)) == 1


def test_a_channel_the_bot_was_never_invited_to(world):
    closed = world.double.add_channel("closed-committee", bot_is_member=False)
    posted = post_digest(world.deps, today=DAY, channel=closed)
    assert not posted.ok and "not_in_channel" in posted.error
    assert "not a member" in admin_dms(world)[0]["text"]


def test_a_failed_chart_upload_neither_blocks_nor_duplicates_the_digest(world):
    world.double.fail_next("files.getUploadURLExternal", error="internal_error")
    posted = post_digest(world.deps, today=DAY)
    assert posted.ok and posted.chart.startswith("failed")
    [top] = top_messages(world)
    thread = thread_of(world, top)
    assert len(thread) == posted.replies and not any(m.get("files") for m in thread)
    again = post_digest(world.deps, today=DAY)
    assert again.updated and again.chart == "uploaded"
    [top] = top_messages(world)
    thread = thread_of(world, top)
    assert len(thread) == posted.replies + 1 and thread[-1].get("files")


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(world):
    # planbot's own client never resends blindly (bot/slack/client.py); nor does this one.
    deps = replace(world.deps, client=world.double.web_client(retry_handlers=[]))
    world.double.fail_next("chat.postMessage", drop=True)
    lost = post_digest(deps, today=DAY)
    assert not lost.ok and "connection" in lost.error
    assert len(top_messages(world)) == 1  # Slack did post it
    world.clock.set(world.clock.now() + timedelta(minutes=5))
    found = post_digest(deps, today=DAY)
    assert found.ok, found.summary()
    [top] = top_messages(world)
    assert len(thread_of(world, top)) == found.replies + 1


def test_the_scheduled_tick_posts_once_from_the_digest_time_on(world):
    monday = datetime(2018, 11, 19, 9, 0, tzinfo=UTC)  # 09:00 GMT, before 09:30
    world.clock.set(monday)
    assert "not due" in digest_job(world.deps, monday)
    later = monday + timedelta(minutes=35)
    world.clock.set(later)
    assert "posted" in digest_job(world.deps, later)
    assert "sent" in digest_job(world.deps, later + timedelta(minutes=5))
    assert len(top_messages(world)) == 1


def test_the_month_end_tick_freezes_what_ended(world):
    instant = datetime(2019, 1, 1, 0, 5, tzinfo=UTC)
    assert snapshot_job(world.deps, instant) == "froze 2018-11, 2018-12"
    assert snapshot_job(world.deps, instant) == "no month to freeze"


def test_a_500_action_plan_posts_every_message_within_slacks_limits(big_world):
    world = big_world
    today = world.clock.now().date()
    posted = post_digest(world.deps, today=today)
    assert posted.ok, posted.summary()
    [top] = top_messages(world)
    assert_within_limits(top)
    thread = thread_of(world, top)
    for message in thread:
        assert_within_limits(message)
    # 100 priorities: the tracker turns on its side, and its last rows go to a message of their own.
    current = tables(top)[0]["rows"]
    assert [c["text"] for c in current[0]][:2] == ["Recommendation", "Red"]
    assert len(current) == 100
    rest = tables(thread[0])[0]["rows"]
    assert [c["text"] for c in rest[-1]][0] == "Total"
    # Thirty months from JAN 2018: a row per month.
    by_month = next(m for m in thread if "RAG ratings by month" in m["text"])
    rows = tables(by_month)[0]["rows"]
    assert rows[1][0]["text"] == "JAN 2018" and rows[-1][0]["text"].endswith("(live)")
    assert thread[-1].get("files")
    # The fallback of every message fits too.
    from bot.digest.service import build_digest, prepare_post

    prepared = prepare_post(
        build_digest(engine=world.engine, settings=world.settings, today=today), chart=False
    )
    for message in prepared.messages:
        for blocks in (message.blocks, message.fallback_blocks or []):
            assert message_block_errors(blocks) == []
            assert block_chars(blocks) <= MESSAGE_CHARS
