"""Timestamps: parse the APIs' ISO 8601 variants and compare them in UTC."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def parse_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO 8601 (``Z``, offsets, 0-9 fractional digits, date only)."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().replace("Z", "+00:00").replace("z", "+00:00")
        text = _FRACTION.sub(r"\1", text)
        moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(
        timezone.utc)


def format_space_separated(value: str | datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, as Thrive's time filters want it."""
    return parse_time(value).strftime("%Y-%m-%d %H:%M:%S")
