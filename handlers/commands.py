"""`/plan`: acknowledge at once, then answer ephemerally through the command's response_url."""

from __future__ import annotations

import hashlib
import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import local_date
from bot.deps import Deps
from bot.digest.text import digest_text
from bot.plan.permissions import refusal
from bot.replies.service import may_update
from bot.slack.blocks import Answer
from bot.slack.respond import answer_privately
from bot.status import grammar
from bot.status.service import answer_command
from handlers import inbox

log = logging.getLogger(__name__)

SLASH_COMMANDS = ("/plan",)
UNAVAILABLE = "Sorry, I couldn't read the plan just now. Please try again in a minute."


def register(app: App, deps: Deps) -> None:
    def plan_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        ack()
        deps.background.submit(answer_plan_command, deps, command, respond, client)

    for name in SLASH_COMMANDS:
        app.command(name)(plan_command)


def answer_plan_command(deps: Deps, command: dict, respond: Respond, client: WebClient) -> None:
    """Answer `/plan …` to the person who asked, after the ack."""
    text = command.get("text", "")
    user = command.get("user_id")
    if not user:
        return  # not a person's command: nothing to answer, nobody to answer
    parsed = grammar.parse(text)
    if isinstance(parsed, grammar.Update):
        refused = may_update(
            engine=deps.engine, settings=deps.settings, ref=str(parsed.ref), user=user
        )
        if refused:
            answer_privately(respond, client, user, Answer.message(refused))
            return
        _update(deps, command, parsed)
        answer = Answer.message(
            f"Thanks — I've sent you what I understood of your update on {parsed.ref} in our "
            "DM, to confirm."
        )
        answer_privately(respond, client, user, answer)
        return
    if isinstance(parsed, grammar.DigestRequest):
        answer_privately(respond, client, user, _digest(deps, user, parsed))
        return
    if isinstance(parsed, grammar.Export):
        answer = _export(deps, user, client)
        answer_privately(respond, client, user, answer)
        return
    tz = deps.settings.planbot_timezone
    try:
        answer = answer_command(
            engine=deps.engine,
            settings=deps.settings,
            user=user,
            text=text,
            today=local_date(deps.clock, tz),
            now=deps.clock.now(),
            cache=deps.plan_cache,
        )
    except SQLAlchemyError:
        log.exception("/plan %r failed on the database", text)
        answer = Answer.message(UNAVAILABLE)
    answer_privately(respond, client, user, answer)


def _update(deps: Deps, command: dict, parsed: grammar.Update) -> None:
    """`/plan update 7.3 …`: a reply about 7.3, answered in the person's DM with the bot."""
    user = command["user_id"]
    # Slack gives every command a trigger id; without one (a hand-made request) the words stand in.
    identity = (
        command.get("trigger_id")
        or hashlib.sha1(f"{command.get('channel_id')}{user}{parsed.text}".encode()).hexdigest()[:16]
    )
    incoming = {
        "user": user,
        "channel": user,  # a DM with the bot: chat.postMessage to a user's id opens it
        "ts": f"command:{identity}",
        "thread_ts": None,
        # Named first, so the reply is read as about that action.
        "text": f"{parsed.ref} {parsed.text}",
        "files": 0,
        "source": "command",
    }
    inbox.accept(deps, key=f"command:{identity}", kind="message", payload=incoming)


def _export(deps: Deps, user: str, client: WebClient) -> Answer:
    """`/plan export`: the workbook, uploaded into the admin's DM (files upload v2)."""
    if user not in deps.settings.planbot_admins:
        return Answer.message(refusal("admins", "export"))
    from bot.status.service import export_workbook

    name, content = export_workbook(
        engine=deps.engine, settings=deps.settings, now=deps.clock.now()
    )
    try:
        dm = client.conversations_open(users=user)["channel"]["id"]
        client.files_upload_v2(
            channel=dm,
            file=content,
            filename=name,
            title=name,
            initial_comment="The plan, with its whole history, in its own layout.",
        )
    except SlackApiError as exc:
        log.error("could not send the export to %s: %s", user, exc.response.get("error"))
        return Answer.message(
            "Sorry, I couldn't send the workbook just now; try again in a minute."
        )
    return Answer.message(f"I've sent you `{name}` in our DM.")


def _digest(deps: Deps, user: str, asked: grammar.DigestRequest) -> Answer:
    """`/plan digest`: this week's digest, previewed for the caller; `post`: posted now (admins)."""
    from bot.digest.service import NoPlan, build_digest, prepare_post
    from bot.slack.digest_post import NoCommitteeChannel, post_digest

    if asked.post:
        if user not in deps.settings.planbot_admins:
            return Answer.message(refusal("admins", "digest post"))
        try:
            return Answer.message(post_digest(deps, resend=True).summary())
        except NoCommitteeChannel:
            return Answer.message(
                "There is no committee channel to post to: set PLANBOT_COMMITTEE_CHANNEL."
            )
    today = local_date(deps.clock, deps.settings.planbot_timezone)
    try:
        digest = build_digest(engine=deps.engine, settings=deps.settings, today=today)
    except NoPlan:
        return Answer.message(
            "The plan has no priorities yet: an admin loads one with `planbot init`."
        )
    prepared = prepare_post(digest, chart=False)
    top = prepared.top
    return Answer(top.blocks, lambda: digest_text(digest))
