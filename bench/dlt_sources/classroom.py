"""Seed 000 (Google Classroom) as a dlt source against the sandbox."""

from __future__ import annotations

from typing import Any

from dlt.sources.rest_api import rest_api_source

from bench.dlt_sources.common import refresh_token_auth
from bench.specs import SPECS
from sandbox.credentials import CREDENTIALS

CURSOR = {"type": "cursor", "cursor_param": "pageToken", "cursor_path": "nextPageToken"}


def build_source(root: str) -> Any:
    creds = CREDENTIALS["tap-classroom"]
    page = {"pageSize": SPECS["classroom"].page_size}  # ADAPTED: same page size as the tap
    course = {"course": {"type": "resolve", "resource": "courses", "field": "id"}}  # ADAPTED

    def child(name: str, path: str, selector: str, **params: str) -> dict[str, Any]:
        return {"name": name, "endpoint": {
            "path": path, "data_selector": selector, "paginator": dict(CURSOR),
            "params": {**course, **page, **params}}}

    return rest_api_source({
        "client": {
            "base_url": f"{root}/classroom",  # ADAPTED: the sandbox
            # ADAPTED: `oauth2` is no dlt auth type; the refresh-token grant of the seed.
            "auth": refresh_token_auth(f"{root}/classroom/token", creds),
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            {"name": "courses", "endpoint": {
                "path": "/v1/courses", "data_selector": "courses", "paginator": dict(CURSOR),
                "params": dict(page)}},
            child("teachers", "/v1/courses/{course}/teachers", "teachers"),
            child("students", "/v1/courses/{course}/students", "students"),
            # ADAPTED: the tap's explicit orderBy (the API's default order): identical requests.
            child("announcements", "/v1/courses/{course}/announcements", "announcements",
                  orderBy="updateTime desc"),
            child("coursework", "/v1/courses/{course}/courseWork", "courseWork",
                  orderBy="updateTime desc"),
            # ADAPTED: the `-` wildcard (one walk per course) instead of {coursework}.
            child("studentsubmissions", "/v1/courses/{course}/courseWork/-/studentSubmissions",
                  "studentSubmissions"),
        ],
    })
