"""tap-basecamp over real HTTP against the sandbox: truth, faults, incremental and resumed runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from sandbox.apis.basecamp import gear_slice
from sandbox.client import SandboxClient
from sandbox.credentials import CREDENTIALS, tap_config
from tests import helpers
from tests.helpers import BIN, TapRun, run_tap

TAP, PREFIX = "tap-basecamp", "basecamp"
STREAMS = ("projects", "schedules", "schedule_entries", "todos", "messages", "people",
           "comments", "documents", "uploads", "todolists", "vaults", "question_answers",
           "card_table_cards", "campfires", "campfire_lines")
ID = ("id",)
TODOS_PAGE_3 = "type=Todo&sort=updated_at&direction=desc&page=3"


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def assert_matches_truth(run, truth):
    helpers.assert_matches_truth(run, truth, dict.fromkeys(STREAMS, ID))


def recording_pages(sandbox, kind: str, since: int = 0) -> int:
    """How many pages of ``/projects/recordings.json?type=<kind>`` were asked for."""
    return sum(1 for r in sandbox.requests(PREFIX)[since:]
               if r["path"].endswith("/projects/recordings.json") and r["query"]["type"] == [kind])


def run_and_kill(cfg: dict, state: dict, sandbox: SandboxClient, path: str) -> TapRun:
    """Run the tap and send it SIGTERM once it is waiting for an answer from ``path``."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / f"{name}.json" for name in ("config", "state")}
        paths["config"].write_text(json.dumps(cfg))
        paths["state"].write_text(json.dumps(state))
        with open(Path(tmp) / "stdout", "w+") as stdout, \
                open(Path(tmp) / "stderr", "w+") as stderr:
            process = subprocess.Popen(
                [str(BIN / TAP), "--config", str(paths["config"]), "--state",
                 str(paths["state"])], stdout=stdout, stderr=stderr, text=True)
            deadline = time.monotonic() + 30
            while not any(path in r["path"] + "?" + "&".join(
                    f"{k}={v[-1]}" for k, v in r["query"].items())
                    for r in sandbox.requests(PREFIX)):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            stdout.seek(0)
            stderr.seek(0)
            messages = [json.loads(line) for line in stdout if line.startswith("{")]
            return TapRun(process.returncode, "", stderr.read(), messages)


def test_full_sync_equals_the_api(sandbox):
    run = run_tap(TAP, config())
    truth = sandbox.truth(PREFIX)
    assert_matches_truth(run, truth)
    assert all(run.records[s] for s in STREAMS)
    by_id = {r["id"]: r for r in truth["schedules"]}
    assert all(r["project_id"] == by_id[r["id"]]["project_id"] for r in run.records["schedules"])
    pages = next(p for p in range(1, 99) if gear_slice(p)[1] >= len(truth["todos"]))
    assert recording_pages(sandbox, "Todo") == pages  # 15, 30, 50, then 100 a page
    output = run.stdout + run.stderr
    assert CREDENTIALS[TAP]["client_secret"] not in output
    assert CREDENTIALS[TAP]["refresh_token"] not in output


def test_429_with_retry_after_503_and_401_are_survived(sandbox):
    sandbox.faults(api=PREFIX, script={"3": "429", "6": "503", "9": "401", "12": "reset"},
                   retry_after=1.5)
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(PREFIX))
    assert "HTTP 429, retry 1 in 1.5 s" in run.stderr  # Retry-After wins over backoff_factor
    assert sandbox.stats()[PREFIX]["tokens_issued"] == 2  # one new token after the 401


def test_second_run_asks_for_fewer_pages_and_emits_only_newer_records(sandbox):
    first = run_tap(TAP, config())
    assert first.returncode == 0, first.stderr[-2000:]
    before = {k: recording_pages(sandbox, k) for k in ("Todo", "Message")}
    bookmarks = {s: first.last_state["bookmarks"][s]["replication_key_value"]
                 for s in ("todos", "messages")}
    touched = {"todos": sandbox.touch(PREFIX, "todos", 7),
               "messages": sandbox.touch(PREFIX, "messages", 3)}
    since = len(sandbox.requests(PREFIX))
    second = run_tap(TAP, config(), state=first.last_state)
    assert second.returncode == 0, second.stderr[-2000:]
    for stream, kind in (("todos", "Todo"), ("messages", "Message")):
        assert recording_pages(sandbox, kind, since) < before[kind]
        emitted = second.records[stream]
        assert {str(k) for k in touched[stream]} <= {str(r["id"]) for r in emitted}
        old = [r for r in emitted if r["id"] not in touched[stream]]
        assert all(r["updated_at"] == bookmarks[stream] for r in old)  # only ties come again
        assert second.last_state["bookmarks"][stream]["replication_key_value"] == max(
            r["updated_at"] for r in emitted)
    assert len(second.records["projects"]) == len(first.records["projects"])  # full table


