"""The Hub definitions in plugins/ and the extractors in meltano.yml match the taps' --about."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from plugins.generate import SDK_SETTINGS, TAPS, installed_taps
from plugins.meltano_project import add_registry_taps
from sandbox.credentials import CREDENTIALS
from taps.registry import TAPS as REGISTRY
from taps.registry import Tap
from tests.helpers import tap_class

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_generated_files_are_current():
    done = subprocess.run([sys.executable, "plugins/generate.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr + " (run `make plugins`)"


@pytest.mark.parametrize("tap", list(TAPS))
def test_hub_definition_matches_about(tap):
    assert tap in installed_taps()
    about = json.loads(subprocess.run([str(BIN / tap), "--about", "--format=json"],
                                      capture_output=True, text=True, check=True).stdout)
    hub = YAML(typ="safe").load((ROOT / "plugins" / "extractors" /
                                 f"{tap}--singer-tap-suite.yml").read_text())
    for key in ("name", "namespace", "variant", "label", "description", "docs", "repo",
                "pip_url", "executable", "capabilities", "keywords", "domain_url", "settings",
                "settings_group_validation", "logo_url", "quality", "supported_python_versions"):
        assert hub.get(key), f"{tap}: {key} missing"
    assert "meltano_sdk" in hub["keywords"] and "api" in hub["keywords"]  # "api": the category
    assert hub["pip_url"] == f"{tap}=={about['version']}"
    assert hub["maintenance_status"] == "beta"
    assert hub["supported_python_versions"] == about["supported_python_versions"]
    assert set(hub["capabilities"]) == set(about["capabilities"])
    props = about["settings"]["properties"]  # the tap's own settings and the SDK's
    assert set(props) >= SDK_SETTINGS
    settings = {s["name"]: s for s in hub["settings"]}
    assert set(settings) == set(props)
    for name, prop in props.items():
        assert bool(settings[name].get("sensitive")) == bool(prop.get("secret")), name
        assert settings[name]["description"].startswith(prop.get("description", "")), name
        if "default" in prop:
            assert settings[name]["value"] == prop["default"], name
    assert hub["settings_group_validation"] == [about["settings"].get("required", [])]


#: The kind Meltano must give each JSON Schema type for ``meltano config set`` and environment
#: variables to reach the tap as the type it validates (a number: a string the tap converts, as
#: Meltano 4.4 cannot write out a ``decimal`` read from the environment).
KINDS = {"boolean": "boolean", "integer": "integer", "object": "object", "array": "array",
         "number": "string"}


@pytest.mark.parametrize("tap", list(TAPS))
def test_hub_setting_kinds_follow_the_json_schema_types(tap):
    about = json.loads(subprocess.run([str(BIN / tap), "--about", "--format=json"],
                                      capture_output=True, text=True, check=True).stdout)
    hub = YAML(typ="safe").load((ROOT / "plugins" / "extractors" /
                                 f"{tap}--singer-tap-suite.yml").read_text())
    kinds = {s["name"]: s["kind"] for s in hub["settings"]}
    for name, prop in about["settings"]["properties"].items():
        types = [t for t in prop["type"] if t != "null"]
        expected = KINDS.get(types[0], "string")
        if types == ["string"] and prop.get("format") == "date-time":
            expected = "date_iso8601"
        assert kinds[name] == expected, (name, types)
    for name, kind in {"stream_maps": "object", "stream_map_config": "object",
                       "flattening_enabled": "boolean", "flattening_max_depth": "integer",
                       "batch_config": "object", "backoff_factor": "string"}.items():
        assert kinds[name] == kind, name


@pytest.mark.parametrize("tap", list(TAPS))
def test_every_tap_offers_max_concurrency(tap):
    """Every tap reads ahead (the next streams, pages whose count is known, child partitions):
    max_concurrency does something in each, Primetric's lists included."""
    assert "max_concurrency" in tap_class(tap).config_jsonschema["properties"]


