"""Primetric streams: three full-table lists, each a Django REST page walk keyed by ``uuid``."""

from __future__ import annotations

from pathlib import Path

from tapkit import NextInBodyPaginator, SuiteStream
from tapkit.quotas import QuotaWait


class PrimetricStream(SuiteStream):
    """Every Primetric list: records at ``results``, the next page at ``next``."""

    paginator = NextInBodyPaginator
    records_key = "results"
    primary_keys = ("uuid",)
    schemas_dir = Path(__file__).parent / "schemas"
    #: Primetric documents a 30-second rate-limit window; a 429 without Retry-After waits past it.
    quota_wait = QuotaWait(window=30, minimum=31)


AssignmentsStream = PrimetricStream.define("assignments", "/assignments")
EmployeesStream = PrimetricStream.define("employees", "/employees")
HashtagsStream = PrimetricStream.define("hashtags", "/hash_tags")
