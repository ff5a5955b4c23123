"""tap-systeme over real HTTP against the sandbox: truth, faults, the quota, cursors, bad config."""

from __future__ import annotations

import json
import os

import pytest

from sandbox.credentials import tap_config
from tests import helpers
from tests.helpers import run_tap

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
