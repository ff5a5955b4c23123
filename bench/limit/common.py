"""What every bare loop shares: one session, msgspec decoding, RECORD-line writing and the walk
over a tap's table of streams (bench/specs.py)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO

import msgspec
import requests

from bench.specs import Stream, TapSpec
from sandbox.credentials import CREDENTIALS

_decode = msgspec.json.Decoder().decode


class RecordWriter:
    """Writes each record as one Singer RECORD line (msgspec-encoded) to a binary stream."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.encode = msgspec.json.Encoder().encode
        self.count = 0

    def write(self, stream: str, records: list[dict]) -> None:
        """One RECORD line per record, written once per page."""
        if not records:
            return
        extracted = datetime.now(timezone.utc).isoformat()
        encode = self.encode
        lines = [encode({"type": "RECORD", "stream": stream, "record": record,
                         "time_extracted": extracted}) for record in records]
        lines.append(b"")
        self.out.write(b"\n".join(lines))
        self.count += len(records)


class Client:
    """One keep-alive session with the credentials set once."""

    def __init__(self, tap: str, user_agent: str = "bench-limit/1") -> None:
        self.creds = CREDENTIALS[tap]
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": str(self.creds.get("user_agent", user_agent)),
                                     "Accept": "application/json"})

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, requests.Response]:
        """GET ``url``; the decoded JSON body and the response."""
        response = self.session.get(url, params=params, timeout=60)
        response.raise_for_status()
        return _decode(response.content), response

    def bearer_from(self, token_url: str, form: dict[str, str]) -> None:
        """Fetch one OAuth token and send it on every later request."""
        response = self.session.post(token_url, data=form, timeout=60)
        response.raise_for_status()
        token = _decode(response.content)["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def refresh_token_grant(self, token_url: str) -> None:
        """OAuth ``grant_type=refresh_token`` with the tap's sandbox credentials."""
        creds = self.creds
        self.bearer_from(token_url, {
            "grant_type": "refresh_token", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"], "refresh_token": creds["refresh_token"]})

    def basic(self, user: str, password: str) -> None:
        """HTTP Basic, encoded once."""
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.session.headers["Authorization"] = f"Basic {pair}"

    def link_pages(self, url: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
        """Pages of a bare JSON array (or ``{"data": [...]}``) linked by ``Link: rel="next"``."""
        while url:
            body, response = self.get(url, params)
            yield body.get("data", []) if isinstance(body, dict) else body
            url, params = response.links.get("next", {}).get("url"), None


#: A tap's pagination: the pages (lists of records) of ``stream`` at ``path`` (its placeholders
#: filled), relative to the API root.
Pages = Callable[[Stream, str], Iterator[list[dict]]]


def field_at(record: dict, path: str) -> Any:
    """The value at dotted ``path`` (``"bucket.id"``) of ``record``."""
    value: Any = record
    for part in path.split("."):
        value = value[part]
    return value


def walk(spec: TapSpec, client: Client, writer: RecordWriter, pages: Pages) -> None:
    """Every stream of ``spec``: the top-level ones in table order, each child once per record of
    its parent, as the tap walks them; ``where``, ``link`` and ``add`` as the table says."""
    children: dict[str | None, list[Stream]] = {}
    for stream in spec.streams:
        children.setdefault(stream.parent, []).append(stream)

    def sync(stream: Stream, context: dict[str, Any]) -> None:
        kids = children.get(stream.name, ())
        for records in pages(stream, stream.path.format(**context)):
            if stream.where:
                records = [r for r in records
                           if all(r.get(k) == v for k, v in stream.where.items())]
            if stream.link:
                records = [client.get(r[stream.link])[0] for r in records]
            for name in stream.add:
                value = context[name]
                for record in records:
                    record.setdefault(name, value)
            writer.write(stream.name, records)
            for child in kids:
                for record in records:
                    sync(child, {k: field_at(record, p) for k, p in child.context.items()})

    for stream in children.get(None, ()):
        sync(stream, {})
