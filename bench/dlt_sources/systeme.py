"""Seed 004 (systeme.io) as a dlt source against the sandbox; the streams beyond the seed in the
seed's shape, all from bench/specs.py's table."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import LastKeyPaginator, table_resources
from bench.specs import SPECS, Stream
from sandbox.credentials import CREDENTIALS


def build_source(root: str) -> Any:
    spec = SPECS["systeme"]
    creds = CREDENTIALS[spec.tap]
    limit = {"limit": spec.page_size or 100}  # ADAPTED: the seed's limit, as a param

    def endpoint(stream: Stream) -> dict[str, Any]:
        return {"path": stream.path, "data_selector": stream.records,
                # ADAPTED: the last item's key (id, or slug) while hasMore
                "paginator": LastKeyPaginator(key=stream.key[0]), "params": dict(limit)}

    return rest_api_source({
        "client": {
            "base_url": f"{root}/systeme/api",  # ADAPTED: the sandbox
            "auth": {"type": "api_key", "name": "X-API-Key", "api_key": creds["api_key"],
                     "location": "header"},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": table_resources(spec.streams, endpoint),
    })
