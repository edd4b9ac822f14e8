"""The double's Web API: routing, tokens, recording, rate limits and scripted failures.

planbot's real `slack_sdk.WebClient` talks to `SlackDouble.api_url`; `WebApi.handle` is the one
place requests are parsed, recorded, throttled, failed on purpose and answered, so the HTTP server
and the in-process client give the same answers and the same recording. What each method does is
in methods/.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.slack_double.answers import Reply, error, json_reply, text_reply
from bot.slack_double.methods import WEB_API_METHODS
from bot.slack_double.methods.files import receive_upload
from bot.slack_double.methods.response_urls import respond
from bot.slack_double.params import loads_or_empty, parse_body
from bot.slack_double.rate_limits import POST_MESSAGE, RateLimiter, Refusal
from bot.slack_double.workspace import Workspace

logger = logging.getLogger(__name__)

# Endpoints that answer in plain text, as response_url and the file upload URL do.
TEXT_ENDPOINTS = ("response", "upload")


class WebApi:
    """Slack's Web API, response_url and upload endpoints, answered from a Workspace."""

    def __init__(
        self,
        workspace: Workspace,
        app_methods: dict[str, Callable[[str, dict], dict]] | None = None,
    ) -> None:
        self.ws = workspace
        # Methods called with the app-level token (apps.connections.open), given (token, body).
        self._app_methods = dict(app_methods or {})
        # Off unless a test or benchmark asks for Slack's rate limits (SlackDouble.enable_rate_limits).
        self.rate_limiter: RateLimiter | None = None
        # Endpoints held shut (SlackDouble.hold): a request waits here, outside the workspace's
        # lock, until the test opens the gate, as behind a slow Slack.
        self.gates: dict[str, threading.Event] = {}
        self.waiting: dict[str, int] = {}

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Answer one request (path may carry a query string); headers are lower-cased."""
        self._wait_at_gate(_endpoint(path))
        # One lock around the whole request: a call sees and leaves the workspace consistent.
        with self.ws.lock:
            try:
                return self._route(path, headers, raw)
            except Exception:
                # A bug in the double must show as a logged traceback and a 500, not a hung test.
                logger.exception("the Slack double failed answering %s", path)
                return json_reply(500, {"ok": False, "error": "internal_error"})

    def _wait_at_gate(self, endpoint: str) -> None:
        gate = self.gates.get(endpoint)
        if gate is None:
            return
        with self.ws.lock:
            self.waiting[endpoint] = self.waiting.get(endpoint, 0) + 1
        try:
            # Bounded, so a test that forgets to open the gate fails instead of hanging.
            gate.wait(timeout=60)
        finally:
            with self.ws.lock:
                self.waiting[endpoint] -= 1

    def _route(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        parts = urlsplit(path)
        route = parts.path
        if route.startswith("/api/"):
            return self._web_api(route.removeprefix("/api/"), path, headers, raw, parts.query)
        if route.startswith("/response/"):
            token = route.removeprefix("/response/")
            received = _Received("response", path, headers, loads_or_empty(raw), raw)
            return self._text_endpoint(received, respond, token)
        if route.startswith("/upload/"):
            file_id = route.removeprefix("/upload/")
            received = _Received("upload", path, headers, {"file_id": file_id}, raw)
            return self._text_endpoint(received, receive_upload, file_id)
        self._record(_Received(route, path, headers, {}, raw), 404, {"text": "not_found"})
        return text_reply(404, "not_found")

    def _web_api(self, method: str, path: str, headers: dict, raw: bytes, query: str) -> Reply:
        try:
            body = parse_body(raw, headers.get("content-type", ""), query)
            answer = None
        except ValueError:
            body, answer = {}, {"ok": False, "error": "invalid_json"}
        received = _Received(method, path, headers, body, raw)
        refusal = self._throttle(method, body)
        if refusal is not None:
            # A throttled call never reaches the method, nor uses up a scripted failure.
            answer = error("ratelimited")
            self._record(received, 429, answer, refusal.retry_after, refusal.limit)
            return json_reply(429, answer, _retry_after_header(refusal.retry_after))
        failure = self.ws.take_failure(method)
        if failure is not None and not failure.drop:
            answer = error(failure.error)
            self._record(received, failure.status, answer, failure.retry_after)
            return json_reply(failure.status, answer, _retry_after_header(failure.retry_after))
        if answer is None:
            answer = self._call(method, headers, body)
        # A dropped request is applied and recorded, then the answer is lost on the way back.
        dropped = failure is not None
        self._record(received, 0 if dropped else 200, answer)
        return json_reply(200, answer, drop=dropped)

    def _throttle(self, method: str, body: dict) -> Refusal | None:
        if self.rate_limiter is None:
            return None
        channel = self._channel_key(body.get("channel")) if method == POST_MESSAGE else None
        return self.rate_limiter.admit(method, channel)

    def _channel_key(self, channel: object) -> str | None:
        """The conversation a post goes to, so a user's id and their IM's id share one limit.

        An IM is keyed by its user's id: resolving a user id to the IM would open it, a change
        a throttled call must not make.
        """
        given = str(channel or "")
        if not given or given in self.ws.users:
            return given or None
        conversation = self.ws.resolve(given)
        if conversation is None:
            return given
        return conversation.im_user or conversation.id

    def _call(self, method: str, headers: dict, body: dict) -> dict:
        handler = WEB_API_METHODS.get(method)
        app_handler = self._app_methods.get(method)
        if handler is None and app_handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        authorization = headers.get("authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        token = token or body.get("token")
        if not token:
            return error("not_authed")
        if app_handler is not None:
            return app_handler(str(token), body)
        if str(token).startswith("xapp-"):
            return error("not_allowed_token_type")  # an app-level token opens sockets, no more
        if token != self.ws.bot_token:
            return error("invalid_auth")
        return handler(self.ws, body)

    def _text_endpoint(
        self,
        received: _Received,
        answer: Callable[[Workspace, str, bytes], tuple[int, str]],
        key: str,
    ) -> Reply:
        failure = self.ws.take_failure(received.method)
        if failure is not None and not failure.drop:
            self._record(received, failure.status, {"text": failure.error}, failure.retry_after)
            return text_reply(
                failure.status, failure.error, _retry_after_header(failure.retry_after)
            )
        status, text = answer(self.ws, key, received.raw)
        dropped = failure is not None
        self._record(received, 0 if dropped else status, {"text": text})
        return text_reply(status, text, drop=dropped)

    def _record(
        self,
        received: _Received,
        status: int,
        response: dict,
        retry_after: int | None = None,
        rate_limit: str | None = None,
    ) -> None:
        self.ws.record_call(
            received.method,
            received.path,
            received.headers,
            received.body,
            received.raw,
            status,
            response,
            retry_after=retry_after,
            rate_limit=rate_limit,
        )


@dataclass(frozen=True)
class _Received:
    """One request as it arrived, to be recorded with whatever it is answered."""

    method: str  # the Web API method, or "response" / "upload" for those URLs
    path: str
    headers: dict
    body: dict
    raw: bytes


def _retry_after_header(retry_after: int | None) -> dict:
    return {} if retry_after is None else {"Retry-After": str(retry_after)}


def _endpoint(path: str) -> str:
    """The method name of a Web API path, or "response" / "upload" for those URLs."""
    route = urlsplit(path).path
    if route.startswith("/api/"):
        return route.removeprefix("/api/")
    return route.strip("/").split("/", 1)[0]