def opt_in_streams(tap: str) -> list[str]:
    """The streams ``--discover`` marks ``selected-by-default: false``."""
    prefix = tap.upper().replace("-", "_")
    env = {**os.environ, **{f"{prefix}_{k.upper()}": str(v) for k, v in CREDENTIALS[tap].items()}}
    catalog = json.loads(subprocess.run([str(BIN / tap), "--config", "ENV", "--discover"],
                                        capture_output=True, text=True, check=True,
                                        env=env).stdout)
    return [s["tap_stream_id"] for s in catalog["streams"]
            if any(m["breadcrumb"] == [] and m["metadata"].get("selected-by-default") is False
                   for m in s["metadata"])]


@pytest.mark.parametrize("tap", list(TAPS))
def test_hub_select_keeps_opt_in_streams_off(tap):
    """Meltano selects every stream a select rule matches, whatever the tap's default: the
    definition's ``select`` must leave the opt-in streams out."""
    hub = YAML(typ="safe").load((ROOT / "plugins" / "extractors" /
                                 f"{tap}--singer-tap-suite.yml").read_text())
    assert hub["select"] == ["*.*", *(f"!{s}.*" for s in opt_in_streams(tap))]


def test_systeme_subscriptions_are_opt_in():
    assert opt_in_streams("tap-systeme") == ["subscriptions"]


def test_meltano_yml_has_every_tap_with_the_hub_settings():
    project = YAML(typ="safe").load((ROOT / "meltano.yml").read_text())
    extractors = {e["name"]: e for e in project["plugins"]["extractors"]
                  if "inherit_from" not in e}
    assert set(extractors) == set(TAPS)
    accounts = [e for e in project["plugins"]["extractors"] if "inherit_from" in e]
    assert accounts and all(set(e) == {"name", "inherit_from"} and e["inherit_from"] in TAPS
                            for e in accounts)  # more accounts of a tap: its settings, as is
    for tap, entry in extractors.items():
        hub = YAML(typ="safe").load((ROOT / "plugins" / "extractors" /
                                     f"{tap}--singer-tap-suite.yml").read_text())
        assert entry["settings"] == hub["settings"]
        assert entry["select"] == hub["select"]
        assert entry["executable"] == tap and entry["namespace"] == hub["namespace"]
        assert entry["pip_url"]
    loaders = {e["name"] for e in project["plugins"]["loaders"]}
    assert {"target-jsonl", "target-postgres"} <= loaders
    assert project["venv"]["backend"] == "uv"


def test_every_registry_tap_is_installed_with_its_executable():
    for tap in REGISTRY:
        assert (BIN / tap.name).exists(), f"{tap.name}: no executable (pyproject's scripts)"
        assert tap_class(tap.name).name == tap.name


def test_a_new_registry_line_gets_its_extractor_sandbox_config_and_jobs():
    """What `make plugins` adds to meltano.yml for a sixth tap: the registry line is enough."""
    project = YAML().load((ROOT / "meltano.yml").read_text())
    acme = Tap("tap-acme", "tap_acme.tap:TapAcme", "acme", "Acme", "https://acme.example",
               "Widgets", credentials={"api_key": "sbx-acme"}, urls={"api_url": "/acme/v1"},
               oauth=False)
    add_registry_taps(project, [*REGISTRY, acme])
    extractors = [e["name"] for e in project["plugins"]["extractors"]]
    assert extractors[-2:] == ["tap-acme", "tap-classroom-second"]  # before the extra accounts
    sandbox = next(e for e in project["environments"] if e["name"] == "sandbox")
    config = next(e for e in sandbox["config"]["plugins"]["extractors"]
                  if e["name"] == "tap-acme")["config"]
    assert dict(config) == {"api_url": "$SANDBOX_URL/acme/v1", "api_key": "sbx-acme"}
    jobs = {j["name"]: list(j["tasks"]) for j in project["jobs"]}
    assert jobs["acme-to-postgres"] == ["tap-acme target-postgres"]
    assert jobs["suite-to-postgres"][-1] == "tap-acme target-postgres"
    assert jobs["suite-to-jsonl"][-1] == "tap-acme target-jsonl"
    before = YAML().load((ROOT / "meltano.yml").read_text())
    add_registry_taps(before, REGISTRY)  # the registry's own taps: nothing changes
    assert before == YAML().load((ROOT / "meltano.yml").read_text())
