"""Schema drift on demand: answers whose records carry a value of the wrong type.

``POST /_sandbox/drift {"api": "primetric", "path": "/assignments", "field": "status",
"value": "seven", "limit": 1}`` makes the next ``limit`` records (0: all) in answers whose path
and query match ``path`` (a regular expression) carry ``value`` at ``field`` (dots go into
nested objects). The data itself, and so ``/_sandbox/truth``, stays as it was.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import msgspec

from sandbox.apis.base import Answer

_decode, _encode = msgspec.json.Decoder().decode, msgspec.json.Encoder().encode


@dataclass
class DriftRule:
    """One wrong-typed value to put into matching answers."""

    path: str
    field: str
    value: Any
    limit: int = 1
    applied: int = 0
    _pattern: re.Pattern = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path)

    def matches(self, url: str) -> bool:
        return bool(self._pattern.search(url)) and (not self.limit or self.applied < self.limit)


def records_of(body: Any) -> list[dict]:
    """The records of an answer: a bare list, or the first list of objects in an object."""
    if isinstance(body, list):
        return [r for r in body if isinstance(r, dict)]
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return value
    return []


def put(record: dict, dotted: str, value: Any) -> None:
    """Set ``record[a][b]...`` for ``a.b...``, making the objects on the way if needed."""
    *parents, last = dotted.split(".")
    for name in parents:
        child = record.get(name)
        if not isinstance(child, dict):
            child = record[name] = {}
        record = child
    record[last] = value


class DriftPlan:
    """The drift rules of one API."""

    def __init__(self) -> None:
        self.rules: list[DriftRule] = []
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> None:
        rule = DriftRule(path=str(spec["path"]), field=str(spec["field"]), value=spec["value"],
                         limit=int(spec.get("limit", 1)))
        with self._lock:
            self.rules.append(rule)

    def apply(self, url: str, answer: Answer) -> Answer:
        """``answer`` with the matching rules applied to its records (unchanged if none)."""
        with self._lock:
            rules = [r for r in self.rules if r.matches(url)]
            if not rules or answer.status != 200:
                return answer
            body = _decode(answer.body)
            for record in records_of(body):
                for rule in rules:
                    if not rule.limit or rule.applied < rule.limit:
                        put(record, rule.field, rule.value)
                        rule.applied += 1
            return Answer(answer.status, _encode(body), answer.headers)
