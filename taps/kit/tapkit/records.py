"""The per-record hot path: what the SDK's generic conformance does for JSON input, precompiled.

Records here come straight from JSON, so the SDK's recursive type conformance (built for
datetimes, bytes and NaN from databases) has one effect left: a value in a boolean-only field
becomes a bool. :func:`boolean_conformer` walks the schema once and returns a function that visits
only those fields, or ``None`` when a schema has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Conformer = Callable[[Any], Any]


def _types(schema: dict) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def boolean_conformer(schema: dict) -> Conformer | None:
    """A function fixing every boolean-only field under ``schema`` in place, or ``None``."""
    types = _types(schema) - {"null"}
    if types == {"boolean"}:
        return lambda value: value if value is None or isinstance(value, bool) else value != 0
    if "object" in types and schema.get("properties"):
        fields = {name: f for name, sub in schema["properties"].items()
                  if (f := boolean_conformer(sub)) is not None}
        if not fields:
            return None

        def conform_object(value: Any) -> Any:
            if isinstance(value, dict):
                for name, conform in fields.items():
                    if name in value:
                        value[name] = conform(value[name])
            return value

        return conform_object
    if "array" in types and isinstance(schema.get("items"), dict):
        item = boolean_conformer(schema["items"])
        if item is None:
            return None
        return lambda value: [item(v) for v in value] if isinstance(value, list) else value
    return None
