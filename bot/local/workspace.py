"""The real planbot app wired to the local Slack double, with a fictional workspace.

`planbot shell`, `planbot demo` and the end-to-end tests all drive the bot through this: people
act by sending signed requests into the real Bolt app, and see what the bot posted to the double.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from slack_bolt import App
from sqlalchemy import Engine

from bot.app import create_app
from bot.background import Background
from bot.clock import FixedClock
from bot.deps import make_deps
from bot.local.render import render_item
from bot.reminders.timing import local_send_instant
from bot.settings import Settings
from bot.slack.client import make_client
from bot.slack_double import SignedRequests, SlackDouble
from store import leads
from store.engine import transaction

TEAM_ID = "T0PLANBOT"
APP_ID = "A0PLANBOT"
BOT_USER_ID = "U0PLANBOT"

# Fictional people: none of these names belongs to anyone at the council.
FIRST = [
    "Alex",
    "Bea",
    "Cal",
    "Dana",
    "Eli",
    "Fern",
    "Gus",
    "Hana",
    "Ivo",
    "Jo",
    "Kit",
    "Lena",
    "Milo",
    "Nia",
    "Otto",
    "Pia",
    "Quin",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wren",
    "Xan",
    "Yara",
    "Zed",
]
LAST = [
    "Ashby",
    "Brook",
    "Carrow",
    "Dene",
    "Eskdale",
    "Fell",
    "Garth",
    "Hollin",
    "Ingleby",
    "Jarrow",
    "Kielder",
    "Lumley",
    "Marsden",
    "Newbold",
    "Ousby",
    "Penshaw",
    "Quarry",
    "Ryhope",
    "Seaham",
    "Tunstall",
]
# Most leads work in the plan's zone; a few are elsewhere, so that "09:00 local" means something.
OTHER_ZONES = {5: "Europe/Dublin", 11: "America/New_York", 17: "Asia/Kolkata"}


@dataclass
class Person:
    user_id: str
    name: str
    title: str
    tz: str
    roles: list[str] = field(default_factory=list)


class LocalSlack:
    """A running double, the real app bound to it, and the people of the fictional workspace."""

    def __init__(self, settings: Settings, *, engine: Engine, clock: FixedClock) -> None:
        self.clock = clock
        self.engine = engine
        self.double = SlackDouble(
            team_id=TEAM_ID, bot_user_id=BOT_USER_ID, bot_id="B0PLANBOT", clock=clock
        ).start()
        self.signing_secret = secrets.token_hex(16)
        self.committee_channel = self.double.add_channel("quality-and-improvement-committee")
        self.people: dict[str, Person] = {}
        admin = self.double.add_user(
            "plan.owner", real_name="Morgan Whitburn", title="Performance Team (plan owner)"
        )
        self.admin = Person(
            admin, "Morgan Whitburn", "Performance Team (plan owner)", "Europe/London"
        )
        self.people[admin] = self.admin
        self.settings = settings.model_copy(
            update={
                "slack_api_url": self.double.api_url,
                "slack_signing_secret": _secret(self.signing_secret),
                "slack_bot_token": _secret(self.double.bot_token),
                "planbot_committee_channel": self.committee_channel,
                "planbot_admins": [admin, *settings.planbot_admins],
            }
        )
        # The work after each ack runs before the request returns, so what a person sees can be
        # read as soon as they have acted.
        self.deps = make_deps(
            self.settings,
            engine=engine,
            clock=clock,
            # Production's client (bot/slack/client.py): it never resends blindly after a
            # dropped connection, so the shell, the demo and the tests see what Slack would.
            client=make_client(self.settings),
            background=Background.inline(),
            paced=False,
        )
        self.app: App = create_app(self.settings, deps=self.deps, process_before_response=True)
        self.requests = SignedRequests(
            signing_secret=self.signing_secret,
            team_id=TEAM_ID,
            api_app_id=APP_ID,
            bot_user_id=BOT_USER_ID,
        )
        self._seen = 0

    # --- The workspace ---------------------------------------------------------------------

    def add_lead_users(self) -> list[Person]:
        """A fictional user for every lead role, mapped to it in the store."""
        with transaction(self.engine) as session:
            roles = leads.roles(session=session)
        people = []
        for n, role in enumerate(roles):
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
            tz = OTHER_ZONES.get(n, "Europe/London")
            user_id = self.double.add_user(
                name.lower().replace(" ", "."), real_name=name, title=role.name, tz=tz
            )
            person = Person(user_id, name, role.name, tz, [role.name])
            self.people[user_id] = person
            people.append(person)
            with transaction(self.engine) as session:
                leads.map_role(
                    session=session,
                    role_name=role.name,
                    user_id=user_id,
                    deputy=None,
                    at=self.clock.now(),
                    by="demo",
                )
        return people

    def find_people(self, query: str) -> list[Person]:
        """Who a query names: an exact user id, name or role first, else every partial match."""
        query = query.strip().casefold()
        if not query:
            return []
        people = list(self.people.values())
        exact = [p for p in people if query in (p.user_id.casefold(), p.name.casefold())]
        exact = exact or [p for p in people if any(role.casefold() == query for role in p.roles)]
        return exact or [
            p
            for p in people
            if any(query in r.casefold() for r in p.roles) or query in p.name.casefold()
        ]

    def find_person(self, query: str) -> Person | None:
        """The one person a query names, or None when it names nobody or several."""
        people = self.find_people(query)
        return people[0] if len(people) == 1 else None

    def names(self) -> dict[str, str]:
        """Ids to readable names, for rendering: users, their DMs and the channels."""
        names = {person.user_id: person.name for person in self.people.values()}
        for person in self.people.values():
            names[self.double.dm_channel(person.user_id)] = f"DM with {person.name}"
        names[self.committee_channel] = "#quality-and-improvement-committee"
        return names

    # --- People acting ---------------------------------------------------------------------

    def command(self, user_id: str, text: str, *, channel_id: str | None = None) -> int:
        """`/plan text` from a user; returns the HTTP status the app answered."""
        request = self.requests.command(
            user_id,
            text,
            channel_id=channel_id or self.double.dm_channel(user_id),
            response_url=self.double.new_response_url(
                user_id, channel_id or self.double.dm_channel(user_id)
            ),
        )
        return request.dispatch(self.app).status

    def say(self, user_id: str, text: str, *, thread_ts: str | None = None) -> int:
        """A DM from a user to the bot (in a thread when thread_ts is given)."""
        message = self.double.user_says(user_id, text, thread_ts=thread_ts)
        request = self.requests.message(
            user_id, message["channel"], text, message["ts"], thread_ts=thread_ts
        )
        return request.dispatch(self.app).status

    def click(
        self,
        user_id: str,
        button: dict[str, Any],
        item: dict[str, Any],
        *,
        option: dict[str, Any] | None = None,
    ) -> int:
        """Press a button (or choose `option` in a select menu) on a message the bot posted."""
        request = self.requests.block_actions(
            user_id,
            button.get("action_id", ""),
            button.get("value", ""),
            block_id=button.get("block_id"),
            channel=item.get("channel"),
            message_ts=item.get("ts"),
            thread_ts=item.get("thread_ts"),
            trigger_id=self.double.new_trigger_id(user_id),
            selected_option=option,
        )
        return request.dispatch(self.app).status

    # --- What people see -------------------------------------------------------------------

    def day_instants(self, day: date) -> list[datetime]:
        """When the scheduler's jobs find work on `day`: each person's reminder time in their
        own zone, the plan's reminder and digest times, and the end of the plan's day."""
        settings = self.settings
        zones = {person.tz for person in self.people.values()} | {settings.planbot_timezone}
        moments = {local_send_instant(day, settings.planbot_reminder_time, tz) for tz in zones}
        moments.add(
            local_send_instant(day, settings.planbot_digest_time, settings.planbot_timezone)
        )
        moments.add(local_send_instant(day, time(23, 55), settings.planbot_timezone))
        return sorted(moments)

    def run_day(self, day: date) -> list[tuple[datetime, str]]:
        """Run the scheduler's jobs through `day` as the scheduler would (the clock moves)."""
        from scheduler import tick

        done = []
        for instant in self.day_instants(day):
            self.clock.set(instant)
            done += [(instant, result) for result in tick(self.deps)]
        return done

    def feed_since_start(self) -> list[dict[str, Any]]:
        """Everything the bot made visible, from the start."""
        return list(self.double.feed)

    def new_items(self) -> list[dict[str, Any]]:
        """Everything the bot made visible since the last call."""
        items = self.double.feed_since(self._seen)
        self._seen += len(items)
        return items

    def render(self, items: list[dict[str, Any]], buttons: list[dict] | None = None) -> str:
        names = self.names()
        return "\n".join(render_item(item, names, buttons) for item in items)

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        self.double.stop()


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)
