"""End to end: ``meltano run <tap> target-postgres`` against the sandbox, checked in Postgres."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.credentials import CREDENTIALS, SECRETS, tap_config
from sandbox.schemas import schema_name
from tests.helpers import key_set

ROOT = Path(__file__).resolve().parents[2]
MELTANO = str(Path(sys.executable).parent / "meltano")
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
PREFIX = {"tap-classroom": "classroom", "tap-thrive": "thrive", "tap-primetric": "primetric",
          "tap-basecamp": "basecamp", "tap-systeme": "systeme"}


def _postgres():
    """A connection to the local Postgres; skip (or fail under CI) when there is none."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        return psycopg2.connect(connect_timeout=3, **PG)
    except psycopg2.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL on 127.0.0.1:5432 (database test): {exc}")
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 (database test): {exc}")


@pytest.fixture(scope="module")
def postgres():
    connection = _postgres()
    connection.autocommit = True
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def meltano_installed() -> None:
    done = subprocess.run([MELTANO, "install"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def meltano_env(tap: str, sandbox_url: str, schema: str) -> dict[str, str]:
    """Settings as environment variables (they win over meltano.yml), pointing at the sandbox."""
    env = {**os.environ, "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
           "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for key, value in tap_config(tap, sandbox_url).items():  # numbers too (declared strings)
        env[f"{tap.upper().replace('-', '_')}_{key.upper()}"] = str(value)
    return env


def meltano_run(tap: str, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MELTANO, "--environment", "sandbox", "run", *flags, "--state-id-suffix", "e2e", tap,
         "target-postgres"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        check=False)


def table_keys(postgres, schema: str, table: str, keys: tuple[str, ...]) -> set[tuple]:
    columns = ", ".join(f'"{k}"' for k in keys)
    with postgres.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{schema}"."{table}"')
        return {tuple(str(v) for v in row) for row in cursor.fetchall()}


def stream_keys(tap: str) -> dict[str, tuple[str, ...]]:
    """Key properties of the streams a default run selects (not the opt-in ones)."""
    about = subprocess.run([str(Path(sys.executable).parent / tap), "--discover", "--config",
                            "ENV"], capture_output=True, text=True, check=True,
                           env={**os.environ, **{f"{tap.upper().replace('-', '_')}_{k.upper()}":
                                                 str(v) for k, v in CREDENTIALS[tap].items()}})
    catalog = json.loads(about.stdout)
    return {s["tap_stream_id"]: tuple(s["key_properties"]) for s in catalog["streams"]
            if not any(m["breadcrumb"] == [] and m["metadata"].get("selected-by-default") is False
                       for m in s["metadata"])}


def tables(postgres, schema: str) -> set[str]:
    with postgres.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                       (schema,))
        return {row[0] for row in cursor.fetchall()}


#: Incremental streams the sandbox can touch, per tap.
INCREMENTAL = {"tap-classroom": ("announcements", "coursework"), "tap-thrive": ("content", "users"),
               "tap-basecamp": ("todos", "messages")}


def loaded_since(postgres, schema: str, table: str, keys: tuple[str, ...], moment) -> set[tuple]:
    columns = ", ".join(f'"{k}"' for k in keys)
    with postgres.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{schema}"."{table}" WHERE _sdc_batched_at > %s',
                       (moment,))
        return {tuple(str(v) for v in row) for row in cursor.fetchall()}


@pytest.mark.parametrize("tap", list(PREFIX))
def test_meltano_run_lands_every_record_in_postgres(tap, sandbox, postgres, meltano_installed):
    schema = schema_name(f"e2e_{tap.replace('-', '_')}")
    with postgres.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    env = meltano_env(tap, sandbox.url, schema)
    done = meltano_run(tap, env, "--full-refresh")
    assert done.returncode == 0, done.stderr[-4000:]
    keys = stream_keys(tap)
    assert tables(postgres, schema) == set(keys)  # every default stream, no opt-in one
    truth = sandbox.truth(PREFIX[tap])
    for stream, key in keys.items():
        assert table_keys(postgres, schema, stream, key) == key_set(truth[stream], key), stream
    output = done.stdout + done.stderr
    assert not [s for s in SECRETS if s in output]

    # A second run from the state Meltano stored: incremental streams load only what changed.
    touched = {s: {tuple(str(v) for v in (k if isinstance(k, list) else [k]))
                   for k in sandbox.touch(PREFIX[tap], s, 2)} for s in INCREMENTAL.get(tap, ())}
    with postgres.cursor() as cursor:
        cursor.execute("SELECT now()")
        between = cursor.fetchone()[0]
    again = meltano_run(tap, env)
    assert again.returncode == 0, again.stderr[-4000:]
    truth = sandbox.truth(PREFIX[tap])
    partitions = len(truth["courses"]) if tap == "tap-classroom" else 1
    for stream, key in keys.items():
        assert table_keys(postgres, schema, stream, key) == key_set(truth[stream], key), stream
        if stream in touched:
            fresh = loaded_since(postgres, schema, stream, key, between)
            assert touched[stream] <= fresh, stream
            assert len(fresh) <= len(touched[stream]) + 3 * partitions, stream
