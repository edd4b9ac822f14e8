"""Work that runs after Slack has been acknowledged, on a pool of its own.

Bolt runs listeners on a small thread pool and waits for each to call ack(). A listener that
answered before returning kept its pool thread for the whole answer, so under load the next
person's ack queued behind other people's answers, past Slack's 3 seconds
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response).
Listeners here only ack() and hand their work to this pool, so an ack never waits for work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Runs work after the ack; a failure is logged with its traceback, never lost in a Future."""

    def __init__(self, executor: Executor | None) -> None:
        # None runs the work in the caller's thread: the shell, the demo and most tests read the
        # bot's answer as soon as the request returns.
        self._executor = executor

    @classmethod
    def threads(cls, workers: int) -> Background:
        return cls(ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planbot-work"))

    @classmethod
    def inline(cls) -> Background:
        return cls(None)

    def submit(self, work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future | None:
        if self._executor is None:
            _logged(work, *args, **kwargs)
            return None
        return self._executor.submit(_logged, work, *args, **kwargs)

    def shutdown(self, *, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait)


def _logged(work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        work(*args, **kwargs)
    except Exception:
        # Nothing above this frame would see it: the request was acknowledged long ago.
        log.exception("background work %s failed", getattr(work, "__name__", work))
