"""Seed 001 (Thrive Learning) as a dlt source against the sandbox; the streams beyond the seed
in the seed's shape, all from bench/specs.py's table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import ShortPagePaginator, table_resources
from bench.specs import SPECS, Stream, format_time
from sandbox.credentials import CREDENTIALS


def converter(time_format: str) -> Callable[[Any], str]:
    """An incremental value as the API's time filters want it (``YYYY-MM-DD HH:MM:SS`` or ISO
    8601 with milliseconds, UTC)."""
    def convert(value: Any) -> str:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return format_time(moment, time_format)
    return convert


def build_source(root: str) -> Any:
    spec = SPECS["thrive"]
    creds = CREDENTIALS[spec.tap]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def endpoint(stream: Stream) -> dict[str, Any]:
        size = spec.page_size_of(stream, 200)  # ADAPTED: the tap's page size (100 where capped)
        # ADAPTED: page_number takes no limit/limit_param; perPage is a param, pages start at 1,
        # the stop rule is pagination.totalPages; a bare array stops on a short page.
        paginator: Any = ({"type": "page_number", "page_param": "page", "base_page": 1,
                           "total_path": "pagination.totalPages"} if stream.records
                          else ShortPagePaginator(size))
        config: dict[str, Any] = {"path": "/v1" + stream.path,
                                  "data_selector": stream.records or "$",
                                  "paginator": paginator, "params": {"perPage": size}}
        window = stream.window
        if window and stream.parent:
            # ADAPTED: dlt's incremental on a child is one cursor across all parents (it raises
            # the lower bound after the first parent and drops older records of the others):
            # the tap's window as fixed params, start_date to now, the same for every parent.
            convert = converter(window.time_format)
            config["params"].update({window.since: convert(creds["start_date"]),
                                     window.until: convert(now)})
        elif window:
            # ADAPTED: the seed's incremental_sync in dlt's own terms.
            config["incremental"] = {
                "start_param": window.since, "end_param": window.until,
                "cursor_path": window.cursor, "initial_value": creds["start_date"],
                "end_value": now, "convert": converter(window.time_format)}
        return config

    return rest_api_source({
        "client": {
            "base_url": f"{root}/thrive/rest",  # ADAPTED: the sandbox
            # ADAPTED: dlt calls it http_basic.
            "auth": {"type": "http_basic", "username": creds["username"],
                     "password": creds["password"]},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": table_resources(spec.streams, endpoint),
    })
