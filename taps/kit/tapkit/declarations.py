"""What a stream declares instead of writing code: query parameters, parent ids, record fields.

``params``
    fixed query parameters of every partition's first request.
``setting_params``
    query parameter -> setting: a list setting goes as the parameter repeated (or joined by
    ``list_separator``); an unset or empty one is not sent (the API's default applies).
``child_context``
    child context key -> dotted path of this stream's record (``{"courseId": "id"}``,
    ``{"bucket_id": "bucket.id"}``); a record without one of them is an error that names the
    stream and the field.
``context_fields``
    keys of the partition's context written into each record that lacks them (or has null):
    the parent's id on children whose records do not carry it.
``utc_millis_fields``
    timestamp fields rewritten as UTC ``YYYY-MM-DDTHH:MM:SS.mmmZ``: the SDK keeps the largest
    bookmark by comparing strings, which is wrong across UTC offsets.
``optional_replication_key``
    the replication value may be missing: such a record is written with a null and leaves the
    bookmark alone (no warning per record).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from singer_sdk.helpers.types import Context
from typing_extensions import override

from tapkit.errors import ResponseShapeError
from tapkit.sdk import StreamSeams
from tapkit.times import format_utc_millis, parse_time


def field_at(record: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` (``"bucket.id"``) of ``record``; ``None`` where absent."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class Declarations(StreamSeams):
    """The declarations above, applied."""

    params: ClassVar[dict[str, Any]] = {}
    setting_params: ClassVar[dict[str, str]] = {}
    list_separator: ClassVar[str | None] = None
    child_context: ClassVar[dict[str, str]] = {}
    context_fields: ClassVar[tuple[str, ...]] = ()
    utc_millis_fields: ClassVar[tuple[str, ...]] = ()
    optional_replication_key: ClassVar[bool] = False

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = dict(self.params)
        for param, setting in self.setting_params.items():
            value = self.config.get(setting)
            if value in (None, "", []):
                continue
            if isinstance(value, list | tuple):
                value = (self.list_separator.join(str(v) for v in value)
                         if self.list_separator else list(value))
            params[param] = value
        return params

    @override
    def get_child_context(self, record: dict, context: Context | None) -> Context | None:
        if not self.child_context:
            return super().get_child_context(record, context)
        child = {key: field_at(record, path) for key, path in self.child_context.items()}
        missing = [path for key, path in self.child_context.items() if child[key] is None]
        if missing:
            raise ResponseShapeError(
                f"{self.name}: record {record.get('id', '?')} has no '{missing[0]}', so its "
                f"{', '.join(c.name for c in self.child_streams)} cannot be read")
        return child

    @override
    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        for key in self.context_fields:
            if row.get(key) is None and context and key in context:
                row[key] = context[key]
        for key in self.utc_millis_fields:
            value = row.get(key)
            try:
                moment = parse_time(value) if isinstance(value, str) and value else None
            except ValueError:
                moment = None  # left as it came; the schema check reports it
            if moment is not None:
                row[key] = format_utc_millis(moment)
        if self.optional_replication_key and self.replication_key:
            row.setdefault(self.replication_key, None)
        return row

    @override
    def advances_bookmark(self, record: dict) -> bool:
        return not (self.optional_replication_key and self.replication_key
                    and record.get(self.replication_key) is None)
