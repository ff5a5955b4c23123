"""systeme.io streams: five lists paged with ``limit`` and ``startingAfter``."""

from __future__ import annotations

from pathlib import Path

from tapkit import HasMorePaginator, SuiteStream
from tapkit.quotas import RefillHeaderWait


class SystemeStream(SuiteStream):
    """Every systeme.io list: ``{"items": [...], "hasMore": bool}``, full table.

    The paginator's cursor is the stream's primary key, so ``contact_fields`` pages by ``slug``.
    """

    paginator = HasMorePaginator
    records_key = "items"
    primary_keys = ("id",)
    schemas_dir = Path(__file__).parent / "schemas"

    #: systeme.io's quota is shared by the account's keys; a 429 announces its refill (the docs
    #: do not say whether with Retry-After: that wins when present).
    server_wait = RefillHeaderWait("X-RateLimit-Refill", "X-RateLimit-Remaining")


CommunitiesStream = SystemeStream.define("communities", "/community/communities")
ContactsStream = SystemeStream.define("contacts", "/contacts")
TagsStream = SystemeStream.define("tags", "/tags")
# Contact fields have no id: the slug is their key and their page cursor.
ContactFieldsStream = SystemeStream.define("contact_fields", "/contact_fields",
                                           primary_keys=("slug",))
CourseResourcesStream = SystemeStream.define("course_resources", "/school/courses")
