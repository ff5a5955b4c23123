"""The sandbox's fake systeme.io API keeps the documented rules the tap relies on."""

from __future__ import annotations

import os

import pytest
import requests

from sandbox.credentials import CREDENTIALS

TAP, API = "tap-systeme", "systeme"


class TestTheFakeAPI:
    """The sandbox keeps the documented rules the tap relies on."""

    def get(self, path, key=CREDENTIALS[TAP]["api_key"], **params):
        headers = {"X-API-Key": key} if key else {}
        return requests.get(f"{os.environ['SANDBOX_URL']}/systeme/api{path}", params=params,
                            headers=headers, timeout=10)

    def test_key_required_and_rate_headers_on_every_answer(self, sandbox):
        for answer in (self.get("/tags", key=None), self.get("/tags", limit=5),
                       self.get("/tags")):
            assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Refill"} <= set(
                answer.headers)
        assert self.get("/tags", key="nope").status_code == 401

    @pytest.mark.parametrize("limit", ["9", "101", "x"])
    def test_limit_bounds(self, sandbox, limit):
        assert self.get("/contacts", limit=limit).status_code == 400

    def test_order_cursor_and_has_more(self, sandbox):
        desc = self.get("/tags", limit=10).json()
        ids = [t["id"] for t in desc["items"]]
        assert ids == sorted(ids, reverse=True) and desc["hasMore"] is True
        after = self.get("/tags", limit=10, startingAfter=ids[-1]).json()["items"]
        assert after[0]["id"] < ids[-1]
        asc = [t["id"] for t in self.get("/tags", limit=10, order="asc").json()["items"]]
        assert asc == sorted(asc) and asc[0] < ids[-1]
        assert self.get("/contact_fields", startingAfter="no_such_slug").status_code == 400

    def test_quota_429_with_and_without_retry_after(self, sandbox):
        sandbox.configure(API, rate_limit=1, refill_seconds=30)
        assert self.get("/tags").headers["X-RateLimit-Remaining"] == "0"
        limited = self.get("/tags")
        assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 30
        sandbox.configure(API, rate_limit=1, refill_seconds=30, retry_after=False,
                          refill_format="seconds")
        self.get("/tags")
        limited = self.get("/tags")
        assert limited.status_code == 429 and "Retry-After" not in limited.headers
        assert 0 < int(limited.headers["X-RateLimit-Refill"]) <= 30