def test_an_interrupted_run_resumes_from_its_last_state_without_loss(sandbox):
    first = run_tap(TAP, config())
    assert first.returncode == 0, first.stderr[-2000:]
    touched = set(sandbox.touch(PREFIX, "todos", 60))  # pages 1 to 3 of the next run
    sandbox.faults(api=PREFIX, rate=1.0, kinds=["503"], only=TODOS_PAGE_3)
    broken = run_tap(TAP, config(max_retries=1), state=first.last_state)
    assert broken.returncode == 1
    assert "todos" in broken.error_lines[-1] and "HTTP 503" in broken.error_lines[-1]
    got = {r["id"] for r in broken.records["todos"]}
    assert got and touched - got  # it stopped half-way through the newer records
    old = first.last_state["bookmarks"]["todos"]["replication_key_value"]
    assert broken.last_state["bookmarks"]["todos"]["replication_key_value"] == old

    sandbox.faults(api=PREFIX)  # the outage is over
    resumed = run_tap(TAP, config(), state=broken.last_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert touched <= got | {r["id"] for r in resumed.records["todos"]}
    truth = sandbox.truth(PREFIX)["todos"]
    seen = {r["id"] for run in (first, broken, resumed) for r in run.records["todos"]}
    assert seen == {r["id"] for r in truth}
    newest = max(r["updated_at"] for r in truth)
    assert resumed.last_state["bookmarks"]["todos"]["replication_key_value"] == newest


def test_a_killed_run_leaves_the_old_bookmark_and_resumes_without_loss(sandbox):
    first = run_tap(TAP, config())
    assert first.returncode == 0, first.stderr[-2000:]
    touched = set(sandbox.touch(PREFIX, "todos", 60))  # pages 1 to 3 of the next run
    sandbox.reset()  # request log only: the kill waits for the page-3 request
    sandbox.faults(api=PREFIX, rate=1.0, kinds=["slow"], only=TODOS_PAGE_3, slow_seconds=5)
    # sequential, so that the page-3 request comes after pages 1 and 2 were written (a kill
    # while pages and streams are read ahead: tests/reliability/test_resume.py)
    killed = run_and_kill(config(max_concurrency=1), first.last_state, sandbox, TODOS_PAGE_3)
    assert killed.returncode == 143  # SIGTERM: the last STATE is written, the run is not a success
    assert "Stopped by signal 15 before the sync finished" in killed.stderr
    got = {r["id"] for r in killed.records["todos"]}
    assert got and touched - got  # killed before page 3 came back
    bookmark = killed.last_state["bookmarks"]["todos"]
    old = first.last_state["bookmarks"]["todos"]["replication_key_value"]
    assert bookmark["replication_key_value"] == old
    assert bookmark["progress_markers"]["replication_key_value"] > old  # not resumable, wiped

    sandbox.faults(api=PREFIX)
    resumed = run_tap(TAP, config(), state=killed.last_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert touched <= got | {r["id"] for r in resumed.records["todos"]}
    assert resumed.last_state["bookmarks"]["todos"]["replication_key_value"] == max(
        r["updated_at"] for r in sandbox.truth(PREFIX)["todos"])


@pytest.mark.parametrize(("configure", "overrides", "expected"), [
    ({}, {"account_id": "12345"}, "/basecamp/12345/chats.json"),  # campfires: first by name
    ({"account_inactive": True}, {}, "Reason: Account Inactive"),
])
def test_404_is_fatal_at_once_and_names_the_url(sandbox, configure, overrides, expected):
    if configure:
        sandbox.configure(PREFIX, **configure)
    run = run_tap(TAP, config(**overrides))
    assert run.returncode == 1
    assert "HTTP 404" in run.error_lines[-1] and expected in run.error_lines[-1]
    paths = sandbox.stats()[PREFIX]["paths"]
    assert sum(paths.values()) == 2  # the token, then one try: never retried


def test_about_and_discover_need_only_a_config_file(sandbox):
    about = run_tap(TAP, config(), "--about", "--format=markdown")
    assert about.returncode == 0 and "user_agent" in about.stdout
    catalog = json.loads(run_tap(TAP, config(), "--discover").stdout)
    assert {s["tap_stream_id"] for s in catalog["streams"]} == set(STREAMS)
    assert sandbox.stats()[PREFIX]["requests"] == 0
