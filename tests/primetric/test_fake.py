"""The sandbox's fake Primetric API: tokens, DRF pages, paths, endpoints and seeded data."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

import pytest
import requests

from sandbox.apis.primetric import BARE_ROUTES, MAX_RAG_RATINGS, ROUTES, PrimetricAPI
from sandbox.credentials import CREDENTIALS
from tests.primetric.catalog import BARE_ARRAYS, STREAMS

TAP, API = "tap-primetric", "primetric"
CREDS = CREDENTIALS[TAP]
BASE = os.environ["SANDBOX_URL"] + "/primetric"


def token() -> dict[str, str]:
    answer = requests.post(f"{BASE}/auth/token/", timeout=10, data={
        "grant_type": "client_credentials", **CREDS})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


class TestFakeAPI:
    """The sandbox behaves like Primetric where the tap depends on it."""

    base = os.environ["SANDBOX_URL"] + "/primetric"

    def token(self, **kwargs) -> requests.Response:
        return requests.post(f"{self.base}/auth/token/", timeout=10, **kwargs)

    def test_token_from_form_or_basic(self, sandbox):
        form = self.token(data={"grant_type": "client_credentials", **CREDS})
        basic = base64.b64encode(f"{CREDS['client_id']}:{CREDS['client_secret']}".encode())
        header = self.token(data={"grant_type": "client_credentials"},
                            headers={"Authorization": f"Basic {basic.decode()}"})
        for answer in (form, header):
            assert answer.status_code == 200
            assert set(answer.json()) >= {"access_token", "expires_in", "token_type"}
            assert answer.json()["expires_in"] == 3600

    def test_token_rejections(self, sandbox):
        bad = self.token(data={"grant_type": "client_credentials", "client_id": "x",
                               "client_secret": "y"})
        assert (bad.status_code, bad.json()) == (401, {"error": "invalid_client"})
        grant = self.token(data={"grant_type": "password", **CREDS})
        assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")

    def test_drf_pages_and_expiring_tokens(self, sandbox):
        sandbox.configure(API, token_ttl=1)
        token = self.token(data={"grant_type": "client_credentials", **CREDS}).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        first = requests.get(f"{self.base}/beta/employees/", params={"page_size": 50},
                             headers=auth, timeout=10).json()
        assert set(first) == {"count", "next", "previous", "results"}
        assert first["previous"] is None and len(first["results"]) == 50
        assert first["next"] == f"{self.base}/beta/employees/?page_size=50&page=2"
        second = requests.get(first["next"], headers=auth, timeout=10).json()
        assert second["previous"] == f"{self.base}/beta/employees/?page_size=50"
        beyond = requests.get(f"{self.base}/beta/employees", params={"page": 99},
                              headers=auth, timeout=10)
        assert (beyond.status_code, beyond.json()) == (404, {"detail": "Invalid page."})
        assert requests.get(f"{self.base}/beta/hash_tags", timeout=10).status_code == 401
        time.sleep(1.1)
        expired = requests.get(f"{self.base}/beta/hash_tags", headers=auth, timeout=10)
        assert expired.status_code == 401


@pytest.mark.parametrize("path", ["/beta/assignments", "/beta/assignments/"])
def test_paths_with_and_without_trailing_slash(sandbox, path):
    base = os.environ["SANDBOX_URL"] + "/primetric"
    token = requests.post(f"{base}/auth/token/", timeout=10,
                          data={"grant_type": "client_credentials", **CREDS}).json()
    answer = requests.get(base + path, timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 200 and answer.json()["count"] == len(
        sandbox.truth(API)["assignments"])


class TestFakeEndpoints:
    """Each new endpoint of the fake answers as Primetric does."""

    @pytest.mark.parametrize("path", [p for p in ROUTES if p not in
                                      ("assignments", "employees", "hash_tags")])
    def test_lists_are_drf_pages_with_absolute_next_links(self, sandbox, path):
        truth = sandbox.truth(API)[ROUTES[path]]
        first = requests.get(f"{BASE}/beta/{path}", params={"page_size": 2}, headers=token(),
                             timeout=10)
        assert first.status_code == 200
        body = first.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["previous"], body["results"]) == (len(truth), None, truth[:2])
        assert body["next"] == f"{BASE}/beta/{path}?page_size=2&page=2"
        slash = requests.get(f"{BASE}/beta/{path}/", headers=token(), timeout=10).json()
        assert slash["results"] == truth[:100]
        assert requests.get(f"{BASE}/beta/{path}", timeout=10).status_code == 401

    @pytest.mark.parametrize("path", list(BARE_ROUTES))
    def test_bare_arrays_are_whole_and_ignore_page_parameters(self, sandbox, path):
        truth = sandbox.truth(API)[BARE_ROUTES[path]]
        for params in ({}, {"page": 2, "page_size": 1}):
            answer = requests.get(f"{BASE}/beta/{path}", params=params, headers=token(),
                                  timeout=10)
            assert (answer.status_code, answer.json()) == (200, truth)
        assert requests.get(f"{BASE}/beta/{path}", timeout=10).status_code == 401

    def test_unknown_lists_are_drf_404(self, sandbox):
        for path in ("organization", "organization/unknown", "projects/vacancies"):
            answer = requests.get(f"{BASE}/beta/{path}", headers=token(), timeout=10)
            assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."}), path


class TestSeededData:
    """The fake's data: deterministic, scaled by volume (bare arrays stay small), and with the
    nulls, omitted fields, unicode and nested objects that real answers have."""

    def test_volume_scales_the_lists_but_not_the_bare_arrays(self):
        small, large = PrimetricAPI(3, 200).truth(), PrimetricAPI(3, 6000).truth()
        for stream in STREAMS:
            if stream in BARE_ARRAYS:
                assert 0 < len(large[stream]) <= MAX_RAG_RATINGS, stream
            else:
                assert 0 < len(small[stream]) < len(large[stream]), stream
        assert PrimetricAPI(3, 200).truth() == small

    def test_nulls_omissions_unicode_and_nested_objects(self):
        truth = PrimetricAPI(1, 1000).truth()

        def values(node: Any) -> list:
            if isinstance(node, dict):
                return [x for v in node.values() for x in [v, *values(v)]]
            if isinstance(node, list):
                return [x for v in node for x in [v, *values(v)]]
            return []

        for stream in ("people", "projects", "projects_vacancies", "rag_ratings", "timeoffs",
                       "worklogs"):
            assert None in values(truth[stream]), stream
        for stream in ("people", "projects", "rag_ratings", "timeoffs", "skills"):
            assert any(isinstance(v, dict) for v in values(truth[stream])), stream
        for stream in STREAMS:
            text = json.dumps(truth[stream], ensure_ascii=False)
            assert not text.isascii(), stream
        assert any("has_children" not in s for s in truth["skills"])
        skills = {s["uuid"]: s for s in truth["skills"]}
        for skill in skills.values():  # a consistent tree
            assert skill["level"] == len(skill["ancestors"])
            assert skill["path"].startswith("/".join(skills[a]["name"]
                                                     for a in skill["ancestors"]))

    def test_links_between_lists_point_at_real_records(self):
        truth = PrimetricAPI(1, 1000).truth()
        ids = {stream: {r.get("uuid") for r in records} for stream, records in truth.items()}
        assert {r["project_id"] for r in truth["rag_ratings"]} <= ids["projects"]
        assert {r["project_id"] for r in truth["projects_vacancies"]} <= ids["projects"]
        assert {r["employee_id"] for r in truth["timeoffs"]} <= ids["employees"]
        assert {r["assignment_id"] for r in truth["worklogs"]} - {None} <= ids["assignments"]
        scopes = {x["rag_scope_uuid"] for r in truth["rag_ratings"] for x in r["rag_ratings"]}
        assert scopes == ids["organization_rag_scopes"]
        assert {r["approved_by"]["uuid"] for r in truth["timeoffs"] if r["approved_by"]} <= (
            ids["people"])
