"""Seed 002 (Primetric) as a dlt source against the sandbox; the streams beyond the seed in the
seed's shape, all from bench/specs.py's table."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import table_resources
from bench.specs import SPECS, Stream
from sandbox.credentials import CREDENTIALS


def endpoint(stream: Stream) -> dict[str, Any]:
    if not stream.paged:  # ADAPTED: a bare array answered whole
        return {"path": "/beta" + stream.path, "data_selector": "$",
                "paginator": {"type": "single_page"}}
    # ADAPTED: /beta, the real API's prefix, instead of /v1; `next` holds the next page's
    # absolute URL: follow it.
    return {"path": "/beta" + stream.path, "data_selector": stream.records,
            "paginator": {"type": "json_link", "next_url_path": "next"}}


def build_source(root: str) -> Any:
    spec = SPECS["primetric"]
    creds = CREDENTIALS[spec.tap]
    return rest_api_source({
        "client": {
            "base_url": f"{root}/primetric",  # ADAPTED: the sandbox
            # ADAPTED: dlt's name for the client-credentials grant.
            "auth": {"type": "oauth2_client_credentials",
                     "access_token_url": f"{root}/primetric/auth/token/",
                     "client_id": creds["client_id"], "client_secret": creds["client_secret"]},
        },
        "resource_defaults": {"primary_key": "uuid", "write_disposition": "merge"},
        "resources": table_resources(spec.streams, endpoint),
    })
