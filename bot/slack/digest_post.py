"""Posting the committee digest: the top message, its thread, and the chart, once a week.

One digest per channel per ISO week. The top message is an outbox row keyed
"digest:{channel}:{week}", claimed before it is posted (so two processes never both post it) and
tagged with its key in the message's metadata (so an attempt whose answer was lost is found in
the channel's history, not posted again: https://docs.slack.dev/messaging/message-metadata).
Each thread reply is a row of its own ("…:reply:N"), found in the thread the same way. A second
trigger the same week updates the posted messages with chat.update instead of posting again
(https://docs.slack.dev/reference/methods/chat.update).

A table block Slack refuses is sent again with the table as preformatted text, then as text
alone. The chart goes into the thread with files upload v2
(https://docs.slack.dev/changelog/2024-04-a-better-way-to-upload-files-is-here-to-stay); a failed
upload is reported and tried again at the next trigger, never holding back the digest. A channel
Slack will not let the bot write to (not_in_channel, is_archived, channel_not_found) is told to
the admins by DM and the digest kept: `/plan digest post` (or `planbot digest --post`) resends it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.error import URLError
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.clock import local_date
from bot.deps import Deps
from bot.digest.messages import DigestMessage, PreparedDigest
from bot.digest.schedule import digest_due, outbox_key
from bot.digest.service import build_digest, freeze_months, prepare_post
from bot.plan.timing import local_day
from bot.slack.blocks import escape
from bot.slack.sender import REFUSED_BLOCKS, backoff, deliver, find_posted, retry_wait
from store import digest as digest_store
from store import outbox
from store.engine import transaction
from store.outbox import Claimed

log = logging.getLogger(__name__)

# Slack's answers meaning the bot cannot write to the channel: retrying cannot help, the admins
# can (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
CHANNEL_ERRORS = frozenset({"not_in_channel", "is_archived", "channel_not_found"})
# Slack's answers meaning the message to update is gone: the digest is posted afresh.
GONE = frozenset({"message_not_found", "cant_update_message"})
KIND = "digest"
REPLY_KIND = "digest_reply"
CHART_KIND = "digest_chart"
ALERT_KIND = "digest_alert"


class NoCommitteeChannel(Exception):
    """PLANBOT_COMMITTEE_CHANNEL is not set."""


@dataclass
class DigestPosted:
    """What posting the digest did."""

    channel: str
    week: str
    ts: str | None = None
    updated: bool = False  # this week's digest was posted before, and is now updated
    replies: int = 0
    chart: str = "not sent"  # uploaded, already in the thread, failed: …, not sent
    fallback: bool = False  # Slack refused a table block: preformatted text was sent instead
    error: str | None = None  # why the top message is not (yet) in the channel
    busy: bool = False  # another process is posting it right now
    frozen: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.busy

    def summary(self) -> str:
        where = f"digest {self.week} in {self.channel}"
        if self.busy:
            return f"{where}: another process is posting it"
        if self.error:
            return f"{where} not posted: {self.error}"
        parts = [f"{where} {'updated' if self.updated else 'posted'}"]
        parts.append(f"{self.replies} thread replies")
        parts.append(f"chart {self.chart}")
        if self.fallback:
            parts.append("tables sent as text")
        if self.frozen:
            parts.append(f"froze {', '.join(self.frozen)}")
        return "; ".join(parts)


def post_digest(
    deps: Deps,
    *,
    today: date | None = None,
    channel: str | None = None,
    resend: bool = True,
    prepared: PreparedDigest | None = None,
) -> DigestPosted:
    """Post this week's digest to the committee channel, or update it if it was posted already.

    `resend`: a digest kept after a channel error is sent again (an admin asked); the scheduled
    tick passes False, so that it does not knock on a closed door every few minutes.
    """
    settings = deps.settings
    channel = channel or settings.planbot_committee_channel
    if not channel:
        raise NoCommitteeChannel(
            "PLANBOT_COMMITTEE_CHANNEL is not set: set it to the committee channel's id (C…)."
        )
    now = deps.clock.now()
    today = today or local_date(deps.clock, settings.planbot_timezone)
    frozen = freeze_months(engine=deps.engine, settings=settings, today=today, now=now)
    if prepared is None:
        digest = build_digest(engine=deps.engine, settings=settings, today=today)
        prepared = prepare_post(digest)
    key = outbox_key(channel, today)
    result = DigestPosted(channel=channel, week=prepared.week, frozen=frozen)
    payload = _payload(prepared.top, prepared.metadata)
    with transaction(deps.engine) as session:
        planned = outbox.insert_if_absent(
            session=session, key=key, kind=KIND, recipient=channel, payload=payload, at=now
        )
        if planned is None:
            digest_store.replan(session=session, key=key, payload=payload, resend_failed=resend)
        row = digest_store.outbox_row(session=session, key=key)
        row_id = planned or digest_store.outbox_id(session=session, key=key)
    if row.status == "sent":
        result.updated = True
        result.ts = row.ts
        channel_id = row.channel or channel
        if not _update_top(deps, channel_id, row.ts, prepared, key, result):
            return result
    elif row.status == "failed":
        result.error = f"kept after {row.error}; `/plan digest post` sends it again"
        return result
    else:
        sender = f"digest-{uuid.uuid4().hex[:12]}"
        claimed = outbox.claim(engine=deps.engine, row_id=row_id, sender=sender, now=now)
        if claimed is None:
            result.busy = True
            return result
        channel_id = _send_top(deps, claimed, sender, prepared, result)
        if channel_id is None:
            return result
    _send_thread(deps, channel_id, result.ts, key, prepared, result)
    _send_chart(deps, channel_id, result.ts, key, prepared, result)
    return result


def digest_job(deps: Deps, now: datetime) -> str:
    """Scheduler tick: post this week's digest once its day and time have come (plan time)."""
    settings = deps.settings
    channel = settings.planbot_committee_channel
    if not channel:
        return "no committee channel set"
    local = now.astimezone(ZoneInfo(settings.planbot_timezone))
    if not digest_due(local, settings.planbot_digest_day, settings.planbot_digest_time):
        return "the digest is not due yet this week"
    with Session(deps.engine) as session:
        row = digest_store.outbox_row(session=session, key=outbox_key(channel, local.date()))
    if row is not None and row.status in ("sent", "failed"):
        return f"this week's digest is {row.status}"
    return post_digest(deps, today=local.date(), resend=False).summary()


