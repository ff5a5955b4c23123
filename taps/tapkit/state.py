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
from typing import Any

from tapkit.errors import TapError, one_line
from tapkit.times import parse_time

#: Key of the list of parents read in full, in the state shared by a child stream's partitions.
PARENTS = "parents"


class StateError(TapError):
    """The state given with ``--state`` (or stored by Meltano) cannot be used."""


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
    return {cls.name: getattr(cls, "replication_key", None) for cls in stream_types}
