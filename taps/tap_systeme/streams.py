"""systeme.io streams: five lists paged with ``limit`` and ``startingAfter``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tap_systeme.quota import quota_wait_times
from tapkit import HasMorePaginator, SuiteStream


class SystemeStream(SuiteStream):
    """Every systeme.io list: ``{"items": [...], "hasMore": bool}``, full table.

    The paginator's cursor is the stream's primary key, so ``contact_fields`` pages by ``slug``.
    """

    paginator = HasMorePaginator
    records_key = "items"
    primary_keys = ("id",)
    schemas_dir = Path(__file__).parent / "schemas"

    def backoff_wait_generator(self) -> Any:
        return quota_wait_times(float(self.config.get("backoff_factor", 2)))


class CommunitiesStream(SystemeStream):
    name = "communities"
    path = "/community/communities"


class ContactsStream(SystemeStream):
    name = "contacts"
    path = "/contacts"


class TagsStream(SystemeStream):
    name = "tags"
    path = "/tags"


class ContactFieldsStream(SystemeStream):
    """Contact fields have no id; the slug is their key and their page cursor."""

    name = "contact_fields"
    path = "/contact_fields"
    primary_keys = ("slug",)


class CourseResourcesStream(SystemeStream):
    name = "course_resources"
    path = "/school/courses"
