"""Timestamps: the fast reading (``datetime.fromisoformat``) agrees with dateutil's wherever it
reads a value, dateutil reads the rest, and the millisecond format is RFC 3339's."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from dateutil.parser import isoparse

from tapkit.times import format_utc_millis, parse_time

VARIANTS = ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00.123456789Z",
            "2024-05-01T10:00:00.1234567+02:00", "2024-05-01", "2024-05-01T10:00:00+0200",
            "2024-05-01 10:00:00", "2024-05-01T10:00Z", "20240501T100000Z", "2024-05",
            "2024-05-01T24:00:00Z", "2024-05-01T10:00:00,5Z", " 2024-05-01T10:00:00.5-05:30 "]


def dateutils(text: str) -> datetime:
    moment = isoparse(text.strip())
    return (moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None
            else moment.astimezone(timezone.utc))


@pytest.mark.parametrize("text", VARIANTS)
def test_every_variant_reads_as_dateutil_reads_it(text):
    assert parse_time(text) == dateutils(text)
    assert parse_time(text).tzinfo is timezone.utc


def test_what_neither_reads_is_a_value_error():
    with pytest.raises(ValueError):
        parse_time("2024-13-01")


def test_the_millisecond_format_has_four_year_digits_and_cuts_not_rounds():
    rng = random.Random(7)
    for _ in range(2000):
        moment = datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28),
                          rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                          rng.randint(0, 999999), tzinfo=timezone.utc)
        expected = (f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}."
                    f"{moment.microsecond // 1000:03d}Z")
        assert format_utc_millis(moment) == expected
    assert format_utc_millis("2024-05-01T10:00:00.999999+02:00") == "2024-05-01T08:00:00.999Z"
