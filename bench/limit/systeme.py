"""systeme.io: five lists paged by ``limit`` and ``startingAfter=<key of the last item>``."""

from __future__ import annotations

from bench.limit.common import Client, RecordWriter
from bench.specs import SPECS


def run(root: str, writer: RecordWriter) -> None:
    client = Client("tap-systeme")
    client.session.headers["X-API-Key"] = client.creds["api_key"]
    api = f"{root}/systeme/api"
    limit = {"limit": int(SPECS["systeme"].page_size or 100)}
    for stream, path in [("communities", "/community/communities"), ("contacts", "/contacts"),
                         ("tags", "/tags"), ("contact_fields", "/contact_fields"),
                         ("course_resources", "/school/courses")]:
        key = SPECS["systeme"].keys[stream][0]
        params = dict(limit)
        while True:
            body, _ = client.get(api + path, params)
            items = body.get("items") or []
            writer.write(stream, items)
            if not items or not body.get("hasMore"):
                break
            params = {**limit, "startingAfter": items[-1][key]}
