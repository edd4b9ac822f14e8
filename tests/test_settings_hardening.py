"""Settings that would silently surprise: in-memory databases, NUL bytes, a .env that is not UTF-8,
ids of the wrong shape, and PLANBOT_* variables that are not settings."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings, unknown_variables


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite+pysqlite:///:memory:",
        "sqlite:///file::memory:?cache=shared&uri=true",
        "sqlite:///file:plan?mode=memory&uri=true",
    ],
)
def test_in_memory_sqlite_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "DATABASE_URL: an in-memory SQLite database vanishes when planbot stops" in str(
        raised.value
    )


def test_a_nul_byte_in_the_database_path_is_refused():
    with pytest.raises(SettingsError) as raised:
        load_settings(database_url="sqlite:///plan\x00bot.db")
    assert "DATABASE_URL: the path holds a NUL byte" in str(raised.value)


def test_an_env_file_that_is_not_utf8(tmp_path):
    (tmp_path / ".env").write_bytes(b"PLANBOT_TIMEZONE=Europe/London\n# caf\xe9\n")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert f"{tmp_path / '.env'} is not UTF-8 text (byte 0xe9 on line 2)" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "content",
    [b'DATABASE_URL="sqlite:///other.db\nLOG_LEVEL=INFO\n', b"LOG_LEVEL=INFO\n=sqlite:///x.db\n"],
)
def test_an_env_file_line_that_cannot_be_parsed_is_an_error(tmp_path, content):
    """python-dotenv would skip the line with a warning: a skipped DATABASE_URL is another
    database."""
    (tmp_path / ".env").write_bytes(content)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = 1 if content.startswith(b"DATABASE") else 2
    assert f"line {line} of {tmp_path / '.env'} is not NAME=value" in str(raised.value)
    assert "sqlite" not in str(raised.value)


def test_an_env_file_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / ".env").write_bytes(b"\xef\xbb\xbfPLANBOT_TIMEZONE=America/New_York\n")
    assert load_settings().planbot_timezone == "America/New_York"
    assert unknown_variables() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PLANBOT_ADMINS", "U0AAA111,U0AAA222x"),
        ("PLANBOT_COMMITTEE_CHANNEL", "C0\n"),
        ("PLANBOT_COMMITTEE_CHANNEL", "C12"),
        ("PLANBOT_COMMITTEE_CHANNEL", "c0abcdef12"),
    ],
)
def test_ids_of_the_wrong_shape_are_refused(variable, value):
    with pytest.raises(SettingsError) as raised:
        load_settings(**{variable.lower(): value})
    assert variable in str(raised.value)


def test_channel_id_shape_lives_beside_the_user_id_shape():
    from bot.plan import refs

    assert refs.SLACK_CHANNEL_ID.match("C0123ABCD") and refs.SLACK_CHANNEL_ID.match("G0PRIVATE1")
    assert not refs.SLACK_CHANNEL_ID.match("C0123ABCD\n")
    assert not refs.SLACK_USER_ID.match("U0123ABCD\n")


def test_unknown_planbot_variables_get_the_closest_name(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANBOT_APROVERS", "U0AAA111")
    monkeypatch.setenv("planbot_digest_dya", "tue")
    monkeypatch.setenv("PLANBOT_TEST_POSTGRES_URL", "postgresql://x")  # the tests' own
    monkeypatch.setenv("PLANBOT_ADMINS", "U0AAA111")  # a real one
    (tmp_path / ".env").write_text("PLANBOT_ZZZ=1\nexport PLANBOT_REMINDER_TIMES=09:00\n")
    warnings = unknown_variables()
    assert "PLANBOT_APROVERS is not a planbot setting; did you mean PLANBOT_APPROVERS?" in warnings
    assert (
        "planbot_digest_dya is not a planbot setting; did you mean PLANBOT_DIGEST_DAY?" in warnings
    )
    assert f"PLANBOT_ZZZ (in {tmp_path / '.env'}) is not a planbot setting." in warnings
    assert any(
        w.startswith("PLANBOT_REMINDER_TIMES (in ") and "PLANBOT_REMINDER_TIME?" in w
        for w in warnings
    )
    assert not any(
        "PLANBOT_TEST_POSTGRES_URL" in w or w.startswith("PLANBOT_ADMINS ") for w in warnings
    )


def test_a_real_database_url_still_passes():
    assert Settings(_env_file=None, database_url="sqlite:///planbot.db").database_url
