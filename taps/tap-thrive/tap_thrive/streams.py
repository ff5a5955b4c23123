"""Thrive Learning streams: twelve lists read page by page, most with server-side time filters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from singer_sdk.helpers.types import Context

from tapkit import PageNumberPaginator, SuiteStream
from tapkit.times import format_space_separated, parse_time


# KIT-CANDIDATE: a per-stream perPage ceiling (Thrive's assignments and enrolments take at most
# 100, its other lists 1,000). Any page-number API with per-endpoint maximums needs it.
class CappedPageNumberPaginator(PageNumberPaginator):
    """``perPage = min(page_size, stream.max_page_size)``; the rest as the kit's paginator."""

    @classmethod
    def for_stream(cls, stream: SuiteStream) -> PageNumberPaginator:
        size = int(stream.config.get("page_size") or 200)
        ceiling = getattr(stream, "max_page_size", None)
        return cls(page_size=min(size, ceiling) if ceiling else size,
                   records_key=stream.records_key)


class ThriveStream(SuiteStream):
    """Every Thrive list: ``page``/``perPage`` pages, records at ``results`` (or a bare array),
    keyed by ``id``.

    The API's order is not relied on (``is_sorted`` stays False): the bookmark is the largest
    replication value seen, saved when the stream completes.
    """

    paginator = CappedPageNumberPaginator
    records_key = "results"
    primary_keys = ("id",)
    schemas_dir = Path(__file__).parent / "schemas"
    credentials_hint = "check username, the tenant id, and password, the API key"
    #: The most ``perPage`` the endpoint accepts.
    max_page_size: ClassVar[int] = 1000

    @property
    def is_incremental(self) -> bool:
        return bool(self.replication_key) and self.replication_method == "INCREMENTAL"

    # KIT-CANDIDATE: parent ids as declarations. A parent names the context its children get
    # (context key -> field of its record); a child copies context keys its records lack (the
    # parent's id), so its key is complete. tap-systeme (subscriptions of a contact) and every
    # child stream whose records do not carry their parent's id need the same.
    #: Context for child streams: context key -> field of this stream's record.
    child_context_fields: ClassVar[dict[str, str]] = {}
    #: Context keys written into each record that lacks them.
    context_fields: ClassVar[tuple[str, ...]] = ()

    def get_child_context(self, record: dict, context: Context | None) -> dict | None:
        if not self.child_context_fields:
            return super().get_child_context(record, context)
        return {key: record[field] for key, field in self.child_context_fields.items()}

    def post_process(self, row: dict, context: Context | None = None) -> dict:
        for key in self.context_fields:
            if row.get(key) is None and context and key in context:
                row[key] = context[key]
        if self.replication_key and self.replication_key not in row:
            row[self.replication_key] = None  # an omitted value is a null one (see below)
        return row

    # KIT-CANDIDATE: a record whose replication value is null (Thrive's cpd_requirements may have
    # no updatedAt) is emitted and leaves the bookmark alone, without the SDK's warning per
    # record. Any incremental stream on an optional timestamp needs it.
    def _increment_stream_state(self, latest_record: dict, *, context: Context | None = None
                                ) -> None:
        if self.replication_key and latest_record.get(self.replication_key) is None:
            return
        super()._increment_stream_state(latest_record, context=context)


# KIT-CANDIDATE: server-side time filters as declarations: the parameter names of the lower and
# upper bound, their format, and whether the first sync starts at start_date (events) or reads
# everything (current-state tables). Generalizes Thrive's updatedSince and activities window;
# Classroom, Basecamp and systeme (registeredAfter) have date filters of their own.
ISO_MILLIS = "iso"  #: 2024-05-01T10:00:00.123Z
SPACED = "spaced"  #: 2024-05-01 10:00:00 (UTC)


