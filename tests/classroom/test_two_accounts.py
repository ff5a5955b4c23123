"""Two accounts of one API: the sandbox's second Classroom tenant has credentials and data of its
own, and the tap, given its credentials, reads only its data."""

from __future__ import annotations

import os

from sandbox.credentials import SECOND_TENANT, second_tenant_config, tap_config
from tests.classroom.test_sandbox_sync import KEYS
from tests.helpers import assert_matches_truth, key_set, run_tap

TAP = "tap-classroom"


def test_each_account_reads_its_own_data(sandbox):
    url = os.environ["SANDBOX_URL"]
    first = run_tap(TAP, tap_config(TAP, url))
    second = run_tap(TAP, second_tenant_config(TAP, url))
    first_truth, second_truth = sandbox.truth("classroom"), sandbox.truth("classroom", "second")
    assert_matches_truth(first, first_truth, KEYS)
    assert_matches_truth(second, second_truth, KEYS)
    ids = [key_set(run.records["courses"], ("id",)) for run in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]

    touched = sandbox.touch("classroom", "announcements", 2, tenant="second")
    changed = sandbox.truth("classroom", "second")["announcements"]
    assert {tuple(k) for k in touched} <= {(a["courseId"], a["id"]) for a in changed
                                           if "edited" in a["text"]}
    assert sandbox.truth("classroom")["announcements"] == first_truth["announcements"]


def test_credentials_of_two_accounts_do_not_mix(sandbox):
    mixed = {**tap_config(TAP, os.environ["SANDBOX_URL"]),
             "client_id": SECOND_TENANT[TAP]["client_id"],
             "client_secret": SECOND_TENANT[TAP]["client_secret"]}
    run = run_tap(TAP, mixed)
    assert run.returncode == 1 and "invalid_grant" in run.stderr
