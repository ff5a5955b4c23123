"""Every definition in plugins/extractors/ is valid against Meltano Hub's extractor schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from ruamel.yaml import YAML

from taps.registry import BY_NAME as TAPS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "hub_schema"


def validator() -> Draft7Validator:
    """The Hub's validator: Draft 7, the schemas registered under their ``$id``."""
    resources = []
    for path in sorted(SCHEMAS.glob("*/*.schema.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(
            schema, default_specification=DRAFT7)))
    schema = json.loads((SCHEMAS / "plugin_definitions" / "extractors.schema.json").read_text())
    return Draft7Validator(schema, registry=Registry().with_resources(resources))


def definition(tap: str) -> dict:
    return YAML(typ="safe").load(
        (ROOT / "plugins" / "extractors" / f"{tap}--singer-tap-suite.yml").read_text())


@pytest.mark.parametrize("tap", list(TAPS))
def test_definition_is_valid_against_the_hub_schema(tap):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator().iter_errors(definition(tap))]
    assert not errors, errors


def test_the_schema_rejects_what_the_hub_rejects():
    """The vendored schema is the Hub's: no ``quality``, an unknown key or kind fail."""
    good = definition("tap-systeme")
    check = validator()
    assert check.is_valid(good)
    assert not check.is_valid({k: v for k, v in good.items() if k != "quality"})
    assert not check.is_valid({**good, "maintainer": "us"})
    bad_kind = [{**good["settings"][0], "kind": "number"}, *good["settings"][1:]]
    assert not check.is_valid({**good, "settings": bad_kind})
    assert not check.is_valid({**good, "supported_python_versions": ["3.x"]})
