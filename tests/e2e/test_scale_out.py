"""End to end, at scale (issue 19): two accounts of one tap as two Meltano plugins, and one
account in three slices run at once, with Meltano's state in Postgres (the system database)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from sandbox.credentials import SECRETS
from sandbox.schemas import schema_name
from tapkit.shards import slice_of
from tapkit.times import parse_time
from tests.e2e.test_meltano_postgres import (  # noqa: F401  (fixtures)
    MELTANO,
    PG,
    ROOT,
    meltano_installed,
    postgres,
)
from tests.helpers import key_set

#: The schema of Meltano's system database (runs and state) for these tests.
SYSTEM_SCHEMA = schema_name("e2e_scale_meltano")
SYSTEM_DB = (f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{PG['dbname']}"
             f"?options={quote(f'-csearch_path={SYSTEM_SCHEMA}')}")
SLICES = 3
KEYS = {"courses": ("id",), "students": ("courseId", "userId"),
        "announcements": ("courseId", "id"), "guardians": ("studentId", "guardianId")}


@pytest.fixture(scope="module")
def system_db(postgres, meltano_installed) -> Iterator[str]:  # noqa: F811
    """A fresh Meltano system database in Postgres, its tables created before any run (the
    runs below start at once and must not race to create them)."""
    with postgres.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SYSTEM_SCHEMA}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{SYSTEM_SCHEMA}"')
    done = subprocess.run([MELTANO, "state", "list"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "MELTANO_DATABASE_URI": SYSTEM_DB}, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    yield SYSTEM_DB


def worker(folder: Path) -> str:
    """A worker's own ``.meltano`` folder (MELTANO_SYS_DIR_ROOT), sharing the installed plugins:
    Meltano 4.4 writes a plugin's config, catalog and state files to ``.meltano/run/<plugin>/``,
    so two runs of one plugin at once in one folder would overwrite each other's files. Workers
    on different machines (or containers) each have their own."""
    folder.mkdir(parents=True)
    for installed in ("extractors", "loaders"):
        (folder / installed).symlink_to(ROOT / ".meltano" / installed)
    return str(folder)


def plugin_env(plugin: str, sandbox_url: str, schema: str, streams: list[str], folder: Path,
               **settings: str) -> dict[str, str]:
    """The sandbox URLs, the streams to select, the target schema, a worker folder of its own,
    and Postgres as Meltano's system database; the credentials are the sandbox environment's in
    meltano.yml."""
    prefix = plugin.upper().replace("-", "_")
    env = {**os.environ, "MELTANO_DATABASE_URI": SYSTEM_DB,
           "MELTANO_SYS_DIR_ROOT": worker(folder),
           "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
           "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
           f"{prefix}_API_URL": f"{sandbox_url}/classroom/v1",
           f"{prefix}_TOKEN_URL": f"{sandbox_url}/classroom/token",
           f"{prefix}__SELECT": json.dumps([f"{s}.*" for s in streams])}
    env.update({f"{prefix}_{k.upper()}": v for k, v in settings.items()})
    return env


def start(plugin: str, suffix: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [MELTANO, "--environment", "sandbox", "run", "--state-id-suffix", suffix, plugin,
         "target-postgres"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def finish(processes: list[subprocess.Popen]) -> str:
    """Wait for every run; each must succeed. Their output, joined."""
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-4000:]
        outputs.append(stdout + stderr)
    return "\n".join(outputs)


def reset_schemas(postgres, *schemas: str) -> None:  # noqa: F811
    with postgres.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def loaded(postgres, schema: str, table: str, since=None) -> list[tuple]:  # noqa: F811
    """The keys of ``table`` (loaded after ``since``, if given), duplicates kept."""
    columns = ", ".join(f'"{k}"' for k in KEYS[table])
    where = " WHERE _sdc_batched_at > %s" if since is not None else ""
    with postgres.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',))
        if cursor.fetchone()[0] is None:
            return []
        cursor.execute(f'SELECT {columns} FROM "{schema}"."{table}"{where}',
                       (since,) if since is not None else None)
        return [tuple(str(v) for v in row) for row in cursor.fetchall()]


def stored_states(postgres) -> dict[str, dict]:  # noqa: F811
    """Meltano's stored state per state id, from the system database's ``state`` table."""
    with postgres.cursor() as cursor:
        cursor.execute(f'SELECT state_id, completed_state FROM "{SYSTEM_SCHEMA}".state')
        return {row[0]: row[1] if isinstance(row[1], dict) else json.loads(row[1])
                for row in cursor.fetchall()}


def now(postgres):  # noqa: F811
    with postgres.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def test_two_accounts_are_two_plugins_with_their_own_data_and_state(sandbox, postgres,  # noqa: F811
                                                                     system_db, tmp_path):
    """tap-classroom and tap-classroom-second (inherit_from: tap-classroom), each with the
    credentials of one sandbox tenant, run at once into their own schemas."""
    streams = ["courses", "students", "announcements"]
    runs = {"tap-classroom": (schema_name("e2e_scale_account_a"), None),
            "tap-classroom-second": (schema_name("e2e_scale_account_b"), "second")}
    reset_schemas(postgres, *(schema for schema, _ in runs.values()))

    output = finish([start(plugin, "e2e-scale", plugin_env(plugin, sandbox.url, schema, streams,
                                                           tmp_path / plugin))
                     for plugin, (schema, _) in runs.items()])

    courses = []
    for plugin, (schema, tenant) in runs.items():
        truth = sandbox.truth("classroom", tenant=tenant)
        for stream in streams:
            keys = loaded(postgres, schema, stream)
            assert set(keys) == key_set(truth[stream], KEYS[stream]), (plugin, stream)
            assert len(keys) == len(set(keys)), (plugin, stream)
        courses.append(set(loaded(postgres, schema, "courses")))
    assert courses[0] and courses[1] and not courses[0] & courses[1]  # two accounts' data
    states = stored_states(postgres)
    for plugin in runs:
        assert f"sandbox:{plugin}-to-target-postgres:e2e-scale" in states
    assert not [s for s in SECRETS if s in output]


def test_three_slices_at_once_make_the_full_sync_and_rerun_only_what_changed(
        sandbox, postgres, system_db, tmp_path):  # noqa: F811
    """Slices k/3 of one account run at the same time, each into its own schema with its own
    state (--state-id-suffix slice-k) in Postgres; together they hold the full sync's keys,
    none twice. Then, after edits, every slice re-reads only the edited records and those at
    its bookmark (the inclusive boundary)."""
    sandbox.reset(volume=2000)  # 16 courses: every slice gets some
    streams = ["courses", "students", "announcements", "guardians"]
    schemas = [schema_name(f"e2e_scale_slice_{k}") for k in range(SLICES)]
    reset_schemas(postgres, *schemas)

    def run_all_slices(round: int) -> str:
        return finish([start("tap-classroom", f"e2e-scale-slice-{k}", plugin_env(
            "tap-classroom", sandbox.url, schemas[k], streams,
            tmp_path / f"round-{round}-slice-{k}", shard=f"{k}/{SLICES}"))
                       for k in range(SLICES)])

    run_all_slices(1)
    truth = sandbox.truth("classroom")
    slice_of_course = {c["id"]: slice_of(c["id"], SLICES) for c in truth["courses"]}
    assert set(slice_of_course.values()) == set(range(SLICES))
    for stream, key in KEYS.items():
        per_slice = [loaded(postgres, schema, stream) for schema in schemas]
        union = [k for keys in per_slice for k in keys]
        assert set(union) == key_set(truth[stream], key), stream
        assert len(union) == len(set(union)), f"{stream}: a record in two slices"
        if stream == "guardians":  # over the whole account: slice 0 only
            assert per_slice[0] and not per_slice[1] and not per_slice[2]
        else:  # each course's records in the course's slice
            for k, keys in enumerate(per_slice):
                assert {slice_of_course[key[0]] for key in keys} == {k}, stream

    states = stored_states(postgres)
    bookmarks = []
    for k in range(SLICES):
        state = states[f"sandbox:tap-classroom-to-target-postgres:e2e-scale-slice-{k}"]
        entry = state["singer_state"]["bookmarks"]["announcements"]
        assert {slice_of_course[c] for c in entry["parents"]} == {k}  # its own courses only
        bookmarks.append(parse_time(entry["replication_key_value"]))

    touched = {tuple(key) for key in sandbox.touch("classroom", "announcements", 4)}
    between = now(postgres)
    run_all_slices(2)
    truth = sandbox.truth("classroom")
    for k, schema in enumerate(schemas):
        mine = [a for a in truth["announcements"] if slice_of_course[a["courseId"]] == k]
        assert set(loaded(postgres, schema, "announcements")) == key_set(mine, KEYS[
            "announcements"])
        expected = key_set([a for a in mine if parse_time(a["updateTime"]) >= bookmarks[k]],
                           KEYS["announcements"])
        fresh = set(loaded(postgres, schema, "announcements", since=between))
        assert {t for t in touched if slice_of_course[t[0]] == k} <= fresh
        assert fresh == expected, f"slice {k} re-read more than the edits and its boundary"
