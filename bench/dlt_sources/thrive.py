"""Seed 001 (Thrive Learning) as a dlt source against the sandbox."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.specs import SPECS
from sandbox.credentials import CREDENTIALS


def spaced(value: Any) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, the format the API's time filters accept."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def build_source(root: str) -> Any:
    creds = CREDENTIALS["tap-thrive"]
    size = SPECS["thrive"].page_size or 200
    # ADAPTED: page_number takes no limit/limit_param; perPage is a param, pages start at 1.
    paginator = {"type": "page_number", "page_param": "page", "base_page": 1,
                 "total_path": "pagination.totalPages"}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def endpoint(path: str, **extra: Any) -> dict[str, Any]:
        return {"path": path, "data_selector": "results", "paginator": dict(paginator),
                "params": {"perPage": size}, **extra}

    return rest_api_source({
        "client": {
            "base_url": f"{root}/thrive/rest",  # ADAPTED: the sandbox
            # ADAPTED: dlt calls it http_basic.
            "auth": {"type": "http_basic", "username": creds["username"],
                     "password": creds["password"]},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            {"name": "content", "endpoint": endpoint("/v1/contents")},
            {"name": "users", "endpoint": endpoint("/v1/users")},
            # ADAPTED: the seed's incremental_sync in dlt's own terms.
            {"name": "activities", "endpoint": endpoint("/v1/activities", incremental={
                "start_param": "timestampFrom", "end_param": "timestampTo",
                "cursor_path": "date", "initial_value": creds["start_date"],
                "end_value": now, "convert": spaced})},
        ],
    })
