"""Airflow: the suite's Meltano project on many workers, one ``meltano run`` per account slice.

Every task runs on a worker of its own (a Celery worker, a Kubernetes pod: an image with this
project and ``meltano install`` baked in), so each has its own ``.meltano/`` folder; they share
Meltano's system database in Postgres, which holds the state (one state id per slice). See
README.md, "Running at scale". Airflow is not a dependency of the suite: the tests only parse this
file, and build the DAG where Airflow happens to be installed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.bash import BashOperator

#: The Meltano project inside the worker image.
PROJECT = "/opt/singer-tap-suite"
#: Meltano's system database (runs and state) in Postgres, shared by all workers; needs
#: ``meltano[postgres]`` in the image. Kept in an Airflow Variable (it holds a password).
SYSTEM_DB = "{{ var.value.meltano_database_uri }}"
#: Per Meltano plugin (one plugin per account, see meltano.yml's tap-classroom-second): how many
#: slices of it run at once. The API's request budget bounds this, not the number of workers:
#: meltano.yml gives each slice max_requests_per_second = budget / slices (README).
ACCOUNTS = {
    "tap-classroom": 4,  # a big Workspace domain: its courses in 4 slices
    "tap-classroom-second": 1,  # a small one: the whole account in one run
    "tap-basecamp": 2,  # projects in 2 slices; the recordings in slice 0
}
#: One Airflow pool per API, with as many slots as slices may run at once within its quota.
POOLS = {"tap-classroom": "classroom_api", "tap-classroom-second": "classroom_api",
         "tap-basecamp": "basecamp_api"}


def slice_task(plugin: str, index: int, count: int) -> BashOperator:
    """``meltano run`` of slice ``index`` of ``count`` of ``plugin``: its own state id suffix,
    its own target schema (a full-table stream's ACTIVATE_VERSION would otherwise retire the
    rows the other slices loaded)."""
    prefix = plugin.upper().replace("-", "_")
    name = f"slice-{index}-of-{count}"
    return BashOperator(
        task_id=f"{plugin}.{name}",
        bash_command=f"meltano --environment prod run --state-id-suffix {name} {plugin} "
                     f"target-postgres",
        cwd=PROJECT,
        env={"MELTANO_DATABASE_URI": SYSTEM_DB,
             f"{prefix}_SHARD": f"{index}/{count}",
             "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": f"{prefix.lower()}_{index}_of_{count}"},
        append_env=True,
        pool=POOLS[plugin],
    )


with DAG(
    dag_id="singer_tap_suite_at_scale",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # a slice never runs twice at once (Meltano refuses it anyway)
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
) as dag:
    # Creates (or migrates) the system database's tables once, before the slices start at once.
    system_db = BashOperator(task_id="meltano-system-db", bash_command="meltano state list",
                             cwd=PROJECT, env={"MELTANO_DATABASE_URI": SYSTEM_DB},
                             append_env=True)
    for plugin, count in ACCOUNTS.items():
        for index in range(count):
            system_db >> slice_task(plugin, index, count)
