"""The README, .env.example and manifest.yml stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import handlers
from bot.cli.main import build_parser
from bot.settings import settings_fields
from bot.status.grammar import HELP_LINES

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_every_cli_command_is_in_the_commands_table():
    table = _section("Commands")
    subcommands = build_parser()._subparsers._group_actions[0].choices
    for name in subcommands:
        assert f"`planbot {name}" in table, name


def test_every_plan_verb_is_in_the_plan_table():
    table = _section("`/plan` in Slack")
    for usage, _ in HELP_LINES:
        assert f"| `{usage}` |" in table, usage


def test_every_setting_is_in_the_settings_table():
    table = _section("Settings")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.M))
    assert documented == set(settings_fields())


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one():
    for marker in ("<!-- demo-command -->", "<!-- test-command -->"):
        assert marker in README
    assert "planbot demo" in README.split("<!-- demo-command -->")[1].split("```")[1]
    assert "pytest" in README.split("<!-- test-command -->")[1].split("```")[1]
    assert "readme_command test-command" in (ROOT / ".ci" / "run").read_text()


def test_shell_verbs_are_documented():
    from bot.local.shell import HELP

    for verb in re.findall(r"^\s+(:\w+)", HELP, re.M):
        assert f"`{verb}" in README, verb


def test_manifest_matches_the_handlers():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == set(handlers.SLASH_COMMANDS)
    events = set(manifest["settings"].get("event_subscriptions", {}).get("bot_events", []))
    assert events == set(handlers.EVENTS)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes >= set(handlers.SCOPES)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
