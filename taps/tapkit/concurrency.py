"""Concurrent child walks (the request rate limit is in :mod:`tapkit.limiter`).

The SDK syncs a parent record's children one partition at a time, right after the record. The
:class:`ChildPrefetcher` looks a few parent records ahead and fetches those records' child
partitions in a bounded pool of worker threads; when the SDK then syncs a child partition, its
records are already there. Only HTTP fetching moves to the workers: records, STATE and bookmarks
are still produced by the SDK on the main thread in the same order as a sequential run, so the
output is the same valid Singer stream and a killed run resumes exactly as before.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream


#: A worker's result: the records of a partition, and the error that ended it early (if any).
Fetched = tuple[list[dict], BaseException | None]


def _frozen(context: Mapping[str, Any] | None) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in (context or {}).items()))


class ChildPrefetcher:
    """Fetches child partitions ahead of the SDK, with at most ``workers`` at a time."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool = (ThreadPoolExecutor(self.workers, thread_name_prefix="child-walk")
                      if self.workers > 1 else None)
        self._futures: dict[tuple[str, tuple], Future[Fetched]] = {}

    @property
    def enabled(self) -> bool:
        return self._pool is not None

    def take(self, stream: SuiteStream, context: Mapping[str, Any] | None
             ) -> Iterator[dict] | None:
        """The prefetched records of ``stream``'s partition ``context``, if it was scheduled,
        followed by the error that ended the worker's read (as a sequential read raises it)."""
        future = self._futures.pop((stream.name, _frozen(context)), None)
        return None if future is None else _replay(*future.result())

    def lookahead(self, stream: SuiteStream, records: Iterable[dict],
                  context: Mapping[str, Any] | None) -> Iterator[dict]:
        """Yield ``records`` while the children of the next few are being fetched."""
        window: deque[dict] = deque()
        source = iter(records)
        depth = self.workers * 2
        try:
            for record in source:
                window.append(record)
                self._schedule_children(stream, record, context)
                if len(window) > depth:
                    yield window.popleft()
        except Exception:
            yield from window  # the records read before the error, as a sequential walk
            raise
        yield from window

    def _schedule_children(self, stream: SuiteStream, record: dict,
                           context: Mapping[str, Any] | None) -> None:
        children = [c for c in stream.child_streams if c.selected or c.has_selected_descendents]
        if not children or self._pool is None:
            return
        try:
            processed = stream.post_process(copy.copy(record), context)
            contexts = list(stream.generate_child_contexts(processed, context)) if processed else []
        except Exception:  # the SDK will meet (and report) the same problem in order
            return
        for child_context in contexts:
            if child_context is None:
                continue
            for child in children:
                key = (child.name, _frozen(child_context))
                if key not in self._futures:
                    fetch: Callable[[], Fetched] = cast("SuiteStream", child).partition_fetcher(
                        child_context)
                    self._futures[key] = self._pool.submit(fetch)

    def forget(self, stream_names: set[str]) -> None:
        """Drop (and cancel) prefetches nobody will take, e.g. of records a stream map dropped."""
        for key in [k for k in self._futures if k[0] in stream_names]:
            self._futures.pop(key).cancel()

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _replay(records: list[dict], error: BaseException | None) -> Iterator[dict]:
    yield from records
    if error is not None:
        raise error
