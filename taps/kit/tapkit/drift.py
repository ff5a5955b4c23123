"""Schema drift: a value whose JSON type its field does not declare.

No schema is perfect, and a Singer target validates every RECORD against the SCHEMA before it.
So each record is checked before it is written; when a value's type is not in its field's
declared type (or a required field is missing), the stream's SCHEMA is widened just enough, sent
again, and one warning per field and type asks the user to report it; the record itself is
written unchanged. Nothing is dropped, nothing fails a load.

What is checked: JSON types only, not formats (a ``date-time`` string is a string), not lengths
or patterns. ``integer`` takes ``int`` only: a float like ``2.0`` is drift (widened with
``number``), since a validator or a column type may refuse it. ``number`` takes ``int`` and
``float``; ``boolean`` takes ``bool`` only. ``anyOf``/``oneOf`` are the union of their branches.
A field the schema does not name is not drift (``additionalProperties``). ``null`` in a field
that does not declare it is drift (widened with ``null``).

The check is compiled once per schema into a tree of msgspec Structs (``gc=False``, unknown fields
ignored, absent fields allowed unless required): ``msgspec.convert(record, tree)`` checks every
value in C, about four times faster than the best pure-Python walk. Only a record it refuses goes
to :func:`find_drift`, which names the fields and types in Python and widens the schema. (Values
of types no JSON decoder produces, which only a tap's own ``post_process`` could add, are left
alone.)
``TAPKIT_DRIFT_CHECK=off`` turns it off (for ``make bench``, which measures what it costs).
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

import msgspec
from singer_sdk.mapper import DefaultStreamMap

from tapkit.sdk import selected_schema

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream

Check = Callable[[Any], bool]

PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,)}
JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean",
                               type(None): "null", dict: "object", list: "array"}


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value."""
    return JSON_TYPES.get(type(value), type(value).__name__)


def _union(schema: dict) -> tuple[str, list] | None:
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return key, schema[key]
    return None


def allowed_types(schema: Any) -> frozenset[type] | None:
    """The Python types a value under ``schema`` may have; ``None``: any type."""
    if not isinstance(schema, dict):
        return None
    if union := _union(schema):
        parts = [allowed_types(branch) for branch in union[1]]
        known = [p for p in parts if p is not None]
        return None if len(known) < len(parts) else frozenset().union(*known)
    kind = schema.get("type")
    names = [kind] if isinstance(kind, str) else kind
    if not names or any(name not in PY_TYPES for name in names):
        return None
    return frozenset(t for name in names for t in PY_TYPES[name])


def declared(schema: dict) -> str:
    """The declared type of ``schema`` in words, e.g. ``integer or null``."""
    if union := _union(schema):
        return " or ".join(declared(b) for b in union[1] if isinstance(b, dict))
    kind = schema.get("type")
    names = [kind] if isinstance(kind, str) else list(kind or ["any type"])
    return " or ".join(names)


# -- the fast check ------------------------------------------------------------------------------
SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool,
                           "null": None}


def msgspec_type(schema: Any, name: str = "Record") -> Any:
    """The msgspec type that accepts exactly the values ``schema`` declares (JSON types only):
    objects become Structs (fields absent allowed unless required, unknown fields ignored)."""
    if not isinstance(schema, dict):
        return Any
    if union := _union(schema):
        parts = [msgspec_type(b, f"{name}_{i}") for i, b in enumerate(union[1])]
        return Any if Any in parts else Union[tuple(parts)]  # noqa: UP007
    kind = schema.get("type")
    names = [kind] if isinstance(kind, str) else kind
    if not names or any(n not in PY_TYPES for n in names):
        return Any
    parts = []
    for json_name in dict.fromkeys(names):
        if json_name in SCALARS:
            parts.append(SCALARS[json_name])
        elif json_name == "array":
            items = schema.get("items")
            parts.append(list[msgspec_type(items, f"{name}_item")]  # type: ignore[misc]
                         if isinstance(items, dict)
                         else list)
        else:
            parts.append(_struct(schema, name))
    return Union[tuple(parts)] if len(parts) > 1 else parts[0]  # noqa: UP007


def _struct(schema: dict, name: str) -> Any:
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        return dict
    required = set(_required(schema))
    fields = []
    for index, (key, sub) in enumerate(props.items()):
        kind = msgspec_type(sub, f"{name}_{index}")
        if key in required:
            fields.append((f"f{index}", kind, msgspec.field(name=key)))
        else:
            fields.append((f"f{index}", Union[kind, msgspec.UnsetType],  # noqa: UP007
                           msgspec.field(default=msgspec.UNSET, name=key)))
    return msgspec.defstruct(name, fields, kw_only=True, gc=False)


def _required(schema: dict) -> frozenset[str]:
    return frozenset(name for name in schema.get("required") or () if isinstance(name, str))


def compile_check(schema: dict) -> Check:
    """A function telling whether a record fits ``schema`` (JSON types and required fields).

    msgspec's ``convert`` into the schema's Struct tree does the work in C; a schema it cannot
    express is checked by :func:`find_drift` (slower, same answer)."""
    try:
        target = msgspec_type(schema)
        with contextlib.suppress(msgspec.ValidationError):
            msgspec.convert({}, target)  # builds msgspec's type tree, refusing what it can't do
    except TypeError:  # e.g. an anyOf of two different objects
        return lambda record: not find_drift(schema, record)
    convert, invalid = msgspec.convert, msgspec.ValidationError

    def check(record: Any) -> bool:
        try:
            convert(record, target)
        except invalid:
            return False
        return True

    return check


