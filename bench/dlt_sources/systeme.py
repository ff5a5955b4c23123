"""Seed 004 (systeme.io) as a dlt source against the sandbox."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import LastKeyPaginator
from bench.specs import SPECS
from sandbox.credentials import CREDENTIALS


def build_source(root: str) -> Any:
    creds = CREDENTIALS["tap-systeme"]
    limit = {"limit": SPECS["systeme"].page_size or 100}  # ADAPTED: the seed's limit, as a param

    def resource(name: str, path: str, key: str = "id") -> dict[str, Any]:
        return {"name": name, "endpoint": {
            "path": path, "data_selector": "items",
            "paginator": LastKeyPaginator(key=key),  # ADAPTED: last item's key while hasMore
            "params": dict(limit)}}

    return rest_api_source({
        "client": {
            "base_url": f"{root}/systeme/api",  # ADAPTED: the sandbox
            "auth": {"type": "api_key", "name": "X-API-Key", "api_key": creds["api_key"],
                     "location": "header"},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            resource("communities", "/community/communities"),
            resource("contacts", "/contacts"),
            resource("tags", "/tags"),
            resource("contact_fields", "/contact_fields", key="slug"),
            resource("course_resources", "/school/courses"),
        ],
    })
