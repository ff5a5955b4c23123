"""The README's "Tested targets": target-jsonl and target-csv from meltano.yml (Postgres:
test_meltano_postgres.py), run in the sandbox environment, which follows SANDBOX_PORT; and
ACTIVATE_VERSION making target-postgres end the roster rows the source no longer has."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sandbox.schemas import schema_name
from tests.e2e.test_meltano_postgres import (  # noqa: F401  (fixtures)
    MELTANO,
    ROOT,
    meltano_installed,
    postgres,
)
from tests.e2e.test_scale_out import worker
from tests.helpers import key_set

KEYS = {"contacts": ("id",), "tags": ("id",), "contact_fields": ("slug",)}


def meltano_run(tap: str, target: str, sandbox, folder: Path, **env: str) -> str:
    """``meltano --environment sandbox run`` with only SANDBOX_PORT pointing it at the session's
    sandbox, in a Meltano folder of its own (parallel runs of one plugin must not share one)."""
    done = subprocess.run(
        [MELTANO, "--environment", "sandbox", "run", "--full-refresh", "--state-id-suffix",
         f"e2e-{uuid.uuid4().hex[:8]}", tap, target], cwd=ROOT, capture_output=True, text=True,
        timeout=600, check=False,
        env={**os.environ, "SANDBOX_PORT": str(urlsplit(sandbox.url).port),
             "MELTANO_SYS_DIR_ROOT": worker(folder / "meltano"),
             "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", **env})
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout + done.stderr


def test_target_jsonl(sandbox, meltano_installed, tmp_path):  # noqa: F811
    out = tmp_path / "jsonl"
    out.mkdir()
    meltano_run("tap-systeme", "target-jsonl", sandbox, tmp_path,
                TARGET_JSONL_DESTINATION_PATH=str(out))
    truth = sandbox.truth("systeme")
    for stream, key in KEYS.items():
        rows = [json.loads(line) for line in (out / f"{stream}.jsonl").read_text().splitlines()]
        assert key_set(rows, key) == key_set(truth[stream], key), stream
        assert len(rows) == len(truth[stream]), stream


def test_target_csv(sandbox, meltano_installed, tmp_path):  # noqa: F811
    out = tmp_path / "csv"
    meltano_run("tap-systeme", "target-csv", sandbox, tmp_path, TARGET_CSV_OUTPUT_PATH=str(out))
    truth = sandbox.truth("systeme")
    for stream, key in KEYS.items():
        with (out / f"{stream}.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert key_set(rows, key) == key_set(truth[stream], key), stream
        assert len(rows) == len(truth[stream]), stream


def test_rows_the_source_deleted_are_ended_in_postgres(sandbox, postgres, meltano_installed,  # noqa: F811
                                                       tmp_path):
    """meltano.yml turns emit_activate_version_messages on: a student gone from a course is
    marked deleted (``_sdc_deleted_at``) by target-postgres on the next run."""
    schema = schema_name("e2e_activate_version")
    with postgres.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    env = {"TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
           "TAP_CLASSROOM__SELECT": json.dumps(["courses.*", "students.*"])}
    key = ("courseId", "userId")
    before = key_set(sandbox.truth("classroom")["students"], key)
    meltano_run("tap-classroom", "target-postgres", sandbox, tmp_path / "first", **env)
    sandbox.reset(seed=2)  # the same courses, some students gone, others new
    after = key_set(sandbox.truth("classroom")["students"], key)
    gone = before - after
    assert gone and after - before
    meltano_run("tap-classroom", "target-postgres", sandbox, tmp_path / "second", **env)
    with postgres.cursor() as cursor:
        cursor.execute(f'SELECT "courseId", "userId", _sdc_deleted_at IS NOT NULL '
                       f'FROM "{schema}".students')
        rows = {(str(c), str(u)): deleted for c, u, deleted in cursor.fetchall()}
    assert set(rows) == before | after
    assert {k for k, deleted in rows.items() if deleted} == gone


@pytest.fixture(autouse=True)
def _no_stale_port(monkeypatch):
    """The runs get the port through SANDBOX_PORT alone."""
    monkeypatch.delenv("SANDBOX_PORT", raising=False)
