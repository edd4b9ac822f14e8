"""planbot's HTTP mode served for real (uvicorn on a loopback port the system chooses)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bot.http import EVENTS_PATH, asgi_app


@contextmanager
def serving(app) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(asgi_app(app), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (server.started and server.servers):
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}{EVENTS_PATH}"
    finally:
        server.should_exit = True
        thread.join(10)
