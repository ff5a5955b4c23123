"""tap-primetric's executable against the sandbox over real HTTP."""

from __future__ import annotations

import json
import os

from sandbox.credentials import CREDENTIALS, SECRETS, tap_config
from tests.helpers import assert_matches_truth, assert_no_secrets, run_tap
from tests.primetric.catalog import KEYS, STREAMS

TAP, API = "tap-primetric", "primetric"
CREDS = CREDENTIALS[TAP]


def config(**overrides) -> dict:
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def test_full_sync_equals_the_sandbox(sandbox):
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API), KEYS, nonempty=True)
    truth = sandbox.truth(API)
    for stream in STREAMS:  # nested fields, unicode and nulls come through unchanged
        assert run.records[stream] == truth[stream]
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    assert {s: schemas[s]["key_properties"] for s in STREAMS} == {
        s: list(k) for s, k in KEYS.items()}
    stats = sandbox.stats()[API]
    assert stats["tokens_issued"] == 1
    assert_no_secrets([run.stdout, run.stderr], SECRETS)


def test_short_lived_tokens_are_renewed_mid_sync(sandbox):
    sandbox.configure(API, token_ttl=1, page_size=40)
    sandbox.latency(60, api=API)
    run = run_tap(TAP, config(max_concurrency=1))  # read ahead, the paging would end sooner
    assert_matches_truth(run, sandbox.truth(API), KEYS, nonempty=True)
    stats = sandbox.stats()[API]
    pages = stats["requests"] - stats["paths"]["/auth/token/"]
    assert pages >= 25  # about 1.5 s of paging with 1-second tokens
    assert stats["tokens_issued"] >= 2
    assert_no_secrets([run.stdout, run.stderr], SECRETS)


def test_revoked_token_gets_one_new_token_and_one_retry(sandbox):
    sandbox.faults(api=API, script={"3": "401"})
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API), KEYS, nonempty=True)
    stats = sandbox.stats()[API]
    assert stats["faults"] == {"401": 1}
    assert stats["tokens_issued"] == 2
    assert_no_secrets([run.stdout, run.stderr], SECRETS)


def test_injected_429_and_5xx_are_survived(sandbox):
    sandbox.faults(api=API, retry_after=0.1,
                   script={"1": "503", "3": "429", "5": "500", "6": "502", "9": "429-bare",
                           "12": "504"})
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API), KEYS, nonempty=True)
    stats = sandbox.stats()[API]
    assert sum(stats["faults"].values()) == 6
    assert "retry" in run.stderr


def test_discovery_makes_no_request(sandbox):
    run = run_tap(TAP, config(), "--discover")
    assert run.returncode == 0
    catalog = json.loads(run.stdout)
    assert len(catalog["streams"]) == 21
    assert sorted(s["tap_stream_id"] for s in catalog["streams"]) == sorted(STREAMS)
    for entry in catalog["streams"]:
        meta = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        assert entry["key_properties"] == list(KEYS[entry["tap_stream_id"]])
        assert not entry.get("replication_key") and not meta.get("replication-key")
        assert meta.get("selected-by-default") is True, entry["tap_stream_id"]
    assert sandbox.stats()[API]["requests"] == 0
