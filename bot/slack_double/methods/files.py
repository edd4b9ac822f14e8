"""files.getUploadURLExternal, the upload URL it hands out, and files.completeUploadExternal.

The three steps slack_sdk's `files_upload_v2` takes
(https://docs.slack.dev/changelog/2024-04-a-better-way-to-upload-files-is-here-to-stay).
"""

from __future__ import annotations

import mimetypes

from bot.slack_double.answers import error, invalid_arguments
from bot.slack_double.methods.chat import unwritable
from bot.slack_double.params import as_int
from bot.slack_double.workspace import PERMALINK_BASE, StoredFile, Workspace


def files_get_upload_url(ws: Workspace, body: dict) -> dict:
    filename = str(body.get("filename") or "")
    length = as_int(body.get("length"), -1)
    if not filename or length < 0:
        return invalid_arguments(["filename and length are required"])
    alt_txt = body.get("alt_txt")
    if isinstance(alt_txt, str) and len(alt_txt) > 1000:
        return error("alt_txt_too_large")
    stored = StoredFile(
        id=ws.new_id("F"),
        filename=filename,
        length=length,
        alt_txt=alt_txt,
        created=ws.unix_now(),
    )
    ws.files[stored.id] = stored
    return {"ok": True, "upload_url": f"{ws.base_url}/upload/{stored.id}", "file_id": stored.id}


def receive_upload(ws: Workspace, file_id: str, raw: bytes) -> tuple[int, str]:
    """The upload URL's plain-text answer to the file's bytes."""
    stored = ws.files.get(file_id)
    if stored is None:
        return 404, "file_not_found"
    stored.data = raw
    return 200, f"OK - {len(raw)}"


def files_complete_upload(ws: Workspace, body: dict) -> dict:
    items = body.get("files")
    if not isinstance(items, list) or not items:
        return invalid_arguments(["files must be a non-empty array"])
    stored_files = []
    for item in items:
        stored = ws.files.get(str(item.get("id") if isinstance(item, dict) else ""))
        if stored is None or stored.data is None:
            return error("file_not_found")
        stored.title = item.get("title") or stored.filename
        stored_files.append(stored)
    channel_id = body.get("channel_id") or str(body.get("channels") or "").split(",")[0]
    conversation = None
    if channel_id:
        conversation = ws.resolve(str(channel_id))
        if conversation is None:
            return error("channel_not_found")
        problem = unwritable(ws, conversation)
        if problem:
            return problem
    objects = [_file_object(ws, f) for f in stored_files]
    if conversation is not None:
        fields = {
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "text": body.get("initial_comment") or "",
            "team": ws.team_id,
            "files": objects,
            "upload": True,
            "display_as_bot": False,
        }
        message = ws.add_message(conversation, fields, body.get("thread_ts"))
        ws.emit(
            "file",
            channel=conversation.id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            text=fields["text"],
            files=objects,
        )
    return {"ok": True, "files": objects}


def _file_object(ws: Workspace, stored: StoredFile) -> dict:
    mimetype = mimetypes.guess_type(stored.filename)[0] or "application/octet-stream"
    filetype = stored.filename.rsplit(".", 1)[-1].lower() if "." in stored.filename else ""
    return {
        "id": stored.id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": stored.filename,
        "title": stored.title,
        "mimetype": mimetype,
        "filetype": filetype,
        "user": ws.bot_user_id,
        "size": len(stored.data or b""),
        "alt_txt": stored.alt_txt,
        "url_private": f"{ws.base_url}/files/{stored.id}/{stored.filename}",
        "permalink": f"{PERMALINK_BASE}/files/{ws.bot_user_id}/{stored.id}",
    }


METHODS = {
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
}
