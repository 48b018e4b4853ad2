"""The day a build runs: what decides which stories are published."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The day the build runs, which decides what is published (FIRSTHAND_TODAY overrides)."""
    value = os.environ.get("FIRSTHAND_TODAY")
    return dt.date.fromisoformat(value) if value else dt.date.today()
