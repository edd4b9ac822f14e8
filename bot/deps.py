"""The small set of dependencies handed to every handler and job."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import Clock
from bot.settings import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    client: WebClient
