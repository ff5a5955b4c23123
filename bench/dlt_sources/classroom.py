"""Seed 000 (Google Classroom) as a dlt source against the sandbox; the streams beyond the seed
in the seed's shape, all from bench/specs.py's table."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import refresh_token_auth, table_resources
from bench.specs import SPECS, Stream
from sandbox.credentials import CREDENTIALS

CURSOR = {"type": "cursor", "cursor_param": "pageToken", "cursor_path": "nextPageToken"}


def build_source(root: str) -> Any:
    spec = SPECS["classroom"]
    creds = CREDENTIALS[spec.tap]
    page = {"pageSize": spec.page_size}  # ADAPTED: same page size as the tap

    def endpoint(stream: Stream) -> dict[str, Any]:
        # ADAPTED: the table's paths: {courseId} resolved from courses.id (the seed's {course}
        # is never bound), the `-` wildcard for submissions (the seed's {coursework} is never
        # bound either), the tap's orderBy.
        return {"path": "/v1" + stream.path, "data_selector": stream.records,
                "paginator": dict(CURSOR), "params": {**page, **stream.params}}

    return rest_api_source({
        "client": {
            "base_url": f"{root}/classroom",  # ADAPTED: the sandbox
            # ADAPTED: `oauth2` is no dlt auth type; the refresh-token grant of the seed.
            "auth": refresh_token_auth(f"{root}/classroom/token", creds),
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": table_resources(spec.streams, endpoint),
    })
