"""Time zones resolve from the tzdata package where the machine has no zone database."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import zoneinfo
zoneinfo.reset_tzpath(to=[])  # as on Windows or a slim container: no system zone files
from datetime import datetime
print(datetime(2018, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/London")).utcoffset())
"""


def test_zones_resolve_without_a_system_zone_database():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1:00:00"
