"""The README's "Running at scale" and its orchestrator example (examples/airflow_dag.py): the
example parses, names plugins that meltano.yml defines, and gives every slice its own state id,
shard and schema; where Airflow is installed, the DAG builds."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "airflow_dag.py"


def constant(tree: ast.Module, name: str):
    """The literal value assigned to module-level ``name``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name
                                                for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{EXAMPLE.name} has no {name}")


def test_the_readme_has_the_section_and_points_at_the_example():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running at scale", 1)[1].split("\n## ", 1)[0]
    assert "examples/airflow_dag.py" in section
    for needed in ("inherit_from: tap-classroom", "shard", "course_ids", "project_ids",
                   "--state-id-suffix", "MELTANO_DATABASE_URI", "max_requests_per_second",
                   "rate_limit_window", "1,200", "3,000"):
        assert needed in section, needed


def test_the_example_parses_and_runs_one_meltano_run_per_slice():
    source = EXAMPLE.read_text()
    tree = ast.parse(source, filename=str(EXAMPLE))
    compile(tree, str(EXAMPLE), "exec")
    accounts, pools = constant(tree, "ACCOUNTS"), constant(tree, "POOLS")
    project = YAML(typ="safe").load((ROOT / "meltano.yml").read_text())
    extractors = {e["name"] for e in project["plugins"]["extractors"]}
    assert set(accounts) <= extractors and set(pools) == set(accounts)
    assert all(isinstance(n, int) and n >= 1 for n in accounts.values())
    assert "--state-id-suffix {name}" in source and 'f"{prefix}_SHARD"' in source
    assert re.search(r"TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA.*index", source)


def test_the_dag_builds_where_airflow_is_installed():
    if importlib.util.find_spec("airflow") is None:
        pytest.skip("Airflow is not installed (the suite does not need it)")
    spec = importlib.util.spec_from_file_location("airflow_dag_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ids = {t.task_id for t in module.dag.tasks}
    assert len(ids) == 1 + sum(module.ACCOUNTS.values())
