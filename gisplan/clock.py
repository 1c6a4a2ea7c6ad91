"""The громади's calendar day. Indicators, deadlines and publication dates are Ukrainian dates
(SQL compares ``… AT TIME ZONE 'Europe/Kyiv'``), so "today" is today in Kyiv, not on the server's
clock: between 22:00 and 24:00 UTC the two differ."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Kyiv")


def today() -> dt.date:
    """Today's date in Ukraine."""
    return dt.datetime.now(ZONE).date()