def snapshot_job(deps: Deps, now: datetime) -> str:
    """Scheduler tick: freeze every month that has ended (a missed one too)."""
    settings = deps.settings
    today = local_day(now, settings.planbot_timezone)
    months = freeze_months(engine=deps.engine, settings=settings, today=today, now=now)
    return f"froze {', '.join(months)}" if months else "no month to freeze"


# --- The top message ---------------------------------------------------------------------------


def _payload(message: DigestMessage, metadata: dict, thread_ts: str | None = None) -> dict:
    payload: dict[str, Any] = {**message.payload(), "metadata": metadata}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return payload


def _metadata(payload: dict, key: str) -> dict:
    metadata = dict(payload.get("metadata") or {"event_type": "planbot_digest"})
    metadata["event_payload"] = {**metadata.get("event_payload", {}), "outbox_key": key}
    return metadata


def _variants(payload: dict) -> list[list | None]:
    """The blocks to try in turn: as built, the tables as preformatted text, then none (text)."""
    variants: list[list | None] = [payload.get("blocks")]
    if payload.get("fallback_blocks"):
        variants.append(payload["fallback_blocks"])
    variants.append(None)
    return variants


def _post(client: WebClient, channel: str, payload: dict, key: str, result: DigestPosted) -> dict:
    """chat.postMessage, falling back to the preformatted tables, then to the text alone."""
    kwargs: dict[str, Any] = {
        "channel": channel,
        "text": payload.get("text", ""),
        "metadata": _metadata(payload, key),
    }
    if payload.get("thread_ts"):
        kwargs["thread_ts"] = payload["thread_ts"]
    variants = _variants(payload)
    for n, blocks in enumerate(variants):
        try:
            return client.chat_postMessage(blocks=blocks, **kwargs).data
        except SlackApiError as exc:
            if exc.response.get("error") not in REFUSED_BLOCKS or n == len(variants) - 1:
                raise
            log.warning("Slack refused the blocks of %s (%s)", key, exc.response.get("error"))
            result.fallback = True
    raise AssertionError("unreachable")


def _update(
    client: WebClient, channel: str, ts: str, payload: dict, key: str, result: DigestPosted
) -> None:
    """chat.update with the same fallbacks as a post."""
    variants = _variants(payload)
    for n, blocks in enumerate(variants):
        try:
            client.chat_update(
                channel=channel,
                ts=ts,
                text=payload.get("text", ""),
                # An empty list removes the old blocks; None would keep them.
                blocks=blocks if blocks is not None else [],
                metadata=_metadata(payload, key),
            )
            return
        except SlackApiError as exc:
            if exc.response.get("error") not in REFUSED_BLOCKS or n == len(variants) - 1:
                raise
            result.fallback = True


