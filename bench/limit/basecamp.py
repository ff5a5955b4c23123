"""Basecamp: projects -> each project's enabled schedules (read from the dock entries' urls) ->
their entries, people, Campfires -> their lines, and the recording types; every list follows
``Link: rel="next"``; the streams as bench/specs.py lists them."""

from __future__ import annotations

from collections.abc import Iterator

from bench.limit.common import Client, RecordWriter, walk
from bench.specs import SPECS, Stream


def run(root: str, writer: RecordWriter) -> None:
    spec = SPECS["basecamp"]
    client = Client(spec.tap)
    client.refresh_token_grant(f"{root}/basecamp/launchpad/authorization/token")
    api = f"{root}/basecamp/{client.creds['account_id']}"

    def pages(stream: Stream, path: str) -> Iterator[list[dict]]:
        if not stream.paged:  # one object, the list inside it (a project's dock)
            yield client.get(api + path)[0].get(stream.records) or []
            return
        yield from client.link_pages(api + path, stream.params or None)

    walk(spec, client, writer, pages)
