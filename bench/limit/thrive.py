"""Thrive: three lists paged by ``page``/``perPage`` until ``pagination.totalPages``."""

from __future__ import annotations

from datetime import datetime, timezone

from bench.limit.common import Client, RecordWriter
from bench.specs import SPECS


def spaced(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, as the API's time filters want."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def run(root: str, writer: RecordWriter) -> None:
    client = Client("tap-thrive")
    creds = client.creds
    client.basic(creds["username"], creds["password"])
    api = f"{root}/thrive/rest/v1"
    size = int(SPECS["thrive"].page_size or 200)
    start = datetime.fromisoformat(creds["start_date"].replace("Z", "+00:00"))
    window = {"timestampFrom": spaced(start), "timestampTo": spaced(datetime.now(timezone.utc))}
    for stream, path, params in [("content", "/contents", {}), ("users", "/users", {}),
                                 ("activities", "/activities", window)]:
        page = 1
        while True:
            body, _ = client.get(api + path, {**params, "page": page, "perPage": size})
            records = body.get("results") or []
            writer.write(stream, records)
            total = (body.get("pagination") or {}).get("totalPages")
            more = page < int(total) if total is not None else len(records) >= size
            if not records or not more:
                break
            page += 1
