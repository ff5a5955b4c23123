"""Slices of one account, for many workers: the ``shard`` setting and explicit parent ids.

A tap whose work fans out over parents (Classroom's courses, Basecamp's projects) can run as
``n`` slices at once, each on its own worker with its own state (Meltano: one state id suffix per
slice). ``shard: k/n`` makes a stream that declares a ``shard_key`` (the record field that places
a record in a slice: the parents' ``id``) emit only the records whose key hashes to slice ``k``:
``SHA-1(str(key)) mod n == k``, the same on every machine and Python, never ``hash()``. Their
children follow them, since the SDK syncs a child partition only for the parent records emitted.
A stream that has no ``shard_key`` and no sharded ancestor covers the whole account: it runs in
slice ``0/n`` only. So the union of the ``n`` slices is exactly the full sync, no record twice.

An explicit list of parent ids (the setting named by the stream's ``shard_ids_setting``, e.g.
``course_ids``) narrows the sharded streams to those ids, with or without ``shard``.

A slice's state lists, per incremental child stream, the parents read in full
(:mod:`tapkit.state`). Parents outside the run's slice or id list are dropped from that list when
the state is loaded (:func:`prune_parents`): a state carried over after re-slicing never vouches
for a parent this run does not read, so that parent starts at ``start_date`` when it comes back.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from typing_extensions import override

from tapkit.errors import ResponseShapeError
from tapkit.state import PARENTS

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream

#: The setting that picks a slice.
SHARD = "shard"
_SHARD_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def slice_of(value: Any, count: int) -> int:
    """The slice (``0 .. count-1``) of a shard key value: SHA-1 of its text, modulo ``count``."""
    digest = hashlib.sha1(str(value).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: Any) -> Shard:
        """``"k/n"`` with whole numbers ``0 <= k < n``; :class:`ValueError` says what is wrong."""
        match = _SHARD_FORM.fullmatch(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"'{SHARD}' must be k/n, slice k of n (e.g. 0/4 for the first of "
                             f"four), got {text!r}")
        index, count = int(match[1]), int(match[2])
        if count < 1 or index >= count:
            raise ValueError(f"'{SHARD}' must be k/n with 0 <= k < n (slices are numbered from "
                             f"0: 0/4 .. 3/4), got {text!r}")
        return cls(index, count)

    @override
    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Scope:
    """What one run reads of a sharded stream: its slice and its explicit ids (``None``: all)."""

    shard: Shard | None = None
    ids: frozenset[str] | None = None

    @classmethod
    def of(cls, config: Mapping[str, Any], ids_setting: str | None = None) -> Scope:
        text = config.get(SHARD)
        shard = Shard.parse(text) if text not in (None, "") else None
        ids = config.get(ids_setting) if ids_setting else None
        return cls(shard, frozenset(str(i) for i in ids) if ids else None)

    @property
    def narrowed(self) -> bool:
        """Whether this run reads less than every parent."""
        return self.ids is not None or (self.shard is not None and self.shard.count > 1)

    def holds(self, value: Any) -> bool:
        """Whether the parent with shard key ``value`` belongs to this run."""
        if self.ids is not None and str(value) not in self.ids:
            return False
        return self.shard is None or slice_of(value, self.shard.count) == self.shard.index


def shard_settings(parents: str, ids_setting: str,
                   id_type: th.JSONTypeHelper | type[th.JSONTypeHelper]) -> list[th.Property]:
    """The ``shard`` setting and the explicit-ids setting of a tap sliced by ``parents``."""
    return [
        th.Property(SHARD, th.StringType,
                    description=f"Read one slice of the account: 'k/n' reads only the {parents} "
                                f"whose id hashes (SHA-1) to slice k of n, with everything under "
                                f"them; streams not under a {parents[:-1]} run in slice 0 only. "
                                f"The n slices together (each with its own state) are the full "
                                f"sync. Unset: the whole account."),
        th.Property(ids_setting, th.ArrayType(id_type),
                    description=f"Read only these {parents} (ids), with everything under them; "
                                f"unset: all."),
    ]


def declares_shard(schema: Mapping[str, Any]) -> bool:
    """Whether a tap with this config schema takes ``shard`` (others ignore it, as any setting
    they do not have)."""
    return SHARD in (schema.get("properties") or {})


def scope_problems(config: Mapping[str, Any], schema: Mapping[str, Any],
                   stream_types: Iterable[type]) -> list[str]:
    """Config problems of ``shard`` and the explicit-ids settings, one sentence each."""
    problems = []
    try:
        if declares_shard(schema):
            Scope.of(config)
    except ValueError as exc:
        problems.append(str(exc))
    for setting in sorted({s for cls in stream_types
                           if (s := getattr(cls, "shard_ids_setting", None))}):
        ids = config.get(setting)
        if ids is not None and (not isinstance(ids, list) or not all(
                isinstance(i, int | str) and not isinstance(i, bool) and str(i).strip()
                for i in ids)):
            problems.append(f"'{setting}' must be a list of ids, got {str(ids)[:60]!r}")
    return problems


def sharded_ancestor(cls: type) -> type | None:
    """The nearest class in ``cls``'s parent chain (``cls`` included) that declares a
    ``shard_key``; ``None`` for a stream over the whole account."""
    current: type | None = cls
    while current is not None:
        if getattr(current, "shard_key", None):
            return current
        current = getattr(current, "parent_stream_type", None)
    return None


def scope_of(cls: type, config: Mapping[str, Any]) -> Scope:
    return Scope.of(config, getattr(cls, "shard_ids_setting", None))


def runs_in_this_slice(stream: SuiteStream) -> bool:
    """Whether a top-level stream runs in this run's slice: a sharded one in every slice, one
    over the whole account only in slice 0."""
    if sharded_ancestor(type(stream)) is not None or not declares_shard(
            stream._suite_tap.config_jsonschema):
        return True
    shard = Scope.of(stream.config).shard
    return shard is None or shard.index == 0


def in_scope(stream: SuiteStream, records: Iterable[dict]) -> Iterator[dict]:
    """The records of a sharded stream that belong to this run (all of them otherwise)."""
    key: str | None = getattr(stream, "shard_key", None)
    scope = scope_of(type(stream), stream.config) if key else None
    if key is None or scope is None or not scope.narrowed:
        yield from records
        return
    seen: set[str] = set()
    for record in records:
        value = _field(record, key)
        if value is None:
            raise ResponseShapeError(f"{stream.name}: record {record.get('id', '?')} has no "
                                     f"'{key}', so it cannot be placed in a slice")
        if scope.holds(value):
            seen.add(str(value))
            yield record
    if scope.ids is not None and key in (stream.primary_keys or ()):
        missing = sorted(i for i in scope.ids - seen if Scope(scope.shard).holds(i))
        if missing:
            stream.logger.warning("%s: %s %s not found (deleted, filtered out, or not visible "
                                  "to these credentials)", stream.name,
                                  stream.shard_ids_setting, ", ".join(missing))


def _field(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def prune_parents(state: MutableMapping[str, Any], stream_types: Iterable[type],
                  config: Mapping[str, Any]) -> None:
    """Drop, in place, every parent outside this run's scope from the ``parents`` lists of the
    incremental streams under a sharded stream (see the module docstring)."""
    bookmarks = state.get("bookmarks")
    if not isinstance(bookmarks, dict):
        return
    for cls in stream_types:
        root = sharded_ancestor(cls)
        entry = bookmarks.get(getattr(cls, "name", ""))
        if root is None or root is cls or not isinstance(entry, dict):
            continue
        scope, key = scope_of(root, config), getattr(root, "shard_context_key", None)
        parents = entry.get(PARENTS)
        if not scope.narrowed or not key or not isinstance(parents, list):
            continue
        keys = _context_keys(cls)
        if key not in keys:
            continue
        position = keys.index(key)
        entry[PARENTS] = [p for p in parents if len(parts := str(p).split("/")) != len(keys)
                          or scope.holds(parts[position])]


def _context_keys(cls: type) -> list[str]:
    """The keys of a child stream's own part of its context, in the order of
    :func:`tapkit.state.parent_id`: the placeholders of its path, less its state keys."""
    names = {field for _, field, _, _ in string.Formatter().parse(getattr(cls, "path", "") or "")
             if field}
    shared = set(getattr(cls, "state_partitioning_keys", None) or ())
    return sorted(names - shared)
