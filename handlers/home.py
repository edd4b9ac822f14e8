"""The App Home: published when a person opens it, and after changes that concern them, at most
once every few seconds per person (views.publish is Tier 4, and a burst of clicks would
otherwise publish the same Home again and again)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.clock import local_date
from bot.deps import Deps
from bot.home.service import home_data
from bot.home.view import home_view

log = logging.getLogger(__name__)

MIN_SECONDS_BETWEEN = 5.0


class HomePublisher:
    """Publishes a person's Home, skipping a publish that follows the last too closely."""

    def __init__(self, deps: Deps, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.deps = deps
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._stale: set[str] = set()
        self._lock = threading.Lock()

    def publish(self, user: str, *, opened: bool = False) -> bool:
        """Publish `user`'s Home now; False when it was published moments ago (a change then
        marks it stale, so the next time they open it they see it fresh)."""
        now = self._monotonic()
        with self._lock:
            last = self._last.get(user)
            recent = last is not None and now - last < MIN_SECONDS_BETWEEN
            if recent and not (opened and user in self._stale):
                if not opened:
                    self._stale.add(user)
                return False
            self._last[user] = now
            self._stale.discard(user)
        deps = self.deps
        data = home_data(
            engine=deps.engine,
            settings=deps.settings,
            user=user,
            today=local_date(deps.clock, deps.settings.planbot_timezone),
        )
        try:
            deps.client.views_publish(user_id=user, view=home_view(data))
        except SlackApiError as exc:
            log.warning("could not publish the Home of %s: %s", user, exc.response.get("error"))
            return False
        return True


def register(app: App, deps: Deps) -> HomePublisher:
    publisher = HomePublisher(deps)

    def home_opened(ack: Ack, event: dict) -> None:
        ack()
        if event.get("tab") == "home":
            deps.background.submit(publisher.publish, event["user"], opened=True)

    app.event("app_home_opened")(home_opened)
    return publisher
