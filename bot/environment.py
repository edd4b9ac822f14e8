"""What the environment and the .env file say, read as pydantic-settings reads them, without it.

bot/settings.py builds the one settings object from them; these helpers need no pydantic, so
that `planbot status` can read the two settings it uses (where the database is, the plan's time
zone) and start within its budget (PRODUCT.md §7: importing pydantic-settings alone costs 7.5×
`python -c pass` of the 8× allowed).
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_FILE = ".env"
# PLANBOT_* variables that are planbot's but not settings (the tests' PostgreSQL).
NOT_SETTINGS = frozenset({"PLANBOT_TEST_POSTGRES_URL"})
# Every setting's variable, as Settings names its fields (tests/test_settings.py keeps the two
# the same): a PLANBOT_* variable not here is a typo, warned about.
SETTING_NAMES = frozenset(
    {
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PLANBOT_COMMITTEE_CHANNEL",
        "PLANBOT_ADMINS",
        "PLANBOT_APPROVERS",
        "PLANBOT_TIMEZONE",
        "PLANBOT_HOLIDAY_REGION",
        "PLANBOT_WORKING_DAYS",
        "PLANBOT_REMINDER_TIME",
        "PLANBOT_REMINDER_DAYS_BEFORE",
        "PLANBOT_OVERDUE_EVERY_DAYS",
        "PLANBOT_MONTHLY_ROUND_DAYS",
        "PLANBOT_QUIET_DAYS",
        "PLANBOT_POSTS_PER_MINUTE",
        "PLANBOT_DIGEST_DAY",
        "PLANBOT_DIGEST_TIME",
        "PLANBOT_APPROVAL_REQUIRED",
        "LOG_LEVEL",
    }
)
DEFAULT_DATABASE_URL = "sqlite:///planbot.db"
DEFAULT_TIMEZONE = "Europe/London"


class SettingsError(Exception):
    """Settings are missing or malformed; the message names each variable and what it wants."""


def env_file_lines(path: Path) -> list:
    """The .env file's lines as python-dotenv reads them (its Binding: key, error, original)."""
    from dotenv.parser import parse_stream

    return list(parse_stream(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def check_env_file(path: Path) -> None:
    """Stop at a .env file planbot would misread: not UTF-8 (pydantic-settings fails with a
    traceback), or a line python-dotenv cannot parse (it would skip it with a warning, and a
    skipped DATABASE_URL means another database)."""
    if not path.is_file():
        return
    where = path.resolve()
    try:
        lines = env_file_lines(path)
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"planbot cannot start: {where} is not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(f"planbot cannot start: cannot read {where}: {exc.strerror}") from None
    broken = [line.original.line for line in lines if line.error]
    if broken:
        # The line itself is not echoed: it may hold a token.
        raise SettingsError(
            f"planbot cannot start: line {broken[0]} of {where} is not NAME=value "
            "(an unclosed quote, or no name before '='); fix or remove it"
        )


def unknown_variables(env_file: str | os.PathLike = ENV_FILE) -> list[str]:
    """A warning for each PLANBOT_* variable (in the environment or the .env file) that is not a
    setting: a typo there is otherwise silently ignored and the default used instead."""
    found: list[tuple[str, str]] = [(name, "") for name in os.environ]
    path = Path(env_file)
    if path.is_file():
        # load_settings says what is wrong with an unreadable file itself.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            where = f" (in {path.resolve()})"
            found += [(line.key, where) for line in env_file_lines(path) if line.key]
    warnings = []
    # Compared without the prefix they all share, which would make any two look alike.
    suffixes = {n.removeprefix("PLANBOT_"): n for n in SETTING_NAMES if n.startswith("PLANBOT_")}
    for name, where in found:
        upper = name.upper()
        if not upper.startswith("PLANBOT_") or upper in SETTING_NAMES or upper in NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(upper.removeprefix("PLANBOT_"), sorted(suffixes), n=1)
        hint = f"; did you mean {suffixes[close[0]]}?" if close else "."
        warnings.append(f"{name}{where} is not a planbot setting{hint}")
    return warnings


def read_settings(names: tuple[str, ...], env_file: str | os.PathLike = ENV_FILE) -> dict[str, str]:
    """The values of these settings as pydantic-settings finds them: the environment first, in
    any case, then the .env file (python-dotenv's own reading); a setting in neither is left out.
    The .env file must have passed check_env_file."""
    wanted = {name.lower() for name in names}
    found: dict[str, str] = {}
    path = Path(env_file)
    if path.is_file():
        from dotenv import dotenv_values

        for key, value in dotenv_values(path, encoding="utf-8").items():
            if key.lower() in wanted and value is not None:
                found[key.lower()] = value
    for key, value in os.environ.items():
        if key.lower() in wanted:
            found[key.lower()] = value
    return {name: found[name.lower()] for name in names if name.lower() in found}


def is_timezone(value: str) -> bool:
    """Whether this is an IANA time zone name that this machine knows."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
