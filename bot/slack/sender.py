"""Sending what the outbox holds, exactly once, within Slack's rate limits.

Each row is claimed in the database before it is sent, so two processes never send the same
message. When an earlier attempt may have posted it (the connection dropped after Slack took the
request, or a process died mid-send), the conversation is searched for the message's metadata
before anything is sent again: Slack's chat.postMessage is not idempotent, and a blind resend
would post twice (https://docs.slack.dev/messaging/message-metadata).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.slack.pacing import Pacer
from store import outbox, people
from store.engine import transaction
from store.outbox import Claimed

log = logging.getLogger(__name__)

# Slack's answers that mean this person or channel cannot be written to: retrying cannot help,
# the admins are told instead (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "account_inactive",
        "is_archived",
        "not_in_channel",
        "restricted_action",
        "users_not_found",
    }
)
# Slack refused the blocks themselves: the text alone still carries the message.
REFUSED_BLOCKS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"})
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
MAX_ATTEMPTS = 6
# The loop's own messages: reminders, alerts, answers to leads, requests to approvers. The
# digest sends its rows itself (bot/slack/digest_post.py), with its fallbacks and its thread.
LOOP_KINDS = ("reminder", "unreachable", "escalation", "answer", "approval")
METADATA_TYPE = "planbot_message"


@dataclass
class Delivery:
    """What one pass over the outbox did."""

    sent: list[str] = field(default_factory=list)
    found_posted: list[str] = field(default_factory=list)
    unreachable: list[tuple[str, str]] = field(default_factory=list)
    retry_later: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        if self.found_posted:
            parts.append(f"{len(self.found_posted)} found already posted")
        if self.unreachable:
            parts.append(f"{len(self.unreachable)} unreachable")
        if self.retry_later:
            parts.append(f"{len(self.retry_later)} to retry")
        return ", ".join(parts)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … at most 10 minutes: bounded, so a Slack outage is ridden out."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 600))


def retry_wait(exc: SlackApiError, attempts: int) -> timedelta:
    """How long a refused post waits: Slack's Retry-After when it gave one, else the backoff."""
    retry_after = (exc.response.headers or {}).get("Retry-After")
    return timedelta(seconds=int(retry_after)) if retry_after else backoff(attempts)


def deliver(
    deps: Deps,
    *,
    kinds: tuple[str, ...] | None = None,
    pacer: Pacer | None = None,
    sender_id: str | None = None,
) -> Delivery:
    """Send every planned message that is due now; safe to run in several processes at once."""
    sender = sender_id or f"sender-{uuid.uuid4().hex[:12]}"
    result = Delivery()
    with Session(deps.engine) as session:
        row_ids = outbox.due_ids(session=session, now=deps.clock.now(), kinds=kinds)
    for row_id in row_ids:
        if pacer is not None:
            # Wait before claiming, not after: a lease starts when its send can start, so a
            # long fan-out never holds rows whose leases ran out while they queued.
            pacer.wait()
        claimed = outbox.claim(
            engine=deps.engine, row_id=row_id, sender=sender, now=deps.clock.now()
        )
        if claimed is None:
            continue  # another process has it, or sent it meanwhile
        _deliver_one(deps, claimed, sender, result)
    return result


