"""Google Classroom: courses, then per course the five lists, ``pageToken`` cursors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench.limit.common import Client, RecordWriter
from bench.specs import SPECS

#: stream -> (path under the course, records key, fixed params): as tap_classroom.streams.
CHILDREN = [
    ("teachers", "teachers", "teachers", {}),
    ("students", "students", "students", {}),
    ("announcements", "announcements", "announcements", {"orderBy": "updateTime desc"}),
    ("coursework", "courseWork", "courseWork", {"orderBy": "updateTime desc"}),
    ("studentsubmissions", "courseWork/-/studentSubmissions", "studentSubmissions", {}),
]


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
    client = Client("tap-classroom")
    client.refresh_token_grant(f"{root}/classroom/token")
    api = f"{root}/classroom/v1"
    size = {"pageSize": SPECS["classroom"].page_size}
    for courses in pages(client, f"{api}/courses", "courses", size):
        writer.write("courses", courses)
        for course in courses:
            base = f"{api}/courses/{course['id']}/"
            for stream, path, key, params in CHILDREN:
                for records in pages(client, base + path, key, {**params, **size}):
                    writer.write(stream, records)
