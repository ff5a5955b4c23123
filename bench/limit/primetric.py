"""Primetric: Django REST lists, following the absolute ``next`` URL of each page, and two bare
arrays answered whole; the streams as bench/specs.py lists them."""

from __future__ import annotations

from collections.abc import Iterator

from bench.limit.common import Client, RecordWriter, walk
from bench.specs import SPECS, Stream


def run(root: str, writer: RecordWriter) -> None:
    spec = SPECS["primetric"]
    client = Client(spec.tap)
    creds = client.creds
    client.bearer_from(f"{root}/primetric/auth/token/", {
        "grant_type": "client_credentials", "client_id": creds["client_id"],
        "client_secret": creds["client_secret"]})
    api = f"{root}/primetric/beta"

    def pages(stream: Stream, path: str) -> Iterator[list[dict]]:
        if not stream.paged:
            yield client.get(api + path)[0]
            return
        url: str | None = api + path
        while url:
            body, _ = client.get(url)
            yield body.get(stream.records) or []
            url = body.get("next") or None

    walk(spec, client, writer, pages)
