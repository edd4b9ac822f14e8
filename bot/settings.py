"""One settings object, read from the environment (and an optional .env) and validated at start.

Every variable is listed in .env.example and in the README's settings table; a test keeps the
three in step. Tests construct Settings explicitly instead of relying on the environment.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.environment import (
    DEFAULT_DATABASE_URL,
    DEFAULT_TIMEZONE,
    ENV_FILE,
    SettingsError,
    check_env_file,
    is_timezone,
    unknown_variables,
)
from bot.plan.calendar import WorkingCalendar
from bot.plan.refs import SLACK_CHANNEL_ID, SLACK_USER_ID

if TYPE_CHECKING:
    import holidays

__all__ = ["Settings", "SettingsError", "load_settings", "settings_fields", "unknown_variables"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _split_list(value: object) -> object:
    # Lists come from the environment as "U1,U2" (or empty); pydantic-settings would want JSON.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """planbot's settings. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore", validate_default=True
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, description="Bot token (xoxb-…); needed by `planbot run`."
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        description="App-level token (xapp-…) with connections:write, for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret; needed by `planbot run --http`."
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Slack Web API base URL; the local Slack double and the tests point it at loopback.",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://…",
    )
    planbot_committee_channel: str | None = Field(
        default=None, description="Channel id (C…) of the committee channel for the digest."
    )
    planbot_admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated Slack user ids (U…) who may change the plan, map leads and post.",
    )
    planbot_approvers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated Slack user ids who accept or return RAG proposals (default: the admins).",
    )
    planbot_timezone: str = Field(
        default=DEFAULT_TIMEZONE, description="The plan's IANA time zone."
    )
    planbot_holiday_region: str = Field(
        default="GB-ENG",
        description="Bank holidays: country code, optionally with a subdivision (GB-ENG, GB-SCT, GB-NIR, IE, …).",
    )
    planbot_working_days: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"],
        description="Comma-separated days on which reminders go out.",
    )
    planbot_reminder_time: time = Field(
        default=time(9, 0), description="Local time (HH:MM, in each lead's own zone) for reminders."
    )
    planbot_reminder_days_before: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [14, 7, 0],
        description="Days before an action's timescale on which its lead is reminded.",
    )
    planbot_overdue_every_days: int = Field(
        default=7,
        ge=1,
        description="While an action is overdue, remind its lead every this many days.",
    )
    planbot_monthly_round_days: int = Field(
        default=5,
        ge=0,
        description="Working days before month end of the monthly update round (0 turns it off).",
    )
    planbot_quiet_days: int = Field(
        default=5, ge=0, description="No reminder for an action updated in the last this many days."
    )
    planbot_posts_per_minute: int = Field(
        default=280,
        ge=1,
        description="Pace of the bot's DMs and posts (Slack allows about 300 a minute per workspace).",
    )
    planbot_digest_day: str = Field(default="mon", description="Weekday of the committee digest.")
    planbot_digest_time: time = Field(
        default=time(9, 30), description="Time (HH:MM, plan time zone) of the committee digest."
    )
    planbot_approval_required: bool = Field(
        default=True, description="Whether a confirmed RAG proposal needs an approver's acceptance."
    )
    log_level: str = Field(default="INFO", description="Logging level (DEBUG, INFO, WARNING, …).")

    @field_validator(
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "planbot_committee_channel",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `SLACK_BOT_TOKEN=` copied from .env.example means "not set", not "an empty token".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("planbot_admins", "planbot_approvers", mode="before")
    @classmethod
    def _user_list(cls, value: object) -> object:
        values = _split_list(value)
        for user in values or []:
            if not SLACK_USER_ID.match(str(user)):
                raise ValueError(
                    f"{user!r} is not a Slack user id; use ids like U0123ABCD, comma-separated"
                )
        return values

    @field_validator("planbot_working_days", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        values = [str(day).lower()[:3] for day in _split_list(value) or []]
        bad = [day for day in values if day not in WEEKDAYS]
        if bad or not values:
            raise ValueError(f"use weekday names from {', '.join(WEEKDAYS)}, comma-separated")
        return values

    @field_validator("planbot_reminder_days_before", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        values = _split_list(value)
        try:
            numbers = sorted({int(v) for v in values or []}, reverse=True)
        except (TypeError, ValueError):
            raise ValueError("use whole numbers of days, comma-separated, such as 14,7,0") from None
        if any(n < 0 for n in numbers):
            raise ValueError("days before the timescale cannot be negative")
        return numbers

    @field_validator("planbot_digest_day", mode="before")
    @classmethod
    def _digest_day(cls, value: object) -> object:
        day = str(value).lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"use one weekday name from {', '.join(WEEKDAYS)}")
        return day

    @field_validator("planbot_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not is_timezone(value):
            raise ValueError("not a time zone; use an IANA name such as Europe/London")
        return value

    @field_validator("planbot_holiday_region")
    @classmethod
    def _region(cls, value: str) -> str:
        # Only the shape here: loading the holidays package to look the region up costs about
        # 200 ms, which every command (`planbot --help` too) would pay. The calendar looks it up
        # on first use, and `planbot run` at start (WorkingCalendar.check), saying what is valid.
        try:
            WorkingCalendar(range(5), value)
        except ValueError:
            raise ValueError(
                "unknown region; use a country code with an optional subdivision, such as GB-ENG"
            ) from None
        return value

    @field_validator("planbot_committee_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value and not SLACK_CHANNEL_ID.match(value):
            raise ValueError("use the channel's id (such as C0123ABCD), not its name")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("use an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if "\x00" in value:
            # SQLite and the operating system would stop at it with a traceback, not a message.
            where = "path" if value.startswith("sqlite") else "URL"
            raise ValueError(f"the {where} holds a NUL byte (\\x00); remove it")
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError(
                "use sqlite:///path/to/planbot.db or postgresql+psycopg://user:pass@host/db"
            )
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite:///path/to/planbot.db or "
                "postgresql+psycopg://user:pass@host/db"
            ) from None
        if url.get_backend_name() == "sqlite" and (
            url.database in (None, "")
            or ":memory:" in url.database
            or url.query.get("mode") == "memory"
        ):
            raise ValueError(
                "an in-memory SQLite database vanishes when planbot stops, and each command "
                "would see an empty one; use a file such as sqlite:///planbot.db"
            )
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def approvers(self) -> list[str]:
        """Who decides on RAG proposals: the approvers, or the admins when none are set."""
        return self.planbot_approvers or self.planbot_admins

    def holiday_calendar(self, years: range) -> holidays.HolidayBase:
        import holidays  # deferred: see _region

        country, _, subdiv = self.planbot_holiday_region.partition("-")
        return holidays.country_holidays(country, subdiv=subdiv or None, years=years)


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment, turning validation errors into one clear message."""
    env_file = overrides.get("_env_file", ENV_FILE)
    if env_file is not None:
        check_env_file(Path(str(env_file)))
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = error["msg"].removeprefix("Value error, ")
            # Never echo a secret or a database URL (it may hold a password) back into logs.
            shown = (
                ""
                if any(k in name for k in ("TOKEN", "SECRET", "DATABASE"))
                else f" (got {error.get('input')!r})"
            )
            lines.append(f"  {name}: {message}{shown}")
        raise SettingsError(
            "planbot cannot start; fix these settings:\n" + "\n".join(lines)
        ) from None


def settings_fields() -> dict[str, str]:
    """Every environment variable with its description, for the README and .env.example tests."""
    return {
        name.upper(): (field.description or "") for name, field in Settings.model_fields.items()
    }
