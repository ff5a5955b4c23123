"""Primetric streams: three full-table lists, each a Django REST page walk keyed by ``uuid``."""

from __future__ import annotations

from pathlib import Path

from tapkit import NextInBodyPaginator, SuiteStream


class PrimetricStream(SuiteStream):
    """Every Primetric list: records at ``results``, the next page at ``next``."""

    paginator = NextInBodyPaginator
    records_key = "results"
    primary_keys = ("uuid",)
    schemas_dir = Path(__file__).parent / "schemas"


AssignmentsStream = PrimetricStream.define("assignments", "/assignments")
EmployeesStream = PrimetricStream.define("employees", "/employees")
HashtagsStream = PrimetricStream.define("hashtags", "/hash_tags")
