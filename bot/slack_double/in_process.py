"""A real WebClient answered by the double in-process, without sockets.

It overrides the two places slack_sdk's WebClient touches urllib, so everything above them (the
request building, retry handlers, SlackResponse, files_upload_v2) is slack_sdk's own code.
"""

from __future__ import annotations

import io
from http.client import HTTPMessage, RemoteDisconnected
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

from bot.slack_double.answers import Reply
from bot.slack_double.web_api import WebApi


class InProcessWebClient(WebClient):
    """A real WebClient whose requests go straight to the double's handler, without sockets."""

    def __init__(self, *, api: WebApi, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._double_api = api

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        reply = self._double_api.handle(_path_of(url), _headers_of(req), _data_of(req))
        return _as_urllib_response(url, reply)

    def _upload_file(self, *, url: str, data: bytes, **_: Any) -> FileUploadV2Result:
        reply = self._double_api.handle(_path_of(url), {"content-length": str(len(data))}, data)
        response = _as_urllib_response(url, reply)
        return FileUploadV2Result(status=response["status"], body=response["body"])


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _data_of(req: Request) -> bytes:
    data = req.data
    return data if isinstance(data, bytes) else (data or b"")


def _headers_of(req: Request) -> dict[str, str]:
    headers = {k.lower(): str(v) for k, v in req.header_items()}
    headers.setdefault("host", req.host)
    headers["content-length"] = str(len(_data_of(req)))
    return headers


def _as_urllib_response(url: str, reply: Reply) -> dict[str, Any]:
    """What urllib would have produced for this reply: a dict, an HTTPError, or a lost answer."""
    if reply.drop:
        raise RemoteDisconnected("Remote end closed connection without response")
    message = HTTPMessage()
    message["Content-Type"] = reply.content_type
    message["Content-Length"] = str(len(reply.body))
    for name, value in reply.headers.items():
        message[name] = value
    if not 200 <= reply.status < 300:
        raise HTTPError(url, reply.status, "double", message, io.BytesIO(reply.body))
    return {"status": reply.status, "headers": message, "body": reply.body.decode("utf-8")}
