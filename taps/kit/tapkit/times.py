"""Timestamps: parse the APIs' ISO 8601 variants (``dateutil``), compare and write them in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from dateutil.parser import isoparse


def parse_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO 8601 (``Z``, offsets, any fractional digits, date only).

    ``datetime.fromisoformat`` first (the C parser, ten times dateutil's speed: it runs for
    every timestamp of every record of some streams), ``dateutil``'s for what it refuses
    (``2024-05``, ``T24:00``); where both read a value they read it alike."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = isoparse(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(
        timezone.utc)


def format_utc_millis(value: str | datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC (milliseconds, cut, not rounded)."""
    # isoformat ends "+00:00" in UTC; it pads the year to four digits, as RFC 3339 wants
    return parse_time(value).isoformat(timespec="milliseconds")[:-6] + "Z"


def format_space_separated(value: str | datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (Thrive's event filters)."""
    return parse_time(value).strftime("%Y-%m-%d %H:%M:%S")


#: How a time filter writes its bounds, by name (a stream declares ``time_format``).
TIME_FORMATS: dict[str, Callable[[datetime], str]] = {
    "iso": format_utc_millis,  # 2024-05-01T10:00:00.123Z
    "spaced": format_space_separated,  # 2024-05-01 10:00:00
}
