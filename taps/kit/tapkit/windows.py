"""Server-side time filters as declarations: the parameters of a window's bounds and their format.

Lower bound: the saved bookmark (inclusive, so a record at the bookmark is read again rather than
lost); for events (``starts_at_start_date``) ``start_date`` when there is none or when it is
later. Current-state tables send no lower bound on their first sync: a record untouched since
before ``start_date`` still exists. Upper bound: ``end_date``, else the moment the run started,
fixed once so every page asks the same window. When the lower bound is past the upper one,
nothing is requested.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

from singer_sdk.helpers.types import Context
from typing_extensions import override

from tapkit.stream import SuiteStream
from tapkit.times import TIME_FORMATS, parse_time


class TimeWindowStream(SuiteStream):
    """A list filtered on the server by time."""

    #: Query parameter of the lower bound (``None``: not filtered).
    since_param: ClassVar[str | None] = None
    #: Query parameter of the upper bound (``None``: no upper bound is sent).
    until_param: ClassVar[str | None] = None
    #: How both bounds are written: a name in :data:`tapkit.times.TIME_FORMATS`.
    time_format: ClassVar[str] = "iso"
    #: Events start at ``start_date``; current-state tables read everything on the first sync.
    starts_at_start_date: ClassVar[bool] = False

    def saved_bookmark(self, context: Context | None) -> str | None:
        """The bookmark of an earlier run (read-only: safe from the child-walk workers)."""
        if not (self.replication_key and self.replication_method == "INCREMENTAL"):
            return None
        state = self._input_state(context)
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
        return TIME_FORMATS[self.time_format](moment)

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        lower, upper = self.window(context)
        if self.since_param and lower is not None:
            params[self.since_param] = self.format_time(lower)
        if self.until_param and upper is not None:
            params[self.until_param] = self.format_time(upper)
        return params

    @override
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
