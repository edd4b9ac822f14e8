"""Replies end to end: a lead answers a reminder in plain words, confirms what the bot read, and
the chair accepts; the plan's RAG, timescale and history follow."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot.local.workspace import LocalSlack
from handlers import inbox as inbox_handler
from store.models import Action, Inbox, ProgressUpdate, RagChange, RagProposal, TimescaleChange
from tests.e2e.test_reminders import at, person_for, reminders_to, tick


@pytest.fixture
def lead(world: LocalSlack):
    world.add_lead_users()
    icrt = person_for(world, "Service Manager - ICRT")
    tick(world, at(date(2018, 11, 23), 9, 5))  # 5.4 is due in 7 days: a reminder
    world.clock.set(at(date(2018, 11, 23), 10, 0))
    return icrt


def _dm(world, user):
    return world.double.dm_channel(user)


def _replies(world, user, ts):
    """The bot's messages in a thread of the user's DM."""
    return [m for m in world.double.thread(_dm(world, user), ts)[1:] if m.get("bot_id")]


def _element(message, action_id, value=None):
    return next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id and (value is None or e.get("value") == value)
    )


def _action(world, ref):
    with Session(world.engine) as session:
        return session.exec(select(Action).where(Action.ref == ref)).one()


def _click(world, user, message, action_id, value=None, option=None):
    element = _element(message, action_id, value)
    item = {
        "channel": message.get("channel") or _dm(world, user),
        "ts": message["ts"],
        "thread_ts": message.get("thread_ts"),
    }
    chosen = None
    if option is not None:
        chosen = next(o for o in element["options"] if o["value"].endswith(option))
    return world.click(user, element, item, option=chosen)


def test_reply_confirm_accept_changes_the_rag_with_history(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    world.say(
        lead.user_id, "Slipped — awaiting sign-off, now expected 31/12/18", thread_ts=reminder["ts"]
    )
    [echo] = _replies(world, lead.user_id, reminder["ts"])
    assert "5.4" in echo["text"]
    shown = str(echo["blocks"])
    assert "Amber" in shown and "31 Dec 2018" in shown
    assert _action(world, "5.4").rag == "unrated"  # nothing changes before the lead confirms
    _click(world, lead.user_id, echo, "proposal_confirm")
    said = _replies(world, lead.user_id, reminder["ts"])[-1]
    assert "gone to the chair" in said["text"]
    approver_dm = world.double.messages(_dm(world, world.admin.user_id))
    [request] = [m for m in approver_dm if m["text"].startswith("Action 5.4")]
    _click(world, world.admin.user_id, request, "proposal_accept")
    action = _action(world, "5.4")
    assert action.rag == "amber"
    assert action.timescale == date(2018, 12, 31)
    assert action.original_timescale == date(2018, 11, 30)
    with Session(world.engine) as session:
        [change] = session.exec(select(RagChange).where(RagChange.action_id == action.id)).all()
        assert (change.from_rag, change.to_rag, change.by) == (
            "unrated",
            "amber",
            world.admin.user_id,
        )
        assert change.proposal_id is not None
        assert session.exec(
            select(TimescaleChange).where(TimescaleChange.action_id == action.id)
        ).one()
    notice = _replies(world, lead.user_id, reminder["ts"])[-1]
    assert "accepted" in notice["text"]
    # The approver's message now says who decided, with no buttons left.
    [decided] = [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["ts"] == request["ts"]
    ]
    assert "accepted" in decided["text"] and not any(
        b["type"] == "actions" for b in decided["blocks"]
    )
    world.new_items()
    world.command(lead.user_id, "status 5.4")
    [answer] = [i for i in world.new_items() if i["kind"] == "response"]
    assert "Slipped" in str(answer["blocks"]) and "Amber" in str(answer["blocks"])


def test_return_with_a_reason_reaches_the_lead(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    world.say(
        lead.user_id,
        "All done and signed off, evidence at https://intranet/audit.pdf",
        thread_ts=reminder["ts"],
    )
    [echo] = _replies(world, lead.user_id, reminder["ts"])
    _click(world, lead.user_id, echo, "proposal_confirm")
    [request] = [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith("Action 5.4")
    ]
    with Session(world.engine) as session:
        proposal = session.exec(select(RagProposal)).one()
    request_ = world.requests.view_submission(
        world.admin.user_id,
        "proposal_return_reason",
        {
            "reason": {
                "reason_text": {
                    "type": "plain_text_input",
                    "value": "Audit not yet reported to SLT",
                }
            }
        },
        private_metadata=str(proposal.id),
    )
    assert request_.dispatch(world.app).status == 200
    notice = _replies(world, lead.user_id, reminder["ts"])[-1]
    assert "returned" in notice["text"] and "Audit not yet reported" in notice["text"]
    assert _action(world, "5.4").rag == "unrated"


def test_completed_without_evidence_waits_for_it(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    _click(world, lead.user_id, reminder, "reminder_completed", "5.4")
    said = _replies(world, lead.user_id, reminder["ts"])[-1]
    assert "evidence pending" in said["text"]
    assert not [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith("Action 5.4")
    ]
    world.say(
        lead.user_id,
        "Evidence is on the shared drive: https://intranet/icrt-review",
        thread_ts=reminder["ts"],
    )
    echo = _replies(world, lead.user_id, reminder["ts"])[-1]
    _click(world, lead.user_id, echo, "proposal_confirm")
    assert [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith("Action 5.4")
    ]


def test_on_track_button_goes_to_the_chair(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    _click(world, lead.user_id, reminder, "reminder_on_track", "5.4")
    assert "gone to the chair" in _replies(world, lead.user_id, reminder["ts"])[-1]["text"]
    with Session(world.engine) as session:
        [update] = session.exec(
            select(ProgressUpdate).where(ProgressUpdate.source == "button")
        ).all()
        assert update.text == "On track"


def test_change_rag_and_not_this_action(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    world.say(lead.user_id, "On track, practice guides out next week", thread_ts=reminder["ts"])
    [echo] = _replies(world, lead.user_id, reminder["ts"])
    _click(world, lead.user_id, echo, "proposal_change_rag", option="amber")
    with Session(world.engine) as session:
        assert session.exec(select(RagProposal)).one().proposed_rag == "amber"  # still to confirm
    _click(world, lead.user_id, echo, "proposal_not_this")
    question = _replies(world, lead.user_id, reminder["ts"])[-1]
    assert "taken that update off 5.4" in question["text"] or "5.4" in str(question["blocks"])
    with Session(world.engine) as session:
        assert session.exec(select(RagProposal)).one().status == "withdrawn"
        assert (
            session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply"))
            .one()
            .retracted_at
        )


def test_a_new_dm_without_an_action_gets_a_question_then_the_answer_applies(world, lead):
    world.say(lead.user_id, "Guides are with the printers, should be fine")
    top = world.double.messages(_dm(world, lead.user_id))[-1]
    [question] = _replies(world, lead.user_id, top["ts"])
    assert "Which action" in question["text"]
    world.say(lead.user_id, "5.3", thread_ts=top["ts"])
    echo = _replies(world, lead.user_id, top["ts"])[-1]
    assert "5.3" in echo["text"] and "printers" in str(echo["blocks"])


def test_someone_who_does_not_lead_is_told_who_does(world, lead):
    other = person_for(world, "Principal Social Worker")
    world.say(other.user_id, "5.4 is on track")
    top = world.double.messages(_dm(world, other.user_id))[-1]
    [answer] = _replies(world, other.user_id, top["ts"])
    assert "Only the leads of action 5.4" in answer["text"]
    with Session(world.engine) as session:
        assert (
            session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply")).all() == []
        )


def test_a_retried_event_is_processed_once(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    message = world.double.user_says(
        lead.user_id, "Delayed — new date: 31/01/19", thread_ts=reminder["ts"]
    )
    request = world.requests.message(
        lead.user_id,
        message["channel"],
        message["text"],
        message["ts"],
        thread_ts=reminder["ts"],
        event_id="Ev0RETRY1",
    )
    assert request.dispatch(world.app).status == 200
    retry = world.requests.message(
        lead.user_id,
        message["channel"],
        message["text"],
        message["ts"],
        thread_ts=reminder["ts"],
        event_id="Ev0RETRY1",
        retry_num=1,
    )
    assert retry.dispatch(world.app).status == 200
    assert len(_replies(world, lead.user_id, reminder["ts"])) == 1
    with Session(world.engine) as session:
        assert (
            len(session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply")).all())
            == 1
        )


def test_a_crash_between_storing_and_processing_is_redriven(world, lead, monkeypatch):
    [reminder] = reminders_to(world, lead.user_id)
    monkeypatch.setattr(world.deps.background, "submit", lambda *a, **k: None)  # dies after storing
    world.say(lead.user_id, "On track", thread_ts=reminder["ts"])
    assert _replies(world, lead.user_id, reminder["ts"]) == []
    monkeypatch.undo()
    world.clock.advance(__import__("datetime").timedelta(minutes=5))
    assert inbox_handler.redrive(world.deps) == 1
    assert len(_replies(world, lead.user_id, reminder["ts"])) == 1
    with Session(world.engine) as session:
        assert {i.status for i in session.exec(select(Inbox))} == {"done"}


def test_edit_amends_and_delete_retracts(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    dm = _dm(world, lead.user_id)
    message = world.double.user_says(lead.user_id, "On track", thread_ts=reminder["ts"])
    world.requests.message(
        lead.user_id, dm, "On track", message["ts"], thread_ts=reminder["ts"]
    ).dispatch(world.app)
    [first_echo] = _replies(world, lead.user_id, reminder["ts"])
    assert "Green" in str(first_echo["blocks"])
    world.double.edit_message(dm, message["ts"], "Behind — slip to February 2019")
    world.requests.message_changed(
        dm,
        message["ts"],
        "Behind — slip to February 2019",
        user_id=lead.user_id,
        previous_text="On track",
        thread_ts=reminder["ts"],
    ).dispatch(world.app)
    with Session(world.engine) as session:
        update = session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply")).one()
        assert update.text.startswith("Behind") and update.edited_at is not None
        proposals = session.exec(select(RagProposal).order_by(RagProposal.id)).all()
        assert [p.status for p in proposals] == ["withdrawn", "unconfirmed"]
        assert proposals[-1].proposed_rag == "amber"
        assert proposals[-1].revised_timescale == date(2019, 2, 28)
    world.double.delete_message(dm, message["ts"])
    world.requests.message_deleted(
        dm,
        message["ts"],
        user_id=lead.user_id,
        previous_text="Behind — slip to February 2019",
        thread_ts=reminder["ts"],
    ).dispatch(world.app)
    with Session(world.engine) as session:
        assert (
            session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply"))
            .one()
            .retracted_at
        )
        assert {p.status for p in session.exec(select(RagProposal))} == {"withdrawn"}
    assert "withdrawn" in _replies(world, lead.user_id, reminder["ts"])[-1]["text"]


def test_plan_update_command_is_read_as_a_reply(world, lead):
    world.new_items()
    assert world.command(lead.user_id, "update 5.4 slipped, now expected 31/01/19") == 200
    [answer] = [i for i in world.new_items() if i["kind"] == "response"]
    assert "sent you what I understood" in str(answer)
    echo = world.double.messages(_dm(world, lead.user_id))[-1]
    assert "5.4" in echo["text"] and "31 Jan 2019" in str(echo["blocks"])
    _click(world, lead.user_id, echo, "proposal_confirm")
    assert [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith("Action 5.4")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("update", "needs an action number first"),
        ("update 5.4", "Say what has happened on 5.4"),
        ("update banana on track", "is not an action number"),
        ("updat 5.4 on track", "Did you mean `/plan update`?"),
    ],
)
def test_plan_update_bad_input_gets_a_clear_answer(world, lead, text, expected):
    world.new_items()
    world.command(lead.user_id, text)
    [answer] = [i for i in world.new_items() if i["kind"] == "response"]
    assert expected in str(answer)
    with Session(world.engine) as session:
        assert (
            session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "command")).all()
            == []
        )


def test_add_update_modal_opens_and_its_answer_goes_to_the_chair(world, lead):
    import json as _json

    [reminder] = reminders_to(world, lead.user_id)
    _click(world, lead.user_id, reminder, "reminder_add_update", "5.4")
    [opened] = [i for i in world.new_items() if i["kind"] == "view"]
    view = opened["view"]
    assert view["callback_id"] == "reminder_add_update_modal"
    assert _json.loads(view["private_metadata"])["ref"] == "5.4"
    # An empty update is refused beside its field, and changes nothing.
    empty = world.requests.view_submission(
        lead.user_id,
        view["callback_id"],
        {"update": {"update_text": {"type": "plain_text_input", "value": "  "}}},
        private_metadata=view["private_metadata"],
    )
    response = empty.dispatch(world.app)
    assert response.status == 200 and "errors" in response.body
    submitted = world.requests.view_submission(
        lead.user_id,
        view["callback_id"],
        {
            "update": {
                "update_text": {"type": "plain_text_input", "value": "Files in 3 of 5 teams"}
            },
            "rag": {"rag_choice": {"type": "static_select", "selected_option": {"value": "amber"}}},
            "timescale": {
                "revised_timescale": {"type": "datepicker", "selected_date": "2018-12-21"}
            },
        },
        private_metadata=view["private_metadata"],
    )
    assert submitted.dispatch(world.app).status == 200
    [request] = [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith("Action 5.4")
    ]
    assert "21 Dec 2018" in str(request["blocks"]) and "Amber" in str(request["blocks"])


def _requests_for(world, ref):
    return [
        m
        for m in world.double.messages(_dm(world, world.admin.user_id))
        if m["text"].startswith(f"Action {ref}")
    ]


def test_a_newer_answer_replaces_the_one_with_the_chair(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    _click(world, lead.user_id, reminder, "reminder_on_track", "5.4")
    _click(world, lead.user_id, reminder, "reminder_delayed", "5.4")
    first, second = _requests_for(world, "5.4")
    assert "withdrawn" in first["text"] and not any(b["type"] == "actions" for b in first["blocks"])
    assert "Amber" in str(second["blocks"])
    _click(world, world.admin.user_id, second, "proposal_accept")
    assert _action(world, "5.4").rag == "amber"
    with Session(world.engine) as session:
        statuses = [p.status for p in session.exec(select(RagProposal).order_by(RagProposal.id))]
    assert statuses == ["withdrawn", "accepted"]


def test_changing_the_rag_or_editing_after_confirm_reaches_the_chair(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    dm = _dm(world, lead.user_id)
    message = world.double.user_says(lead.user_id, "On track", thread_ts=reminder["ts"])
    world.requests.message(
        lead.user_id, dm, "On track", message["ts"], thread_ts=reminder["ts"]
    ).dispatch(world.app)
    [echo] = _replies(world, lead.user_id, reminder["ts"])
    _click(world, lead.user_id, echo, "proposal_confirm")
    _click(world, lead.user_id, echo, "proposal_change_rag", option="amber")
    first, second = _requests_for(world, "5.4")
    assert "withdrawn" in first["text"]  # the Green the chair had is gone
    assert "Amber" in str(second["blocks"])  # the lead's choice from the menu went on
    world.double.edit_message(dm, message["ts"], "Stalled, off track")
    world.requests.message_changed(
        dm,
        message["ts"],
        "Stalled, off track",
        user_id=lead.user_id,
        previous_text="On track",
        thread_ts=reminder["ts"],
    ).dispatch(world.app)
    assert all("withdrawn" in m["text"] for m in _requests_for(world, "5.4"))
    with Session(world.engine) as session:
        live = [p for p in session.exec(select(RagProposal)) if p.status != "withdrawn"]
    assert [(p.status, p.proposed_rag) for p in live] == [("unconfirmed", "red")]


def test_a_reply_about_too_many_actions_is_refused_and_records_nothing(world, lead):
    refs = " ".join(f"{n}.1" for n in range(1, 16)) + " " + " ".join(f"{n}.2" for n in range(1, 10))
    world.say(world.admin.user_id, f"{refs} all on track")
    top = world.double.messages(_dm(world, world.admin.user_id))[-1]
    [answer] = _replies(world, world.admin.user_id, top["ts"])
    assert "I take at most 20" in answer["text"]
    with Session(world.engine) as session:
        assert (
            session.exec(select(ProgressUpdate).where(ProgressUpdate.source == "reply")).all() == []
        )


def test_control_characters_never_reach_the_plan(world, lead):
    [reminder] = reminders_to(world, lead.user_id)
    world.say(lead.user_id, "On\x00 track\x1b[31m, files\x07 in", thread_ts=reminder["ts"])
    with Session(world.engine) as session:
        [update] = session.exec(
            select(ProgressUpdate).where(ProgressUpdate.source == "reply")
        ).all()
    assert update.text == "On track[31m, files in"
