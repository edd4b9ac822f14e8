"""Settings: defaults, parsing, and clear errors naming the variable and what it should look like."""

from __future__ import annotations

from datetime import time

import pytest

from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults():
    settings = Settings()
    assert settings.database_url == "sqlite:///planbot.db"
    assert settings.planbot_timezone == "Europe/London"
    assert settings.planbot_working_days == ["mon", "tue", "wed", "thu", "fri"]
    assert settings.planbot_reminder_days_before == [14, 7, 0]
    assert settings.planbot_digest_time == time(9, 30)


def test_lists_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLANBOT_ADMINS", "U0AAA111, U0BBB222")
    monkeypatch.setenv("PLANBOT_REMINDER_DAYS_BEFORE", "0,7,14,28")
    monkeypatch.setenv("PLANBOT_WORKING_DAYS", "Monday,Tuesday,Wednesday")
    settings = load_settings()
    assert settings.planbot_admins == ["U0AAA111", "U0BBB222"]
    assert settings.approvers == ["U0AAA111", "U0BBB222"]  # approvers default to the admins
    assert settings.planbot_reminder_days_before == [28, 14, 7, 0]
    assert settings.planbot_working_days == ["mon", "tue", "wed"]


def test_env_file(tmp_path):
    (tmp_path / ".env").write_text("PLANBOT_TIMEZONE=America/New_York\n")
    assert load_settings().planbot_timezone == "America/New_York"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "PLANBOT_TIMEZONE",
            "Europe/Lndon",
            "PLANBOT_TIMEZONE: not a time zone; use an IANA name such as Europe/London",
        ),
        ("PLANBOT_ADMINS", "alice", "PLANBOT_ADMINS: 'alice' is not a Slack user id"),
        (
            "PLANBOT_COMMITTEE_CHANNEL",
            "#committee",
            "PLANBOT_COMMITTEE_CHANNEL: use the channel's id",
        ),
        # Only the shape at load (the holidays package costs every command's start-up 200 ms);
        # an unknown country such as "XX" is refused when the calendar is first used.
        ("PLANBOT_HOLIDAY_REGION", "England", "PLANBOT_HOLIDAY_REGION: unknown region"),
        ("PLANBOT_WORKING_DAYS", "funday", "PLANBOT_WORKING_DAYS: use weekday names"),
        ("PLANBOT_REMINDER_DAYS_BEFORE", "soon", "PLANBOT_REMINDER_DAYS_BEFORE: use whole numbers"),
        ("PLANBOT_REMINDER_TIME", "9am", "PLANBOT_REMINDER_TIME"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: use sqlite:///"),
        ("SLACK_API_URL", "slack.com", "SLACK_API_URL: use an http(s) URL"),
        ("SLACK_BOT_TOKEN", "xoxp-secret-value", "SLACK_BOT_TOKEN: a bot token starts with xoxb-"),
    ],
)
def test_errors_name_the_variable(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert expected in str(raised.value)


def test_secrets_are_never_echoed(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-secret-value")
    monkeypatch.setenv("DATABASE_URL", "mysql://user:hunter2@db/x")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "secret-value" not in str(raised.value) and "hunter2" not in str(raised.value)
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.delenv("DATABASE_URL")
    settings = Settings(slack_bot_token="xoxb-very-secret")
    assert "very-secret" not in repr(settings)


def test_every_setting_is_in_env_example():
    from pathlib import Path

    from bot.settings import settings_fields

    example = (Path(__file__).parents[1] / ".env.example").read_text()
    for name in settings_fields():
        assert f"{name}=" in example or f"# {name}=" in example, name


def test_env_example_copied_as_is_is_valid(tmp_path):
    from pathlib import Path

    (tmp_path / ".env").write_text((Path(__file__).parents[1] / ".env.example").read_text())
    settings = load_settings()
    assert settings.slack_bot_token is None and settings.planbot_committee_channel is None


def test_the_names_read_without_pydantic_are_the_settings():
    """bot/environment.py names every setting for the commands that read the environment without
    pydantic (the typo warnings, `planbot status`); its defaults are the settings' defaults."""
    from bot.environment import DEFAULT_DATABASE_URL, DEFAULT_TIMEZONE, SETTING_NAMES
    from bot.settings import settings_fields

    assert set(settings_fields()) == SETTING_NAMES
    fields = Settings.model_fields
    assert fields["database_url"].default == DEFAULT_DATABASE_URL
    assert fields["planbot_timezone"].default == DEFAULT_TIMEZONE
