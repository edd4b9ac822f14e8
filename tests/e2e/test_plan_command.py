"""End to end: signed Slack requests into the real Bolt app, answers read from the Slack double."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.local.workspace import LocalSlack
from bot.settings import Settings
from bot.slack_double.content_limits import message_block_errors
from store.models import Action, ProgressUpdate, RagChange, RoleMember
from tests.e2e.serving import serving

TODAY = FixedClock.at_date(date(2018, 11, 20))


def _responses(world: LocalSlack) -> list[dict]:
    return [item for item in world.new_items() if item["kind"] == "response"]


def _all_text(item: dict) -> str:
    from bot.local.render import render_blocks

    return "\n".join(render_blocks(item["blocks"])) if item.get("blocks") else item.get("text", "")


def _row_counts(engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Action, ProgressUpdate, RagChange, RoleMember)
        )


# --- Through Bolt's front door (dispatch of signed requests) ----------------------------------


def test_help(world):
    assert world.command(world.admin.user_id, "help") == 200
    [answer] = _responses(world)
    assert answer["user"] == world.admin.user_id
    assert "/plan status 7.3" in _all_text(answer)


def test_status_of_a_priority_as_a_user_sees_it(world):
    assert world.command(world.admin.user_id, "status 7") == 200
    [answer] = _responses(world)
    text = _all_text(answer)
    assert "PRIORITY 7 · OFSTED RECOMMENDATION 9" in text
    assert "7.3 Implement a revised management approach" in text
    assert "31 Mar 2019 (due in 131 days)" in text
    assert message_block_errors(answer["blocks"]) == []


def test_status_of_the_whole_plan_is_one_table(world):
    world.command(world.admin.user_id, "status")
    [answer] = _responses(world)
    [table] = [b for b in answer["blocks"] if b["type"] == "table"]
    assert len(table["rows"]) == 16  # header + 15 priorities
    assert table["rows"][1][6]["text"] == "16"  # priority 1 has 16 actions


def test_status_of_an_action_shows_history(world):
    world.command(world.admin.user_id, "status 1.3")
    [answer] = _responses(world)
    text = _all_text(answer)
    assert (
        "ACTION 1.3" in text and "took place on 01/10/18" in text and "31 Oct 2018 (seed)" in text
    )


def test_status_by_ofsted_recommendation(world):
    world.command(world.admin.user_id, "status rec 9")
    [answer] = _responses(world)
    assert "OFSTED RECOMMENDATION 9: PRIORITY 7" in _all_text(answer)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status 99", "There is no priority 99 — the plan has priorities 1–15."),
        ("status 7.99", "There is no action 7.99 — priority 7 has actions 7.1–7.6."),
        ("status abc", "is not a priority or an action"),
        ("status -1", "is not a priority or an action"),
        ("status 999999", "There is no priority 999999"),
        ("status rec 99", "No priority answers Ofsted recommendation 99"),
        ("frobnicate", "I don't know `/plan frobnicate`"),
        ("status   ７", "PRIORITY 7"),
    ],
)
def test_bad_arguments_get_a_clear_answer_and_change_nothing(world, text, expected):
    before = _row_counts(world.engine)
    assert world.command(world.admin.user_id, text) == 200
    [answer] = _responses(world)
    assert expected in _all_text(answer) or expected in answer["text"]
    assert _row_counts(world.engine) == before


def test_answers_go_through_response_url_not_chat_methods(world):
    # In a DM or a private channel the bot is not in, chat.postMessage would fail, while a command's
    # response_url always answers (https://docs.slack.dev/interactivity/handling-user-interaction).
    world.command(world.admin.user_id, "status 7", channel_id="G0PRIVATE1")
    assert world.double.requests_for("chat.postMessage") == []
    assert world.double.requests_for("chat.postEphemeral") == []
    assert len(world.double.requests_for("response")) == 1


def test_used_up_response_url_falls_back_to_a_dm(world):
    user = world.admin.user_id
    url = world.double.new_response_url(user, world.double.dm_channel(user))
    from slack_sdk.webhook import WebhookClient

    for _ in range(5):  # Slack allows 5 uses in 30 minutes
        assert WebhookClient(url).send(text="used").status_code == 200
    world.new_items()
    request = world.requests.command(
        user, "status 7", channel_id=world.double.dm_channel(user), response_url=url
    )
    assert request.dispatch(world.app).status == 200
    [dm] = world.double.requests_for("chat.postMessage")
    assert dm.body["channel"] == user
    assert "PRIORITY 7" in _all_text(world.new_items()[-1])


def test_rejected_blocks_fall_back_to_text(world, monkeypatch):
    from bot.status import views

    original = views.priority_blocks

    def with_two_tables(*args, **kwargs):
        table = {"type": "table", "rows": [[{"type": "raw_text", "text": "x"}]]}
        return [*original(*args, **kwargs), table, table]  # Slack allows one table a message

    monkeypatch.setattr(views, "priority_blocks", with_two_tables)
    assert world.command(world.admin.user_id, "status 7") == 200
    responses = world.double.requests_for("response")
    assert [r.status for r in responses] == [400, 200]
    assert "blocks" not in responses[1].body and "7.3" in responses[1].body["text"]


@pytest.mark.parametrize(
    "event",
    [
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U0SOMEONE",
            "channel": "C0ABC",
            "ts": "1.000001",
            "text": "joined",
        },
        {"type": "app_home_opened", "user": "U0SOMEONE", "channel": "D0ABC", "tab": "messages"},
        {
            "type": "message",
            "user": "U0SOMEONE",
            "channel": "D0ABC",
            "ts": "2.000001",
            "thread_ts": "1.000001",
            "text": "reply",
            "channel_type": "im",
        },
        {"type": "member_joined_channel", "user": "U0SOMEONE", "channel": "C0ABC"},
    ],
)
def test_events_nobody_handles_are_acknowledged_not_404(world, event):
    # A 404 would make Slack retry, and failures count towards disabling the event subscription
    # (https://docs.slack.dev/apis/events-api/#failure-conditions).
    assert world.requests.event(event).dispatch(world.app).status == 200
    assert world.app.dispatch(world.requests.event(event).to_socket_mode()).status == 200


def test_unknown_interaction_is_acknowledged(world):
    request = world.requests.block_actions(world.admin.user_id, "no_such_action", "x")
    assert request.dispatch(world.app).status == 200


def test_socket_mode_command(world):
    request = world.requests.command(
        world.admin.user_id,
        "status 7",
        channel_id="C0ABC",
        response_url=world.double.new_response_url(world.admin.user_id, world.committee_channel),
    )
    assert world.app.dispatch(request.to_socket_mode()).status == 200
    assert "PRIORITY 7" in _all_text(_responses(world)[0])


# --- Over real HTTP, as `planbot run --http` serves it ----------------------------------------


def test_http_signed_command(world):
    with serving(world.app) as url:
        request = world.requests.command(
            world.admin.user_id,
            "help",
            channel_id="C0ABC",
            response_url=world.double.new_response_url(
                world.admin.user_id, world.committee_channel
            ),
        )
        status, _ = request.post(url)
        assert status == 200
        deadline = time.monotonic() + 10
        while not world.double.requests_for("response"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert "/plan status 7.3" in _all_text(_responses(world)[0])


@pytest.mark.parametrize("forgery", ["bad_signature", "stale", "unsigned"])
def test_http_rejects_unsigned_and_stale_requests(world, forgery):
    with serving(world.app) as url:
        kwargs = {"bad_signature": True} if forgery == "bad_signature" else {}
        if forgery == "stale":
            kwargs["timestamp"] = int(time.time()) - 301  # wall clock: Slack signs with real time
        request = world.requests.command(
            world.admin.user_id,
            "status 7",
            channel_id="C0ABC",
            response_url=world.double.new_response_url(
                world.admin.user_id, world.committee_channel
            ),
            **kwargs,
        )
        if forgery == "unsigned":
            request.headers = {
                k: v for k, v in request.headers.items() if not k.lower().startswith("x-slack")
            }
        before = _row_counts(world.engine)
        status, _ = request.post(url)
    assert status == 401
    assert world.double.requests_for("response") == []
    assert _row_counts(world.engine) == before


def test_the_production_client_never_resends_blindly():
    from slack_sdk.http_retry import RateLimitErrorRetryHandler

    from bot.slack.client import make_client

    client = make_client(Settings(_env_file=None, slack_bot_token="xoxb-x"))
    assert [type(h) for h in client.retry_handlers] == [RateLimitErrorRetryHandler]


def test_a_database_failure_still_gets_an_answer(world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import handlers.commands

    def broken(**_):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(handlers.commands, "answer_command", broken)
    assert world.command(world.admin.user_id, "status 7") == 200
    [answer] = _responses(world)
    assert "couldn't read the plan just now" in answer["text"]


def test_dates_are_shown_in_the_plan_time_zone(world):
    from datetime import UTC, datetime

    from store import plan
    from store.engine import transaction
    from store.models import Action, ProgressUpdate

    with transaction(world.engine) as session:
        action = session.exec(select(Action).where(Action.ref == "1.5")).one()
        # 23:30 UTC on 31 March 2019 is 00:30 BST on 1 April.
        session.add(
            ProgressUpdate(
                action_id=action.id,
                text="Screening live",
                at=datetime(2019, 3, 31, 23, 30, tzinfo=UTC),
                source="reply",
                author="William Jones",
            )
        )
    world.command(world.admin.user_id, "status 1.5")
    text = _all_text(_responses(world)[0])
    assert "1 Apr 2019 (reply by William Jones)" in text  # a name, not a broken @-mention
    with Session(world.engine) as session:
        assert plan.action_detail(session=session, ref="1.5").history[-1].by == "William Jones"


def test_a_dm_fallback_falls_back_to_text_too(world, monkeypatch):
    from slack_sdk.webhook import WebhookClient

    from bot.status import views

    original = views.priority_blocks
    table = {"type": "table", "rows": [[{"type": "raw_text", "text": "x"}]]}
    monkeypatch.setattr(
        views, "priority_blocks", lambda *a, **k: [*original(*a, **k), table, table]
    )
    user = world.admin.user_id
    url = world.double.new_response_url(user, world.double.dm_channel(user))
    for _ in range(5):
        WebhookClient(url).send(text="used")
    request = world.requests.command(
        user, "status 7", channel_id=world.double.dm_channel(user), response_url=url
    )
    assert request.dispatch(world.app).status == 200
    posts = world.double.requests_for("chat.postMessage")
    assert [p.response["ok"] for p in posts] == [False, True]  # blocks refused, then the text
    assert "blocks" not in posts[1].body and "7.3" in posts[1].body["text"]


def test_a_recommendation_with_a_huge_priority_still_shows_it(world):
    from bot.plan.rag import Rag
    from bot.plan.refs import ActionRef
    from bot.plan.views import ActionView, PriorityView
    from bot.status.answers import StatusAnswer, answer_blocks

    huge = PriorityView(
        number=7,
        ofsted_recommendation=9,
        section="S",
        title="T",
        actions=tuple(
            ActionView(
                ActionRef(7, n), "A long action text " * 40, ("Lead",), None, None, Rag.GREEN, None
            )
            for n in range(1, 600)
        ),
    )
    small = replace(huge, number=8, actions=huge.actions[:1])
    blocks = answer_blocks(
        StatusAnswer(view=[huge, small], title="Ofsted recommendation 9"),
        TODAY.now().date(),
        "Europe/London",
    )
    assert blocks[0]["text"]["text"].startswith("Ofsted recommendation 9: priority 7")
    assert (
        len(blocks) <= 50 and "Also answering it: priority 8" in blocks[-1]["elements"][0]["text"]
    )


@pytest.mark.parametrize(
    ("author", "shown"), [("WFD", "by WFD"), ("U0LEAD0001", "by <@U0LEAD0001>")]
)
def test_only_slack_ids_become_mentions(author, shown):
    from bot.slack.blocks import by_whom as _by

    assert _by(author) == f" {shown}"


def test_status_shows_a_change_another_process_made_since_it_was_last_asked(world, monkeypatch):
    """Status answers are kept while the plan is unchanged (store/plan_cache.py): a change made
    by another planbot (here `planbot retime`, on an engine of its own) shows at the next ask."""
    from bot.cli.main import main

    assert world.command(world.admin.user_id, "status 7.3") == 200
    assert "31 Mar 2019" in _all_text(_responses(world)[0])
    monkeypatch.setenv("DATABASE_URL", world.deps.engine.url.render_as_string(hide_password=False))
    assert main(["retime", "7.3", "2019-06-30", "--reason", "court delays"]) == 0

    def answer() -> str:
        assert world.command(world.admin.user_id, "status 7.3") == 200
        return _all_text(_responses(world)[0])

    # PostgreSQL's notification of another process's change may come a moment after its commit.
    deadline = time.monotonic() + 5
    while "30 Jun 2019" not in (said := answer()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "30 Jun 2019" in said and "court delays" in said
