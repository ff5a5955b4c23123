"""The input state: checked before the sync, and which parents a shared bookmark covers.

Children of one parent (Classroom's per-course lists) share one bookmark per stream
(``state_partitioning_keys = []``), so STATE holds one entry however many parents there are. That
bookmark says how far the parents read *so far* were read; a parent seen for the first time (a
course shared later, restored from the archive) never was, so it must start at ``start_date``.
The shared state therefore also keeps, under ``"parents"``, the ids of the parents whose partition
was read in full. An id is added only after its partition's records were all written (never for
a partition that failed or was skipped), so a STATE never vouches for records not written yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tapkit.errors import TapError, one_line
from tapkit.times import parse_time

if TYPE_CHECKING:  # a mixin of the SDK stream: its attributes, as the type checker sees them
    from tapkit.sdk import StreamSeams as _StreamBase
else:
    _StreamBase = object

#: Key of the list of parents read in full, in the state shared by a child stream's partitions.
PARENTS = "parents"


class StateError(TapError):
    """The state given with ``--state`` (or stored by Meltano) cannot be used."""


def partition_key(context: Mapping[str, Any] | None) -> tuple:
    """A partition's context as a hashable key."""
    return tuple(sorted((k, str(v)) for k, v in (context or {}).items()))


def parent_id(context: Mapping[str, Any]) -> str:
    """A parent's id in the state: the values of its child context, in key order."""
    return "/".join(str(context[key]) for key in sorted(context))


class ParentsRead:
    """The ``"parents"`` list of one shared state, with a set beside it: one set lookup and one
    append per partition, however many parents there are."""

    def __init__(self) -> None:
        self._ids: list | None = None
        self._set: set[str] = set()

    def _follow(self, ids: list) -> None:
        if ids is not self._ids:
            self._ids, self._set = ids, {str(i) for i in ids}

    def known(self, state: Mapping[str, Any]) -> bool:
        """Whether ``state`` has a parents list at all (states of older versions do not)."""
        return isinstance(state.get(PARENTS), list)

    def contains(self, state: Mapping[str, Any], parent: str) -> bool:
        ids = state.get(PARENTS)
        if not isinstance(ids, list):
            return False
        self._follow(ids)
        return parent in self._set

    def add(self, state: dict[str, Any], parent: str) -> None:
        ids = state.setdefault(PARENTS, [])
        self._follow(ids)
        if parent not in self._set:
            ids.append(parent)
            self._set.add(parent)


