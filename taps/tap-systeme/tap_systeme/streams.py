"""systeme.io streams: nine lists paged with ``limit`` and ``startingAfter``."""

from __future__ import annotations

from pathlib import Path

from tapkit import HasMorePaginator, RefillHeaderWait, SuiteStream


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
ContactsStream = SystemeStream.define("contacts", "/contacts",
                                      child_context={"contactId": "id"})
TagsStream = SystemeStream.define("tags", "/tags")
# Contact fields have no id: the slug is their key and their page cursor.
ContactFieldsStream = SystemeStream.define("contact_fields", "/contact_fields",
                                           primary_keys=("slug",))
CourseResourcesStream = SystemeStream.define("course_resources", "/school/courses")
EnrollmentsStream = SystemeStream.define("enrollments", "/school/enrollments")
MembershipsStream = SystemeStream.define("memberships", "/community/memberships")
NewslettersStream = SystemeStream.define("newsletters", "/mailing/newsletters")
# The API lists subscriptions of one contact only (``contact`` is required): one walk per
# contact, so the stream is opt-in. Records do not name their contact: the tap adds contactId.
SubscriptionsStream = SystemeStream.define(
    "subscriptions", "/payment/subscriptions?contact={contactId}",
    parent_stream_type=ContactsStream, context_fields=("contactId",), state_partitioning_keys=[],
    selected_by_default=False)

STREAM_TYPES: list[type[SuiteStream]] = [
    CommunitiesStream, ContactsStream, TagsStream, ContactFieldsStream, CourseResourcesStream,
    EnrollmentsStream, MembershipsStream, NewslettersStream, SubscriptionsStream]
