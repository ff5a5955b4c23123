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


class AssignmentsStream(PrimetricStream):
    name = "assignments"
    path = "/assignments"


class EmployeesStream(PrimetricStream):
    name = "employees"
    path = "/employees"


class HashtagsStream(PrimetricStream):
    name = "hashtags"
    path = "/hash_tags"