class TimeFilteredStream(ThriveStream):
    """A list filtered on the server by time.

    Lower bound: the saved bookmark (inclusive, so a record at the bookmark is read again rather
    than lost); for events (``starts_at_start_date``) ``start_date`` when there is none or when
    it is later. Current-state tables send no lower bound on their first sync: a record untouched
    since before ``start_date`` still exists. Upper bound: ``end_date``, else the moment the run
    started, fixed once so every page asks the same window. When the lower bound is past the
    upper one, nothing is requested.
    """

    #: Query parameter of the lower bound (``None``: not filtered).
    since_param: ClassVar[str | None] = None
    #: Query parameter of the upper bound (``None``: no upper bound is sent).
    until_param: ClassVar[str | None] = None
    #: How both bounds are written: :data:`ISO_MILLIS` or :data:`SPACED`.
    time_format: ClassVar[str] = ISO_MILLIS
    #: Events start at ``start_date``; current-state tables read everything on the first sync.
    starts_at_start_date: ClassVar[bool] = False

    def saved_bookmark(self, context: Context | None) -> str | None:
        """The bookmark of an earlier run (read-only: safe from the child-walk workers)."""
        if not self.is_incremental:
            return None
        state = self.tap_state.get("bookmarks", {}).get(self.name, {})
        if self.state_partitioning_keys != [] and context:
            wanted = self._get_state_partition_context(context)
            state = next((p for p in state.get("partitions", [])
                          if p.get("context") == wanted), {})
        if state.get("replication_key") != self.replication_key:
            return None
        return state.get("replication_key_value") or None

    def window(self, context: Context | None) -> tuple[datetime | None, datetime | None]:
        """``(lower, upper)`` bounds of this partition's request, ``None`` where not sent."""
        if self.starts_at_start_date:
            # the bookmark or start_date; start_date alone for a parent never read before
            lower = self.reading_from()
        else:
            saved = self.saved_bookmark(context)
            lower = parse_time(saved) if saved else None
        upper = None
        if self.until_param:
            upper = parse_time(self.config.get("end_date") or self._suite_tap.sync_started_at)
        return lower, upper

    def format_time(self, moment: datetime) -> str:
        if self.time_format == SPACED:
            return format_space_separated(moment)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        lower, upper = self.window(context)
        if self.since_param and lower is not None:
            params[self.since_param] = self.format_time(lower)
        if self.until_param and upper is not None:
            params[self.until_param] = self.format_time(upper)
        return params

    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The partition's pages (here, not in ``get_records``, so child-walk workers that fetch
        ahead skip an empty window too)."""
        lower, upper = self.window(context)
        if lower is not None and upper is not None and self.format_time(lower) > self.format_time(
                upper):
            self.logger.info("%s: the bookmark %s is past the window's end %s; nothing to read",
                             self.name, self.format_time(lower), self.format_time(upper))
            return
        yield from super().request_records(context)


class CurrentStateStream(TimeFilteredStream):
    """A current-state table: everything on the first sync, then ``updatedSince=<bookmark>``."""

    replication_key = "updatedAt"
    since_param = "updatedSince"


class EventStream(TimeFilteredStream):
    """Events in a window from the bookmark (or ``start_date``) to ``end_date``."""

    starts_at_start_date = True
    time_format = SPACED


# -- the streams ----------------------------------------------------------------------------------
ContentStream = CurrentStateStream.define("content", "/contents")
UsersStream = CurrentStateStream.define("users", "/users")
ActivitiesStream = EventStream.define("activities", "/activities", replication_key="date",
                                      since_param="timestampFrom", until_param="timestampTo")
AudiencesStream = CurrentStateStream.define("audiences", "/audiences",
                                            child_context_fields={"audienceId": "id"})
# A full-table list of every audience's members: audiences are then read in full too (the SDK's
# ignore_parent_replication_key), since a membership change need not touch the audience.
AudienceMembersStream = ThriveStream.define(
    "audience_members", "/audiences/{audienceId}/members", parent_stream_type=AudiencesStream,
    primary_keys=("audienceId", "userId"), context_fields=("audienceId",),
    state_partitioning_keys=[], ignore_parent_replication_key=True)
AssignmentsStream = CurrentStateStream.define("assignments", "/assignments", records_key=None,
                                              max_page_size=100,
                                              child_context_fields={"assignmentId": "id"})
# New enrolments appear on old assignments: every assignment is walked (the SDK then reads
# assignments in full), each with the same window and one bookmark for the whole stream.
EnrolmentsStream = EventStream.define(
    "enrolments", "/assignments/{assignmentId}/enrolments", parent_stream_type=AssignmentsStream,
    records_key=None, max_page_size=100, replication_key="updatedAt", time_format=ISO_MILLIS,
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
