"""Google Classroom: courses, then per course its lists, and the guardian lists; ``pageToken``
cursors; the streams as bench/specs.py lists them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench.limit.common import Client, RecordWriter, walk
from bench.specs import SPECS, Stream


def pages(client: Client, url: str, key: str, params: dict[str, Any]) -> Iterator[list[dict]]:
    """Token-cursor pages; stop when ``nextPageToken`` is absent or empty."""
    query = dict(params)
    while True:
        body, _ = client.get(url, query)
        yield body.get(key) or []
        token = body.get("nextPageToken")
        if not token:
            return
        query = {**params, "pageToken": token}


def run(root: str, writer: RecordWriter) -> None:
    spec = SPECS["classroom"]
    client = Client(spec.tap)
    client.refresh_token_grant(f"{root}/classroom/token")
    api = f"{root}/classroom/v1"
    size = {"pageSize": spec.page_size}

    def stream_pages(stream: Stream, path: str) -> Iterator[list[dict]]:
        return pages(client, api + path, str(stream.records), {**stream.params, **size})

    walk(spec, client, writer, stream_pages)
