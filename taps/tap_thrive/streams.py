"""Thrive Learning streams: content, users and activities, each read page by page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singer_sdk.helpers.types import Context

from tapkit import PageNumberPaginator, SuiteStream
from tapkit.times import format_space_separated, parse_time


class ThriveStream(SuiteStream):
    """Every Thrive list: ``page``/``perPage`` pages, records at ``results``, keyed by ``id``.

    The API's order is not relied on (``is_sorted`` stays False): the bookmark is the largest
    replication value seen, saved when the stream completes.
    """

    paginator = PageNumberPaginator
    records_key = "results"
    primary_keys = ("id",)
    schemas_dir = Path(__file__).parent / "schemas"
    credentials_hint = "check username, the tenant id, and password, the API key"

    @property
    def is_incremental(self) -> bool:
        return bool(self.replication_key) and self.replication_method == "INCREMENTAL"


class UpdatedSinceStream(ThriveStream):
    """A current-state table: the first sync reads everything (``start_date`` does not apply),
    later syncs send ``updatedSince=<bookmark>`` (inclusive, so a record at the bookmark is read
    again rather than lost)."""

    replication_key = "updatedAt"

    # KIT-CANDIDATE: "the saved bookmark, ignoring start_date" suits any current-state table.
    def bookmark(self, context: Context | None) -> str | None:
        """The saved bookmark of an earlier run, ignoring ``start_date``."""
        if not self.is_incremental:
            return None
        state = self.get_context_state(context)
        if state.get("replication_key") != self.replication_key:
            return None
        return state.get("replication_key_value") or None

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        if value := self.bookmark(context):
            moment = parse_time(value)
            params["updatedSince"] = (moment.strftime("%Y-%m-%dT%H:%M:%S.")
                                      + f"{moment.microsecond // 1000:03d}Z")
        return params


ContentStream = UpdatedSinceStream.define("content", "/contents")
UsersStream = UpdatedSinceStream.define("users", "/users")


class ActivitiesStream(ThriveStream):
    """Events in the window ``timestampFrom`` (bookmark, else ``start_date``) to ``timestampTo``
    (``end_date``, else the run's start time, fixed once so every page asks the same window)."""

    name = "activities"
    path = "/activities"
    replication_key = "date"

    def window(self, context: Context | None) -> tuple[str, str]:
        """``(timestampFrom, timestampTo)`` as ``YYYY-MM-DD HH:MM:SS`` in UTC."""
        start = (self.get_starting_timestamp(context) if self.is_incremental else None) or (
            parse_time(self.config["start_date"]))
        end = self.config.get("end_date") or self._suite_tap.sync_started_at
        return format_space_separated(start), format_space_separated(end)

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        params["timestampFrom"], params["timestampTo"] = self.window(context)
        return params

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        start, end = self.window(context)
        if start > end:
            self.logger.info("activities: the bookmark %s is past the window's end %s; "
                             "nothing to read", start, end)
            return
        yield from super().get_records(context)
