"""Thrive Learning streams: twelve lists read page by page, most with server-side time filters."""

from __future__ import annotations

from pathlib import Path

from tapkit import PageNumberPaginator, SuiteStream, TimeWindowStream


class ThriveStream(SuiteStream):
    """Every Thrive list: ``page``/``perPage`` pages, records at ``results`` (or a bare array),
    keyed by ``id``; ``perPage`` at most 1,000 (assignments and enrolments: 100).

    The API's order is not relied on (``is_sorted`` stays False): the bookmark is the largest
    replication value seen, saved when the stream completes. A record without its replication
    value (cpd_requirements may have no ``updatedAt``) is written and leaves the bookmark alone.
    """

    paginator = PageNumberPaginator
    records_key = "results"
    primary_keys = ("id",)
    schemas_dir = Path(__file__).parent / "schemas"
    credentials_hint = "check username, the tenant id, and password, the API key"
    max_page_size = 1000
    optional_replication_key = True


class CurrentStateStream(ThriveStream, TimeWindowStream):
    """A current-state table: everything on the first sync, then ``updatedSince=<bookmark>``."""

    replication_key = "updatedAt"
    since_param = "updatedSince"


class EventStream(ThriveStream, TimeWindowStream):
    """Events in a window from the bookmark (or ``start_date``) to ``end_date``."""

    starts_at_start_date = True
    time_format = "spaced"


# -- the streams ----------------------------------------------------------------------------------
ContentStream = CurrentStateStream.define("content", "/contents")
UsersStream = CurrentStateStream.define("users", "/users")
ActivitiesStream = EventStream.define("activities", "/activities", replication_key="date",
                                      since_param="timestampFrom", until_param="timestampTo")
AudiencesStream = CurrentStateStream.define("audiences", "/audiences",
                                            child_context={"audienceId": "id"})
# A full-table list of every audience's members: audiences are then read in full too (the SDK's
# ignore_parent_replication_key), since a membership change need not touch the audience.
AudienceMembersStream = ThriveStream.define(
    "audience_members", "/audiences/{audienceId}/members", parent_stream_type=AudiencesStream,
    primary_keys=("audienceId", "userId"), context_fields=("audienceId",),
    state_partitioning_keys=[], ignore_parent_replication_key=True)
AssignmentsStream = CurrentStateStream.define("assignments", "/assignments", records_key=None,
                                              max_page_size=100,
                                              child_context={"assignmentId": "id"})
# New enrolments appear on old assignments: every assignment is walked (the SDK then reads
# assignments in full), each with the same window and one bookmark for the whole stream.
EnrolmentsStream = EventStream.define(
    "enrolments", "/assignments/{assignmentId}/enrolments", parent_stream_type=AssignmentsStream,
    records_key=None, max_page_size=100, replication_key="updatedAt", time_format="iso",
    since_param="updatedAtFrom", until_param="updatedAtTo", context_fields=("assignmentId",),
    state_partitioning_keys=[], ignore_parent_replication_key=True)
CompletionsStream = EventStream.define(
    "completions", "/learning/completions", records_key=None, replication_key="completedAt",
    since_param="completedDateRangeStart", until_param="completedDateRangeEnd")
CpdEntriesStream = EventStream.define("cpd_entries", "/cpdEntries", primary_keys=("logEntryId",),
                                      replication_key="entryDate", since_param="entryDateFrom",
                                      until_param="entryDateTo")
CpdCategoriesStream = ThriveStream.define("cpd_categories", "/cpdCategories",
                                          primary_keys=("categoryId",))
CpdRequirementsStream = CurrentStateStream.define("cpd_requirements", "/cpdRequirementSummaries",
                                                  primary_keys=("audienceRequirementId",))
TagsStream = ThriveStream.define("tags", "/tags")

STREAM_TYPES: list[type[SuiteStream]] = [
    ContentStream, UsersStream, ActivitiesStream, AudiencesStream, AudienceMembersStream,
    AssignmentsStream, EnrolmentsStream, CompletionsStream, CpdEntriesStream, CpdCategoriesStream,
    CpdRequirementsStream, TagsStream]
