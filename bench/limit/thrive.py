"""Thrive: lists paged by ``page``/``perPage`` until ``pagination.totalPages`` or, for bare
arrays, a short page; event lists in the window from ``start_date`` to now; the streams as
bench/specs.py lists them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from bench.limit.common import Client, RecordWriter, walk
from bench.specs import SPECS, Stream, format_time


def run(root: str, writer: RecordWriter) -> None:
    spec = SPECS["thrive"]
    client = Client(spec.tap)
    creds = client.creds
    client.basic(creds["username"], creds["password"])
    api = f"{root}/thrive/rest/v1"
    start = datetime.fromisoformat(creds["start_date"].replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)

    def pages(stream: Stream, path: str) -> Iterator[list[dict]]:
        size = spec.page_size_of(stream, 200)
        params = dict(stream.params)
        if window := stream.window:
            params[window.since] = format_time(start, window.time_format)
            params[window.until] = format_time(now, window.time_format)
        page = 1
        while True:
            body, _ = client.get(api + path, {**params, "page": page, "perPage": size})
            if stream.records:
                records = body.get(stream.records) or []
                total = (body.get("pagination") or {}).get("totalPages")
            else:
                records, total = body, None
            yield records
            more = page < int(total) if total is not None else len(records) >= size
            if not records or not more:
                return
            page += 1

    walk(spec, client, writer, pages)