def _send_top(
    deps: Deps, row: Claimed, sender: str, prepared: PreparedDigest, result: DigestPosted
) -> str | None:
    """Post the claimed top message; its channel id, or None when it is not in the channel."""
    engine, now, client = deps.engine, deps.clock.now(), deps.client
    try:
        if row.retried:
            # An earlier attempt may have posted it before its answer was lost: look first.
            found = find_posted(client, row.recipient, row)
            if found:
                outbox.mark_sent(
                    engine=engine,
                    row_id=row.id,
                    sender=sender,
                    channel=row.recipient,
                    ts=found,
                    at=now,
                )
                result.ts = found
                return row.recipient
        if deps.pacer is not None:
            deps.pacer.wait()
        response = _post(client, row.recipient, row.payload, row.key, result)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        if error in CHANNEL_ERRORS:
            outbox.mark_failed(engine=engine, row_id=row.id, sender=sender, error=error)
            _alert_admins(deps, row.recipient, prepared.week, error)
            result.error = f"{error}; the admins were told and the digest is kept for a resend"
            return None
        _release(deps, row, sender, error, exc)
        result.error = f"{error}; it will be tried again"
        return None
    except (URLError, ConnectionError, TimeoutError, OSError) as exc:
        outbox.release(
            engine=engine,
            row_id=row.id,
            sender=sender,
            error=f"connection: {exc}",
            not_before=now + backoff(row.attempts),
        )
        result.error = f"connection: {exc}; it will be tried again"
        return None
    channel, ts = response["channel"], response["ts"]
    outbox.mark_sent(engine=engine, row_id=row.id, sender=sender, channel=channel, ts=ts, at=now)
    result.ts = ts
    return channel


def _release(deps: Deps, row: Claimed, sender: str, error: str, exc: SlackApiError) -> None:
    wait = retry_wait(exc, row.attempts)
    log.warning("the digest %s was not posted (%s); trying again later", row.key, error)
    outbox.release(
        engine=deps.engine,
        row_id=row.id,
        sender=sender,
        error=error,
        not_before=deps.clock.now() + wait,
    )


def _update_top(
    deps: Deps, channel: str, ts: str, prepared: PreparedDigest, key: str, result: DigestPosted
) -> bool:
    """Update this week's posted top message; whether the thread should follow."""
    payload = _payload(prepared.top, prepared.metadata)
    try:
        _update(deps.client, channel, ts, payload, key, result)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        if error in CHANNEL_ERRORS:
            _alert_admins(deps, channel, prepared.week, error)
            result.error = f"{error}; the admins were told"
        elif error in GONE:
            # Someone deleted the posted digest: its key is freed, and the next trigger (or
            # this one's caller, trying again) posts it afresh.
            with Session(deps.engine) as session:
                thread = [
                    row.key
                    for row in outbox.rows(session=session, prefix=f"{key}:")
                    if ":replaced:" not in row.key
                ]
            with transaction(deps.engine) as session:
                for gone in [key, *thread]:
                    outbox.forget(session=session, key=gone)
            result.error = f"{error}: the posted digest was deleted; it is posted afresh next time"
        else:
            result.error = f"{error} while updating the posted digest"
        return False
    with transaction(deps.engine) as session:
        digest_store.set_sent_payload(session=session, key=key, payload=payload)
    return True


# --- The thread ----------------------------------------------------------------------------------


def _send_thread(
    deps: Deps,
    channel: str,
    thread_ts: str,
    key: str,
    prepared: PreparedDigest,
    result: DigestPosted,
) -> None:
    """Post (or update) each thread reply once; replies a longer earlier version had are removed."""
    now = deps.clock.now()
    for n, message in enumerate(prepared.thread):
        reply_key = f"{key}:reply:{n}"
        payload = _payload(message, prepared.metadata, thread_ts)
        with transaction(deps.engine) as session:
            planned = outbox.insert_if_absent(
                session=session,
                key=reply_key,
                kind=REPLY_KIND,
                recipient=channel,
                payload=payload,
                at=now,
            )
            if planned is None:
                digest_store.replan(
                    session=session, key=reply_key, payload=payload, resend_failed=True
                )
            row = digest_store.outbox_row(session=session, key=reply_key)
            row_id = planned or digest_store.outbox_id(session=session, key=reply_key)
        try:
            if row.status == "sent":
                _update(deps.client, row.channel or channel, row.ts, payload, reply_key, result)
                with transaction(deps.engine) as session:
                    digest_store.set_sent_payload(session=session, key=reply_key, payload=payload)
            elif not _send_reply(deps, row_id, channel, thread_ts, result):
                return  # the rest waits for the next trigger, in order
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("digest reply %s: %s", reply_key, error)
            if error in GONE:
                # Someone deleted this reply: the next trigger posts it afresh under its key.
                with transaction(deps.engine) as session:
                    outbox.forget(session=session, key=reply_key)
            return
        result.replies += 1
    _remove_surplus(deps, channel, key, len(prepared.thread))


