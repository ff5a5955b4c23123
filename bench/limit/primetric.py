"""Primetric: three Django REST lists; follow the absolute ``next`` URL of each page."""

from __future__ import annotations

from bench.limit.common import Client, RecordWriter


def run(root: str, writer: RecordWriter) -> None:
    client = Client("tap-primetric")
    creds = client.creds
    client.bearer_from(f"{root}/primetric/auth/token/", {
        "grant_type": "client_credentials", "client_id": creds["client_id"],
        "client_secret": creds["client_secret"]})
    api = f"{root}/primetric/beta"
    for stream, path in [("assignments", "/assignments"), ("employees", "/employees"),
                         ("hashtags", "/hash_tags")]:
        url: str | None = api + path
        while url:
            body, _ = client.get(url)
            writer.write(stream, body.get("results") or [])
            url = body.get("next") or None
