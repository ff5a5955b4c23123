"""Seed 003 (Basecamp) as a dlt source against the sandbox."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import refresh_token_auth
from sandbox.credentials import CREDENTIALS

LINK = {"type": "header_link"}  # ADAPTED: the next URL is in the Link header


def is_schedule(tool: dict) -> bool:
    """The dock tools the tap emits as schedules."""
    return tool.get("name") == "schedule" and bool(tool.get("enabled"))


def build_source(root: str) -> Any:
    creds = CREDENTIALS["tap-basecamp"]
    everything = {"cursor_path": "updated_at", "initial_value": "1970-01-01T00:00:00Z"}

    def recordings(name: str, kind: str) -> dict[str, Any]:
        return {"name": name, "endpoint": {
            "path": "/projects/recordings.json", "data_selector": "$", "paginator": dict(LINK),
            # ADAPTED: the endpoint needs its type; the tap's order.
            "params": {"type": kind, "sort": "updated_at", "direction": "desc"},
            "incremental": dict(everything)}}  # ADAPTED: dlt's incremental

    return rest_api_source({
        "client": {
            "base_url": f"{root}/basecamp/{creds['account_id']}",  # ADAPTED: the sandbox
            # ADAPTED: refresh-token grant; the User-Agent Basecamp requires.
            "auth": refresh_token_auth(f"{root}/basecamp/launchpad/authorization/token", creds),
            "headers": {"User-Agent": creds["user_agent"]},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            {"name": "projects", "endpoint": {
                "path": "/projects.json", "data_selector": "$",  # ADAPTED: bare arrays
                "paginator": dict(LINK)}},
            {"name": "schedules", "endpoint": {
                "path": "/projects/{project_id}.json", "data_selector": "dock.*",
                "paginator": dict(LINK),
                "params": {"project_id": {"type": "resolve", "resource": "projects",
                                          "field": "id"}}},  # ADAPTED: bind project_id
             "include_from_parent": ["id"],  # ADAPTED: the project id, for the entries' path
             "processing_steps": [{"filter": is_schedule}]},  # ADAPTED: schedules only
            {"name": "schedule_entries", "endpoint": {
                "path": "/buckets/{project_id}/schedules/{schedule_id}/entries.json",
                "data_selector": "$", "paginator": dict(LINK),
                "params": {  # ADAPTED: bind both ids from the schedule
                    "project_id": {"type": "resolve", "resource": "schedules",
                                   "field": "_projects_id"},
                    "schedule_id": {"type": "resolve", "resource": "schedules",
                                    "field": "id"}}}},
            recordings("todos", "Todo"),
            recordings("messages", "Message"),
        ],
    })
