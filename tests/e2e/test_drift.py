"""End to end: records whose values drifted from the schema still land in Postgres through
``meltano run tap-primetric target-postgres`` (the target validates every record against the
SCHEMA before it, so without the widened SCHEMA the load would fail)."""

from __future__ import annotations

import subprocess

from sandbox.schemas import schema_name
from tests.e2e.test_meltano_postgres import (  # noqa: F401  (fixtures)
    MELTANO,
    ROOT,
    meltano_env,
    meltano_installed,
    postgres,
)

SCHEMA = schema_name("e2e_drift")


def test_a_drifted_record_is_loaded(sandbox, postgres, meltano_installed):  # noqa: F811
    """A number where the schema says string, inside an object (a JSONB column). (A top-level
    type change reaches target-postgres 0.8 too, which then refuses to alter the column's
    type: the README says so.)"""
    with postgres.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    sandbox.drift("primetric", path=r"/assignments", field="daily_data.start", value=20240101,
                  limit=2)
    truth = sandbox.truth("primetric")

    done = subprocess.run(
        [MELTANO, "--environment", "sandbox", "run", "--full-refresh", "--state-id-suffix",
         "e2e-drift", "tap-primetric", "target-postgres"], cwd=ROOT,
        env=meltano_env("tap-primetric", sandbox.url, SCHEMA), capture_output=True, text=True,
        timeout=600, check=False)

    assert done.returncode == 0, done.stderr[-4000:]
    assert ("schema drift: field 'daily_data.start' is declared string or null but the API "
            "sent integer") in done.stderr
    with postgres.cursor() as cursor:
        cursor.execute(f"""SELECT count(*), count(*) FILTER (
                               WHERE jsonb_typeof(daily_data->'start') = 'number'
                               AND daily_data->>'start' = '20240101')
                           FROM "{SCHEMA}".assignments""")
        assert cursor.fetchone() == (len(truth["assignments"]), 2)
        cursor.execute(f"""SELECT count(*) FROM "{SCHEMA}".assignments
                           WHERE jsonb_typeof(daily_data->'start') = 'string'""")
        assert cursor.fetchone()[0] > 0  # the other records as they were
