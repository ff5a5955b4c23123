"""systeme.io: lists paged by ``limit`` and ``startingAfter=<key of the last item>`` while
``hasMore``; the streams as bench/specs.py lists them."""

from __future__ import annotations

from collections.abc import Iterator

from bench.limit.common import Client, RecordWriter, walk
from bench.specs import SPECS, Stream


def run(root: str, writer: RecordWriter) -> None:
    spec = SPECS["systeme"]
    client = Client(spec.tap)
    client.session.headers["X-API-Key"] = client.creds["api_key"]
    api = f"{root}/systeme/api"
    limit = {"limit": spec.page_size or 100}

    def pages(stream: Stream, path: str) -> Iterator[list[dict]]:
        key = stream.key[0]
        params = dict(limit)
        while True:
            body, _ = client.get(api + path, params)
            items = body.get(stream.records) or []
            yield items
            if not items or not body.get("hasMore"):
                return
            params = {**limit, "startingAfter": items[-1][key]}

    walk(spec, client, writer, pages)
