"""tapkit.records: the boolean conformer (what the SDK's conformance does to JSON input)."""

from __future__ import annotations

from tapkit.records import boolean_conformer

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "flag": {"type": ["boolean", "null"]},
        "either": {"type": ["boolean", "string"]},
        "owner": {"type": ["object", "null"], "properties": {
            "active": {"type": "boolean"}, "name": {"type": "string"}}},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "done": {"type": ["null", "boolean"]}}}},
        "bits": {"type": "array", "items": {"type": "boolean"}},
    },
}


def test_boolean_only_fields_become_bools_wherever_they_are():
    conform = boolean_conformer(SCHEMA)
    assert conform is not None
    record = {"id": 1, "flag": 1, "either": 1, "owner": {"active": 0, "name": "n"},
              "rows": [{"done": 2}, {"done": None}, {}], "bits": [0, 1, True]}
    assert conform(record) == {"id": 1, "flag": True, "either": 1,
                               "owner": {"active": False, "name": "n"},
                               "rows": [{"done": True}, {"done": None}, {}],
                               "bits": [False, True, True]}


def test_nulls_bools_and_other_shapes_stay_as_they_are():
    conform = boolean_conformer(SCHEMA)
    assert conform is not None
    record = {"flag": None, "owner": None, "rows": None, "bits": "x"}
    assert conform(dict(record)) == record
    assert conform({"flag": False})["flag"] is False


def test_a_schema_without_boolean_fields_needs_no_conformer():
    assert boolean_conformer({"type": "object", "properties": {
        "id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
        "either": {"type": ["boolean", "integer"]}}}) is None
