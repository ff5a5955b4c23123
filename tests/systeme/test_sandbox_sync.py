"""tap-systeme over real HTTP against the sandbox: truth, faults, the quota, cursors, bad config."""

from __future__ import annotations

import json
import os

import pytest
import requests

from sandbox.credentials import CREDENTIALS, tap_config
from tests import helpers
from tests.helpers import assert_one_clear_failure, run_tap

TAP, API = "tap-systeme", "systeme"
#: The streams of a default run (``subscriptions`` is opt-in: tests/systeme/test_coverage.py).
KEYS = {"communities": ("id",), "contacts": ("id",), "tags": ("id",),
        "contact_fields": ("slug",), "course_resources": ("id",), "enrollments": ("id",),
        "memberships": ("id",), "newsletters": ("id",)}
PATHS = {"communities": "/api/community/communities", "contacts": "/api/contacts",
         "tags": "/api/tags", "contact_fields": "/api/contact_fields",
         "course_resources": "/api/school/courses", "enrollments": "/api/school/enrollments",
         "memberships": "/api/community/memberships", "newsletters": "/api/mailing/newsletters"}


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def assert_matches_truth(run, truth):
    helpers.assert_matches_truth(run, truth, KEYS)
    assert set(run.records) == set(KEYS)


def test_full_sync_emits_exactly_the_api_records(sandbox):
    run = run_tap(TAP, config())
    assert_matches_truth(run, truth := sandbox.truth(API))
    for stream in KEYS:  # whole records, in the API's default order (id descending)
        assert run.records[stream] == truth[stream], stream
    assert all(r["query"]["limit"] == ["100"] for r in sandbox.requests(API))


def test_injected_faults_are_survived(sandbox):
    sandbox.faults(api=API, script={"2": "429", "4": "503", "6": "429-bare", "8": "reset",
                                    "10": "truncate"}, retry_after=0.2)
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API))
    assert sandbox.stats()[API]["faults"] == {"429": 1, "503": 1, "429-bare": 1, "reset": 1,
                                              "truncate": 1}


@pytest.mark.parametrize(("retry_after", "refill_format"), [
    (True, "timestamp"), (False, "timestamp"), (False, "seconds")])
def test_a_real_429_from_the_quota_is_survived(sandbox, retry_after, refill_format):
    sandbox.configure(API, rate_limit=8, refill_seconds=1, retry_after=retry_after,
                      refill_format=refill_format)
    # backoff alone (0.01 + 0.02 + 0.04 s) cannot outlast the 1 s window: the hint must be obeyed
    run = run_tap(TAP, config(backoff_factor=0.01))
    assert_matches_truth(run, sandbox.truth(API))
    assert "HTTP 429, retry 1" in run.stderr
    sent = sandbox.requests(API)
    pages = {json.dumps([r["path"], r["query"]], sort_keys=True) for r in sent}
    assert len(sent) > len(pages)  # some page was asked for twice


@pytest.mark.parametrize("page_size", [9, 101])
def test_page_size_out_of_range_is_refused_before_any_request(sandbox, page_size):
    run = run_tap(TAP, config(page_size=page_size))
    assert run.returncode == 1
    assert len(run.error_lines) == 1, run.stderr
    assert "page_size" in run.error_lines[0]
    assert run.messages == []
    assert sandbox.requests(API) == []


def test_small_pages_use_the_key_of_the_last_record_as_cursor(sandbox):
    run = run_tap(TAP, config(page_size=10))
    truth = sandbox.truth(API)
    assert_matches_truth(run, truth)
    sent = sandbox.requests(API)
    assert all(r["query"]["limit"] == ["10"] for r in sent)
    for stream, (key,) in KEYS.items():
        cursors = [r["query"].get("startingAfter", [None])[0] for r in sent
                   if r["path"] == PATHS[stream]]
        expected = [None] + [str(x[key]) for x in truth[stream][9::10]]
        assert cursors == expected[: len(cursors)], stream
        assert len(cursors) == -(-len(truth[stream]) // 10), stream
    fields = [r["query"] for r in sent if r["path"] == PATHS["contact_fields"]]
    assert fields[1]["startingAfter"] == [truth["contact_fields"][9]["slug"]]


def test_about_and_discover_need_only_a_config_file(sandbox):
    about = run_tap(TAP, config(), "--about", "--format=markdown")
    assert about.returncode == 0 and "page_size" in about.stdout
    discover = run_tap(TAP, config(), "--discover")
    catalog = json.loads(discover.stdout)
    assert {s["tap_stream_id"]: tuple(s["key_properties"]) for s in catalog["streams"]} == {
        **KEYS, "subscriptions": ("id",)}
    assert sandbox.stats()[API]["requests"] == 0


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"api_key": None}, "'api_key' is a required property"),
    ({"api_key": "wrong-systeme-key-42"}, "HTTP 401"),
    ({"api_url": "api.systeme.io/api"}, "'api_url' must be an http(s) URL"),
    ({"page_size": "ten"}, "'page_size' must be an integer, got 'ten'"),
])
def test_bad_config_is_one_clear_line_without_secrets(sandbox, overrides, expected):
    assert_one_clear_failure(TAP, {**config(), **overrides}, expected,
                             [CREDENTIALS[TAP]["api_key"], "wrong-systeme-key-42"])


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
