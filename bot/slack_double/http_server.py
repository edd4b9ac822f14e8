"""The double's HTTP server on a loopback port the OS chooses: Web API, URLs and Socket Mode."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.slack_double.socket_mode import SocketMode
from bot.slack_double.web_api import WebApi


class LoopbackServer(ThreadingHTTPServer):
    """Serves a WebApi and a SocketMode on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, api: WebApi, socket_mode: SocketMode) -> None:
        # Port 0: the OS picks a free port, so parallel test runs never collide.
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self.socket_mode = socket_mode


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    server_version = "SlackDouble/1.0"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve()

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Upgrade", "").lower() == "websocket":
            # Socket Mode: this request becomes a WebSocket until either side closes it.
            self.close_connection = True
            self.server.socket_mode.serve(self)
            return
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.api.handle(self.path, headers, raw)
        if reply.drop:
            # Slack accepted the request but the answer never arrives: close without a byte.
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: the double's record is `requests`, not an access log on stderr."""
