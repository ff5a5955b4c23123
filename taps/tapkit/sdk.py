"""Every override of a private member of the Singer SDK, in one place, each with why.

The SDK's streams reach their children through ``_process_record`` and ``_sync_children``,
which per record generate child contexts and ask every child stream whether it (or one of its
descendants) is selected: about ten calls per record, even when no child is selected.
:class:`ChildSelection` asks once per partition instead (``refresh_child_selection``).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException
from singer_sdk.helpers.types import Context, Record
from singer_sdk.streams.core import Stream
from typing_extensions import override


class ChildSelection(Stream):
    """A stream mixin: the child streams to sync, found once per partition, not per record."""

    def refresh_child_selection(self) -> list[Any]:
        """The child streams selected or with selected descendants (cached until next call)."""
        children = [c for c in self.child_streams
                    if c.selected or c.has_selected_descendents]
        self.__dict__["_children_to_sync"] = children
        return children

    @property
    def children_to_sync(self) -> list[Any]:
        cached = self.__dict__.get("_children_to_sync")
        return self.refresh_child_selection() if cached is None else cached

    @override
    def _process_record(self, record: Record, child_context: Context | None = None,
                        partition_context: Context | None = None) -> None:
        """Why: without a child stream to sync, only the partition's keys go into the record
        (the SDK would still build every record's child contexts)."""
        if partition_context:
            for key, value in partition_context.items():
                if key not in record:
                    record[key] = value
        if not self.children_to_sync:
            return
        for context in self.generate_child_contexts(record=record, context=child_context):
            if self.stream_maps[0].get_filter_result(record):
                self._sync_children(copy.copy(context))

    @override
    def _sync_children(self, child_context: Context | None) -> None:
        """Why: the children to sync come from the per-partition selection, not from asking
        every child (and its descendants, recursively) per record."""
        if child_context is None:
            self.log("Context for child streams of '%s' is null, skipping sync of any child "
                     "streams", self.name, level=logging.WARNING)
            return
        for child in self.children_to_sync:
            try:
                child.sync(context=child_context)
            except (AbortedSyncFailedException, AbortedSyncPausedException):
                continue  # as the SDK: an interrupted child, the others go on