def _send_reply(
    deps: Deps, row_id: int, channel: str, thread_ts: str, result: DigestPosted
) -> bool:
    sender = f"digest-{uuid.uuid4().hex[:12]}"
    now = deps.clock.now()
    row = outbox.claim(engine=deps.engine, row_id=row_id, sender=sender, now=now)
    if row is None:
        return False  # another process is posting the thread
    try:
        found = _find_reply(deps.client, channel, thread_ts, row.key) if row.retried else None
        if found is None:
            if deps.pacer is not None:
                deps.pacer.wait()
            found = _post(deps.client, channel, row.payload, row.key, result)["ts"]
    except SlackApiError as exc:
        _release(deps, row, sender, str(exc.response.get("error")), exc)
        return False
    except (URLError, ConnectionError, TimeoutError, OSError) as exc:
        outbox.release(
            engine=deps.engine,
            row_id=row.id,
            sender=sender,
            error=f"connection: {exc}",
            not_before=now + backoff(row.attempts),
        )
        return False
    outbox.mark_sent(
        engine=deps.engine, row_id=row.id, sender=sender, channel=channel, ts=found, at=now
    )
    return True


def _find_reply(client: WebClient, channel: str, thread_ts: str, key: str) -> str | None:
    """The ts of the reply tagged `key` in the thread, if an earlier attempt posted it."""
    cursor = None
    while True:
        page = client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor
        )
        for message in page.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_key") == key:
                return message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _remove_surplus(deps: Deps, channel: str, key: str, count: int) -> None:
    """Delete the replies of an earlier, longer version of this week's digest."""
    with Session(deps.engine) as session:
        rows = outbox.rows(session=session, prefix=f"{key}:reply:")
    for row in rows:
        n = row.key.removeprefix(f"{key}:reply:")
        if not n.isdigit() or int(n) < count or row.status != "sent":
            continue  # a reply still in use, or one replaced before ("…:replaced:id")
        try:
            deps.client.chat_delete(channel=row.channel or channel, ts=row.ts)
        except SlackApiError as exc:
            if exc.response.get("error") != "message_not_found":
                log.warning("could not remove digest reply %s: %s", row.key, exc)
                continue
        with transaction(deps.engine) as session:
            outbox.forget(session=session, key=row.key)


# --- The chart -----------------------------------------------------------------------------------


def _send_chart(
    deps: Deps,
    channel: str,
    thread_ts: str,
    key: str,
    prepared: PreparedDigest,
    result: DigestPosted,
) -> None:
    """Upload the chart into the thread once a week; a failure is reported, never raised."""
    chart_key = f"{key}:chart"
    if prepared.chart is None:
        result.chart = "not drawn"
        return
    with Session(deps.engine) as session:
        if digest_store.outbox_row(session=session, key=chart_key) is not None:
            result.chart = "already in the thread"
            return
    try:
        response = deps.client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file=prepared.chart,
            filename=prepared.chart_name,
            title=prepared.chart_title,
            alt_txt=prepared.chart_title[:1000],
        )
    except SlackApiError as exc:
        result.chart = f"failed: {exc.response.get('error')}; tried again at the next trigger"
        log.warning("digest chart upload failed: %s", exc.response.get("error"))
        return
    except (URLError, ConnectionError, TimeoutError, OSError) as exc:
        result.chart = f"failed: {exc}; tried again at the next trigger"
        return
    files = response.get("files") or [response.get("file") or {}]
    file_id = str((files[0] or {}).get("id") or "uploaded")
    with transaction(deps.engine) as session:
        digest_store.record_sent(
            session=session,
            key=chart_key,
            kind=CHART_KIND,
            recipient=channel,
            channel=channel,
            ts=f"file:{file_id}",
            at=deps.clock.now(),
        )
    result.chart = "uploaded"


# --- Telling the admins ------------------------------------------------------------------------


def _alert_admins(deps: Deps, channel: str, week: str, error: str) -> None:
    """DM each admin once a week per channel and error: what is wrong and how to resend."""
    why = {
        "not_in_channel": "the bot is not a member of it: invite it with `/invite @planbot`",
        "is_archived": "the channel is archived: unarchive it or set PLANBOT_COMMITTEE_CHANNEL "
        "to another channel",
        "channel_not_found": "Slack cannot find it: check PLANBOT_COMMITTEE_CHANNEL",
    }.get(error, error)
    text = (
        f":warning: The committee digest for {week} could not be posted to <#{channel}>: "
        f"{escape(why)}. The digest is kept; `/plan digest post` sends it once that is fixed."
    )
    now = deps.clock.now()
    with transaction(deps.engine) as session:
        for admin in deps.settings.planbot_admins:
            outbox.insert_if_absent(
                session=session,
                key=f"digest-alert:{channel}:{week}:{error}:{admin}",
                kind=ALERT_KIND,
                recipient=admin,
                payload={
                    "text": text,
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                },
                at=now,
            )
    deliver(deps, kinds=(ALERT_KIND,), pacer=deps.pacer)
