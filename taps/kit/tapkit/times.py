"""Timestamps: parse the APIs' ISO 8601 variants (``dateutil``), compare and write them in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from dateutil.parser import isoparse


def parse_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO 8601 (``Z``, offsets, any fractional digits, date only)."""
    moment = value if isinstance(value, datetime) else isoparse(str(value).strip())
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(
        timezone.utc)


def format_utc_millis(value: str | datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC (milliseconds, cut, not rounded)."""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_space_separated(value: str | datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (Thrive's event filters)."""
    return parse_time(value).strftime("%Y-%m-%d %H:%M:%S")


#: How a time filter writes its bounds, by name (a stream declares ``time_format``).
TIME_FORMATS: dict[str, Callable[[datetime], str]] = {
    "iso": format_utc_millis,  # 2024-05-01T10:00:00.123Z
    "spaced": format_space_separated,  # 2024-05-01 10:00:00
}
