"""Seed 003 (Basecamp) as a dlt source against the sandbox; the streams beyond the seed in the
seed's shape, all from bench/specs.py's table."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import refresh_token_auth, table_resources
from bench.specs import SPECS, Stream
from sandbox.credentials import CREDENTIALS

LINK = {"type": "header_link"}  # ADAPTED: the next URL is in the Link header
RECORDINGS = "/projects/recordings.json"


def endpoint(stream: Stream) -> dict[str, Any]:
    # ADAPTED: paths without the seed's /v1; bare arrays: `$`, not the seed's `data`; a
    # project's dock: the seed's `dock.*`.
    config: dict[str, Any] = {
        "path": stream.path, "paginator": dict(LINK),
        "data_selector": f"{stream.records}.*" if stream.records else "$"}
    if stream.path == RECORDINGS:
        # ADAPTED: the endpoint needs its type; the tap's order; dlt's incremental from 1970
        # (all history: the sandbox credentials have no start_date).
        config["params"] = dict(stream.params)
        config["incremental"] = {"cursor_path": "updated_at",
                                 "initial_value": "1970-01-01T00:00:00Z"}
    return config


def build_source(root: str) -> Any:
    spec = SPECS["basecamp"]
    creds = CREDENTIALS[spec.tap]
    return rest_api_source({
        "client": {
            "base_url": f"{root}/basecamp/{creds['account_id']}",  # ADAPTED: the sandbox
            # ADAPTED: refresh-token grant; the User-Agent Basecamp requires.
            "auth": refresh_token_auth(f"{root}/basecamp/launchpad/authorization/token", creds),
            "headers": {"User-Agent": creds["user_agent"]},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": table_resources(spec.streams, endpoint),
    })
