"""Seed 002 (Primetric) as a dlt source against the sandbox."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from sandbox.credentials import CREDENTIALS


def build_source(root: str) -> Any:
    creds = CREDENTIALS["tap-primetric"]
    # ADAPTED: `next` holds the next page's absolute URL: follow it.
    paginator = {"type": "json_link", "next_url_path": "next"}
    return rest_api_source({
        "client": {
            "base_url": f"{root}/primetric",  # ADAPTED: the sandbox
            # ADAPTED: dlt's name for the client-credentials grant.
            "auth": {"type": "oauth2_client_credentials",
                     "access_token_url": f"{root}/primetric/auth/token/",
                     "client_id": creds["client_id"], "client_secret": creds["client_secret"]},
        },
        "resource_defaults": {"primary_key": "uuid", "write_disposition": "merge"},
        "resources": [
            # ADAPTED: /beta, the real API's prefix, instead of /v1.
            {"name": "assignments", "endpoint": {"path": "/beta/assignments",
                                                 "data_selector": "results",
                                                 "paginator": dict(paginator)}},
            {"name": "employees", "endpoint": {"path": "/beta/employees",
                                               "data_selector": "results",
                                               "paginator": dict(paginator)}},
            {"name": "hashtags", "endpoint": {"path": "/beta/hash_tags",
                                              "data_selector": "results",
                                              "paginator": dict(paginator)}},
        ],
    })
