"""tap-primetric's executable against the sandbox over real HTTP."""

from __future__ import annotations

import base64
import json
import os
import time

import pytest
import requests

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
    run = run_tap(TAP, config())
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


def test_wrong_secret_is_one_clear_error_without_the_secret(sandbox):
    wrong = "sbx-primetric-WRONG-1f2e3d"
    run = run_tap(TAP, config(client_secret=wrong), env={"LOGLEVEL": "DEBUG"})
    assert run.returncode == 1
    assert len(run.error_lines) == 1, run.stderr[-2000:]
    assert "HTTP 401" in run.error_lines[0] and "invalid_client" in run.error_lines[0]
    assert wrong not in run.stdout + run.stderr
    assert not [m for m in run.messages if m["type"] == "RECORD"]
    assert_no_secrets([run.stdout, run.stderr], SECRETS)


def test_missing_client_secret_is_one_clear_error(sandbox):
    settings = config()
    del settings["client_secret"]
    run = run_tap(TAP, settings)
    assert run.returncode == 1
    assert len(run.error_lines) == 1 and "client_secret" in run.error_lines[0]
    assert sandbox.stats()[API]["requests"] == 0


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