# -- finding and widening ------------------------------------------------------------------------
@dataclass(frozen=True)
class Drift:
    """One value that does not fit its field."""

    #: Keys from the schema's root to the node to widen (``properties``, name, ``items``...).
    pointer: tuple[str | int, ...]
    #: The field as a user reads it: ``assignmentSubmission.attachments[].link``.
    field: str
    #: What the schema declares, in words (``integer or null``; ``required``).
    declared: str
    #: The JSON type that came (``string``...), or ``missing`` for an absent required field.
    seen: str
    #: For ``missing``: the property to drop from the node's ``required``.
    prop: str = ""


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def find_drift(schema: dict, value: Any) -> list[Drift]:
    """Every place where ``value`` does not fit ``schema``, each (field, type) once."""
    found: list[Drift] = []
    _find(schema, value, (), "", found)
    return list(dict.fromkeys(found))


def _find(schema: Any, value: Any, pointer: tuple, field: str, out: list[Drift]) -> None:
    if not isinstance(schema, dict) or type(value) not in JSON_TYPES:
        return  # no schema here, or a value no JSON decoder makes (left as it is)
    types = allowed_types(schema)
    if types is not None and type(value) not in types:
        out.append(Drift(pointer, field or "(record)", declared(schema), json_type(value)))
        return
    if union := _union(schema):
        key, branches = union
        first: list[Drift] | None = None
        for index, branch in enumerate(branches):
            branch_types = allowed_types(branch)
            if branch_types is not None and type(value) not in branch_types:
                continue
            inner: list[Drift] = []
            _find(branch, value, (*pointer, key, index), field, inner)
            if not inner:
                return
            first = first if first is not None else inner
        out.extend(first or [])
        return
    props = schema.get("properties")
    if type(value) is dict and isinstance(props, dict):
        for name in schema.get("required") or ():
            if name not in value:
                out.append(Drift(pointer, _join(field, name), "required", "missing", name))
        for name, item in value.items():
            if name in props:
                _find(props[name], item, (*pointer, "properties", name), _join(field, name), out)
    items = schema.get("items")
    if type(value) is list and isinstance(items, dict):
        for item in value:
            _find(items, item, (*pointer, "items"), f"{field}[]", out)


def widen(schema: dict, drift: Drift) -> str | None:
    """Change ``schema`` in place, as little as makes the drifted value fit; the node's new
    declared type in words, or ``None`` when ``drift.pointer`` is not in this schema."""
    node: Any = schema
    for key in drift.pointer:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, dict):
        return None
    if drift.seen == "missing":
        node["required"] = [name for name in node.get("required") or () if name != drift.prop]
        return "not required"
    if union := _union(node):
        key, branches = union
        del node[key]  # a oneOf whose branches overlap would refuse the value: an anyOf won't
        node["anyOf"] = [*branches, {"type": drift.seen}]
    else:
        kind = node.get("type")
        names = [kind] if isinstance(kind, str) else list(kind or [])
        node["type"] = [*names, drift.seen]
    node.pop("enum", None)
    node.pop("const", None)
    return declared(node)


# -- per stream ----------------------------------------------------------------------------------
def enabled() -> bool:
    """Whether the drift check runs (``TAPKIT_DRIFT_CHECK=off`` turns it off)."""
    return os.environ.get("TAPKIT_DRIFT_CHECK", "on").strip().lower() not in ("off", "0", "false")


class DriftGuard:
    """One stream's check, compiled from its own copy of the schema, widened on drift."""

    def __init__(self, stream: SuiteStream) -> None:
        self.stream = stream
        #: A copy of what the stream's SCHEMA declares (deselected fields dropped).
        self.schema = selected_schema(stream.effective_schema, stream.mask)
        #: ``check(record)`` is true when the record fits; ``None`` when checking is off.
        self.check: Check | None = compile_check(self.schema) if enabled() else None

    def widen_for(self, record: dict) -> bool:
        """Widen the schema (the stream's copy and what its maps send) for every drifted value
        of ``record``, with one warning each; whether anything changed (then the caller sends
        the SCHEMA again before the record)."""
        drifts = find_drift(self.schema, record)
        for drift in drifts:
            now = widen(self.schema, drift)
            self._widen_maps(drift)
            self._warn(drift, now or "", record)
        if drifts:
            self.check = compile_check(self.schema)
        return bool(drifts)

    def _widen_maps(self, drift: Drift) -> None:
        for stream_map in self.stream.stream_maps:
            if isinstance(stream_map, DefaultStreamMap) and stream_map.flattening_enabled:
                widen(stream_map.raw_schema, drift)
                stream_map.transformed_schema = stream_map.flatten_schema(
                    copy.deepcopy(stream_map.raw_schema))
            else:
                widen(stream_map.transformed_schema, drift)

    def _warn(self, drift: Drift, now: str, record: dict) -> None:
        from tapkit.tap import PROJECT_URL  # here: tapkit.tap imports this module

        key = ", ".join(f"{k}={record.get(k)!r}" for k in self.stream.primary_keys)
        if drift.seen == "missing":
            what = f"field '{drift.field}' is declared required but a record lacks it"
        else:
            what = (f"field '{drift.field}' is declared {drift.declared} but the API sent "
                    f"{drift.seen}")
        self.stream.logger.warning(
            "%s: schema drift: %s (record %s). The SCHEMA was sent again with the field "
            "widened to %s, and the record is written unchanged. Please report this at %s so "
            "the schema gets fixed.", self.stream.name, what, key or "without a key", now,
            f"{PROJECT_URL}/issues")