class PartitionStarts(_StreamBase):
    """Where each partition of a stream starts, and which parents its shared state covers.

    A mixin of :class:`tapkit.stream.SuiteStream` (it uses the SDK stream's ``config``,
    ``tap_state``, ``replication_key`` and state helpers). The stream calls
    :meth:`_record_partition_read` after the SDK has written a partition's records, and adds the
    partition's key to ``_partitions_done`` when its walk ends normally.
    """

    @property
    def _parents_read(self) -> ParentsRead:
        return self.__dict__.setdefault("_parents_read_cache", ParentsRead())

    @property
    def _partitions_done(self) -> set[tuple]:
        """Partitions whose walk ended normally, until the SDK has written their records (worker
        threads add to it; a set's add and discard, and ``dict.setdefault``, are atomic)."""
        return self.__dict__.setdefault("_partitions_done_set", set())

    def partition_start(self, context: Mapping[str, Any] | None) -> datetime | None:
        """Where this partition's records start: its bookmark or ``start_date``, whichever is
        later; only ``start_date`` for a parent that the stream's shared bookmark does not cover
        yet; ``None``: from the beginning. The one place a stream asks where to start (a
        newest-first walk's stop, a date window's start).

        Read from the input state without touching it, so it is safe to ask before the SDK
        starts the partition (and never from a worker thread).
        """
        start = self.config.get("start_date")
        floors = [parse_time(start)] if start else []
        if self.replication_key and self.replication_method == "INCREMENTAL":
            state = self._input_state(context)
            value = state.get("replication_key_value")
            same_key = state.get("replication_key") in (None, self.replication_key)
            if value and same_key and self._parent_covered(context, state):
                floors.append(parse_time(value))
        return max(floors) if floors else None

    def _input_state(self, context: Mapping[str, Any] | None) -> Mapping[str, Any]:
        state = self.tap_state.get("bookmarks", {}).get(self.name, {})
        wanted = self.state_partition_context(context) if context else None
        if wanted:
            state = next((p for p in state.get("partitions", [])
                          if p.get("context") == wanted), {})
        return state

    def _parent_of(self, context: Mapping[str, Any] | None) -> str | None:
        """The parent's id when several partitions share one state (``None`` otherwise)."""
        if not context:
            return None
        shared = self.state_partition_context(context) or {}
        own = {k: v for k, v in context.items() if k not in shared}
        return parent_id(own) if own else None

    def _parent_covered(self, context: Mapping[str, Any] | None,
                        state: Mapping[str, Any]) -> bool:
        """Whether the shared bookmark in ``state`` covers this partition's parent."""
        parent = self._parent_of(context)
        if parent is None:
            return True
        if not self._parents_read.known(state) and not self.__dict__.get("_told_legacy"):
            self._told_legacy = True
            self.logger.info(
                "%s: the state has a bookmark but no list of the parents (%s) read in full "
                "(an older version wrote it): each parent is read from start_date once",
                self.name, ", ".join(sorted(context or {})))
        return self._parents_read.contains(state, parent)

    def _record_partition_read(self, context: Mapping[str, Any] | None) -> None:
        """After the SDK wrote a partition's records: if its walk ended normally, and it is one
        of several partitions sharing an incremental state, list its parent as read."""
        done, key = self._partitions_done, partition_key(context)
        if key not in done:
            return  # the walk did not end normally: skipped, or cut short
        done.discard(key)
        parent = self._parent_of(context)
        if parent is not None and self.replication_key and (
                self.replication_method == "INCREMENTAL"):
            self._parents_read.add(self.get_context_state(context), parent)


def check_state(state: Any, replication_keys: Mapping[str, str | None],
                logger: logging.Logger, now: datetime | None = None) -> None:
    """Raise :class:`StateError` unless ``state`` is a Singer state this tap can resume from;
    warn about every bookmark in the future (a clock error or an edited state).

    ``replication_keys`` maps the tap's stream names to their replication keys (all timestamps
    in this suite); bookmarks of streams the tap does not have are left alone.
    """
    if not isinstance(state, dict):
        raise StateError(_message(f"it must be a JSON object, got {_kind(state)}"))
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        raise StateError(_message(f"'bookmarks' must be an object, got {_kind(bookmarks)}"))
    now = now or datetime.now(timezone.utc)
    for stream, entry in bookmarks.items():
        where = f"bookmarks.{stream}"
        if not isinstance(entry, dict):
            raise StateError(_message(f"'{where}' must be an object, got {_kind(entry)}"))
        partitions = entry.get("partitions", [])
        if not isinstance(partitions, list) or not all(isinstance(p, dict) for p in partitions):
            raise StateError(_message(f"'{where}.partitions' must be a list of objects"))
        if PARENTS in entry and not isinstance(entry[PARENTS], list):
            raise StateError(_message(f"'{where}.{PARENTS}' must be a list of ids, got "
                                      f"{_kind(entry[PARENTS])}"))
        if replication_keys.get(stream):
            for part in [entry, *partitions]:
                _check_bookmark(stream, part.get("replication_key_value"), logger, now)


def _check_bookmark(stream: str, value: Any, logger: logging.Logger, now: datetime) -> None:
    if value in (None, ""):
        return
    try:
        moment = parse_time(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        shown = one_line(repr(value), 80)
        raise StateError(_message(f"the bookmark of stream '{stream}' is not a time: {shown}"))
    if moment > now:
        logger.warning("%s: the state's bookmark %s is in the future (a clock error or an "
                       "edited state?): records updated before then are not read", stream, value)


def _message(problem: str) -> str:
    return (f"invalid state: {problem}. Fix the state file given with --state (or clear the "
            f"state Meltano keeps for this job), or run without it for a full sync.")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def bookmark_streams(stream_types: Iterable[type]) -> dict[str, str | None]:
    """Stream name to replication key, from the tap's stream classes."""
    return {getattr(cls, "name", ""): getattr(cls, "replication_key", None) for cls in stream_types}