def _deliver_one(deps: Deps, row: Claimed, sender: str, result: Delivery) -> None:
    client, engine, now = deps.client, deps.engine, deps.clock.now()
    channel = row.channel or _known_dm(deps, row.recipient)
    try:
        if row.retried:
            channel = channel or _open_dm(deps, row.recipient)
            posted = find_posted(client, channel, row) if channel else None
            if posted:
                outbox.mark_sent(
                    engine=engine, row_id=row.id, sender=sender, channel=channel, ts=posted, at=now
                )
                result.found_posted.append(row.key)
                return
        response = _post(client, channel or row.recipient, row)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        if error in UNREACHABLE:
            outbox.mark_failed(engine=engine, row_id=row.id, sender=sender, error=error)
            _remember(deps, row.recipient, unreachable=error)
            result.unreachable.append((row.key, error))
            return
        wait = retry_wait(exc, row.attempts)
        if exc.response.status_code == 429:
            # Slack refused before posting: not an attempt that may have posted, nor one that
            # counts towards giving up; the row waits out Retry-After and goes again.
            outbox.release(
                engine=engine,
                row_id=row.id,
                sender=sender,
                error="ratelimited",
                not_before=now + wait,
                channel=channel,
                refund=True,
            )
            result.retry_later.append((row.key, "ratelimited"))
            return
        if (
            exc.response.status_code != 429
            and error not in TRANSIENT
            and (exc.response.status_code < 500)
        ):
            # Slack refused this message for a reason retrying cannot mend (a bug of ours).
            log.error("Slack refused outbox message %s: %s", row.key, error)
            outbox.mark_failed(engine=engine, row_id=row.id, sender=sender, error=error)
            result.unreachable.append((row.key, error))
            return
        _retry_or_give_up(deps, row, sender, error, wait, channel, result)
        return
    except (URLError, ConnectionError, TimeoutError, OSError) as exc:
        # The request may or may not have reached Slack: the next attempt looks before it posts.
        _retry_or_give_up(
            deps, row, sender, f"connection: {exc}", backoff(row.attempts), channel, result
        )
        return
    posted_channel, ts = response["channel"], response["ts"]
    if not outbox.mark_sent(
        engine=engine, row_id=row.id, sender=sender, channel=posted_channel, ts=ts, at=now
    ):
        # Our lease ran out mid-send and another sender took the row over: it looks in the
        # conversation before posting, so it finds this message; record nothing twice.
        log.warning(
            "outbox message %s: lease lost while sending; the other sender records it", row.key
        )
        return
    if row.recipient.startswith(("U", "W")):
        _remember(deps, row.recipient, dm_channel=posted_channel)
    result.sent.append(row.key)


def _retry_or_give_up(
    deps: Deps,
    row: Claimed,
    sender: str,
    error: str,
    wait: timedelta,
    channel: str | None,
    result: Delivery,
) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        log.error(
            "giving up on outbox message %s after %s attempts: %s", row.key, row.attempts, error
        )
        outbox.mark_failed(
            engine=deps.engine, row_id=row.id, sender=sender, error=f"gave up: {error}"
        )
        result.unreachable.append((row.key, error))
        return
    outbox.release(
        engine=deps.engine,
        row_id=row.id,
        sender=sender,
        error=error,
        not_before=deps.clock.now() + wait,
        channel=channel,
    )
    result.retry_later.append((row.key, error))


def _post(client: WebClient, channel: str, row: Claimed) -> dict:
    payload = row.payload
    metadata = dict(payload.get("metadata") or {"event_type": METADATA_TYPE, "event_payload": {}})
    metadata["event_payload"] = {**metadata.get("event_payload", {}), "outbox_key": row.key}
    kwargs = {"channel": channel, "text": payload.get("text", ""), "metadata": metadata}
    if payload.get("thread_ts"):
        kwargs["thread_ts"] = payload["thread_ts"]
    try:
        return client.chat_postMessage(blocks=payload.get("blocks"), **kwargs).data
    except SlackApiError as exc:
        if exc.response.get("error") not in REFUSED_BLOCKS or not payload.get("blocks"):
            raise
        log.warning("Slack refused the blocks of %s; sending its text", row.key)
        return client.chat_postMessage(**kwargs).data


def find_posted(client: WebClient, channel: str, row: Claimed) -> str | None:
    """The ts of this row's message if an earlier attempt posted it, else None."""
    # Slack's history is newest first; the message cannot be older than the row itself (a
    # minute's margin for clocks).
    oldest = f"{(row.created_at - timedelta(minutes=1)).timestamp():.6f}"
    thread_ts = row.payload.get("thread_ts")
    cursor = None
    while True:
        if thread_ts:
            # A reply in a thread is not in the conversation's history, only in the thread's.
            page = client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                oldest=oldest,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
        else:
            page = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
        for message in page.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_key") == row.key:
                return message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _known_dm(deps: Deps, user_id: str) -> str | None:
    if not user_id.startswith(("U", "W")):
        return user_id  # a channel
    with Session(deps.engine) as session:
        known = people.facts(session=session, user_ids=[user_id]).get(user_id)
    return known.dm_channel if known else None


def _open_dm(deps: Deps, user_id: str) -> str | None:
    """The DM's channel id, opened once and remembered (conversations.open is Tier 3)."""
    response = deps.client.conversations_open(users=user_id)
    channel = response["channel"]["id"]
    _remember(deps, user_id, dm_channel=channel)
    return channel


def _remember(deps: Deps, user_id: str, **values: str | None) -> None:
    with transaction(deps.engine) as session:
        people.remember(session=session, user_id=user_id, at=deps.clock.now(), **values)
