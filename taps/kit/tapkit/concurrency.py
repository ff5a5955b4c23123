"""Reading ahead of the SDK: child partitions, whole streams and pages, in a bounded pool.

The SDK syncs one stream after the other, and a parent record's children one partition at a
time, right after the record. The :class:`Prefetcher` reads ahead of it in ``workers`` threads:

- the child partitions of the next few parent records (:meth:`Prefetcher.lookahead`);
- the next top-level streams while the current one is written (:meth:`Prefetcher.streams_ahead`);
- the next pages of a walk whose page count the API tells up front (``pages_ahead`` of the
  paginator, used by ``SuiteStream.request_records``).

Only HTTP fetching (and decoding) moves to the workers: records, STATE and bookmarks are still
produced by the SDK on the main thread in the same order as a sequential run, so the output is
the same valid Singer stream and a killed run resumes exactly as before.

Memory stays bounded: a worker hands records over through a :class:`Task`'s buffer of at most
:data:`BUFFER` records; when it is full the task *parks* (gives its thread back) until the
reader has taken some, so a worker never holds a whole partition. A reader that finds its task
not started yet (or parked) reads it itself, on its own thread: no reader ever waits for a
worker that waits for something else, so there is no deadlock whatever the pool's size.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

#: A partition's context, as the SDK gives it.
Context = Mapping[str, Any] | None

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream

#: Records a worker hands over at once, and the most a task buffers before it parks.
CHUNK = 100
BUFFER = 300
#: Streams read ahead whose pages hold more than a buffer, at most, waiting their turn at once:
#: each parks holding a decoded page, so more of them would make memory grow with the volume.
LARGE_AHEAD = 1
#: Priority of work the reader is waiting for right now (parked tasks it has started draining).
URGENT = (-1, 0)

_QUEUED, _RUNNING, _PARKED, _INLINE, _DONE = range(5)
#: Per thread: the priority of the task it runs (work it schedules inherits it).
_local = threading.local()


#: glibc's ``mallopt`` parameter: the most malloc arenas the process may have.
M_ARENA_MAX = -8


def one_malloc_arena() -> None:
    """Keep glibc to one malloc arena. It gives each thread that allocates an arena of its own
    (up to eight per core) and keeps freed memory in them: with the pool's threads decoding
    pages, the tap's peak RSS grew with the volume (1.3x at ten times the records). The GIL
    serializes the threads anyway, so one arena costs nothing. A no-op without glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)


def _frozen(context: Context) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in (context or {}).items()))


class Task:
    """Items of one source (a partition's records, or one page), read by the pool ahead of the
    one reader that iterates the task; the source's error is raised after its items."""

    def __init__(self, pool: Prefetcher, source: Callable[[], Iterator[Any]],
                 priority: tuple, enter: Callable[[], None] | None = None) -> None:
        self._pool, self._source, self.priority = pool, source, priority
        self._enter = enter or (lambda: None)
        self._cond = threading.Condition()
        self._chunks: deque[list] = deque()
        self._buffered = 0
        self._state = _QUEUED
        self._error: BaseException | None = None
        self._iterator: Iterator[Any] | None = None
        self.cancelled = False

    # -- the worker's side ---------------------------------------------------------------------
    def step(self) -> None:
        """Read until the buffer is full (then park) or the source ends; on a worker."""
        with self._cond:
            if self._state != _QUEUED or self.cancelled:
                return
            self._state = _RUNNING
        chunk: list = []
        try:
            self._enter()
            _local.priority = self.priority
            iterator = self._iterator = self._iterator or self._source()
            for item in iterator:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    if self._hand_over(chunk):
                        return
                    chunk = []
        except BaseException as exc:  # raised to the reader after the items before it
            self._finish(chunk, exc)
            return
        self._finish(chunk, None)

    def _hand_over(self, chunk: list) -> bool:
        """Buffer ``chunk``; park (and say so) when the buffer is full or the task cancelled."""
        with self._cond:
            self._chunks.append(chunk)
            self._buffered += len(chunk)
            self._cond.notify_all()
            if self.cancelled:
                self._state = _DONE
                self._close()
                return True
            if self._buffered >= BUFFER:
                self._state = _PARKED
                return True
        return False

    def _finish(self, chunk: list, error: BaseException | None) -> None:
        with self._cond:
            if chunk:
                self._chunks.append(chunk)
                self._buffered += len(chunk)
            self._error, self._state = error, _DONE
            self._iterator = None
            self._cond.notify_all()

    def _close(self) -> None:
        iterator, self._iterator = self._iterator, None
        close = getattr(iterator, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()

    # -- the reader's side ---------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        while True:
            inline = False
            with self._cond:
                while not self._chunks and self._state == _RUNNING:
                    self._cond.wait()
                if self._chunks:
                    chunk = self._chunks.popleft()
                    self._buffered -= len(chunk)
                    if self._state == _PARKED and self._buffered < BUFFER:
                        self._state = _QUEUED  # read on while this chunk is written
                        self._pool.push(self, URGENT)
                elif self._state == _DONE:
                    if self._error is not None:
                        error, self._error = self._error, None
                        raise error
                    return
                else:  # not started, or parked and drained: read it here
                    self._state, inline = _INLINE, True
            if inline:
                yield from self._read_inline()
                return
            yield from chunk

    def _read_inline(self) -> Iterator[Any]:
        self._enter()
        try:
            yield from (self._iterator or self._source())
        finally:
            self._iterator = None
            self._state = _DONE

    def result(self) -> Any:
        """The one item of a single-item task (a page)."""
        for item in self:
            return item
        raise LookupError("the task produced nothing")  # pragma: no cover

    def cancel(self) -> None:
        """Nobody will read this task: stop it (a running step stops at its next hand-over)."""
        with self._cond:
            self.cancelled = True
            if self._state in (_QUEUED, _PARKED):
                self._state = _DONE
                self._close()
            self._chunks.clear()
            self._buffered = 0
            self._cond.notify_all()


class Prefetcher:
    """The run's pool of ``workers`` threads reading ahead of the SDK (none for 1 worker)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        if self.workers > 1:
            one_malloc_arena()  # before the first worker thread allocates
        self._heap: list[tuple[tuple, int, Task]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._tasks: dict[tuple[str, tuple], Task] = {}
        #: The top-level streams in the SDK's order, and the index of the one being synced.
        self._order: list[SuiteStream] | None = None
        self._current = 0
        self._ahead = 0
        #: Indexes (in ``_order``) of the large-paged streams scheduled ahead.
        self._large_ahead: list[int] = []
        self._idle = 0
        #: Set by the tap's ``sync_all``: a whole run, in which the next streams are read ahead.
        self.whole_run = False

    @property
    def enabled(self) -> bool:
        return self.workers > 1

    # -- the pool ------------------------------------------------------------------------------
    def push(self, task: Task, priority: tuple | None = None) -> None:
        """Queue ``task`` (lower priorities first; equal ones in order)."""
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._heap, (priority or task.priority, next(self._seq), task))
            if len(self._threads) < self.workers and len(self._heap) > self._idle:
                thread = threading.Thread(target=self._work, daemon=True,
                                          name=f"tapkit-ahead-{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._idle += 1
                while not self._heap and not self._closed:
                    self._cond.wait()
                self._idle -= 1
                if self._closed:
                    return
                _, _, task = heapq.heappop(self._heap)
            task.step()

    def submit(self, source: Callable[[], Iterator[Any]], priority: tuple | None = None,
               enter: Callable[[], None] | None = None) -> Task:
        """A task reading ``source`` ahead, at ``priority`` (default: the caller's)."""
        task = Task(self, source, priority or self.priority(), enter)
        self.push(task)
        return task

    def priority(self) -> tuple:
        """The priority of work scheduled now: that of the task this thread runs, or (on the
        main thread) that of the stream being synced."""
        return getattr(_local, "priority", None) or (self._current, next(self._seq))

    def shutdown(self) -> None:
        """Cancel what nobody took and stop the workers (each ends after its current request)."""
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        for thread in self._threads:
            thread.join(timeout=0.1)

    # -- partitions ----------------------------------------------------------------------------
    def take(self, stream: SuiteStream, context: Context) -> Iterator[dict] | None:
        """The records of ``stream``'s partition ``context`` if it was read ahead, followed by
        the error that ended its read (as a sequential read raises it)."""
        task = self._tasks.pop((stream.name, _frozen(context)), None)
        return None if task is None else iter(task)

    def _schedule(self, stream: SuiteStream, context: Context, priority: tuple) -> None:
        key = (stream.name, _frozen(context))
        if key not in self._tasks:
            source, enter = stream.partition_reader(context)
            self._tasks[key] = self.submit(source, priority, enter)

    def lookahead(self, stream: SuiteStream, records: Iterable[dict], context: Context,
                  children: list[SuiteStream]) -> Iterator[dict]:
        """Yield ``records`` while the ``children`` partitions of the next few are read."""
        window: deque[dict] = deque()
        depth = self.workers * 2
        try:
            for record in records:
                window.append(record)
                self._schedule_children(stream, record, context, children)
                if len(window) > depth:
                    yield window.popleft()
        except Exception:
            yield from window  # the records read before the error, as a sequential walk
            raise
        yield from window

    def _schedule_children(self, stream: SuiteStream, record: dict, context: Context,
                           children: list[SuiteStream]) -> None:
        try:
            processed = stream.post_process(copy.copy(record), context)
            contexts = list(stream.generate_child_contexts(processed, context)) if processed else []
        except Exception:  # the SDK will meet (and report) the same problem in order
            return
        for child_context in contexts:
            if child_context is None:
                continue
            for child in children:
                self._schedule(child, child_context, (self._current, next(self._seq)))

    def forget(self, stream_names: set[str]) -> None:
        """Drop (and cancel) reads nobody will take, e.g. of records a stream map dropped."""
        for key in [k for k in self._tasks if k[0] in stream_names]:
            self._tasks.pop(key).cancel()

    # -- whole streams -------------------------------------------------------------------------
    def streams_ahead(self, stream: SuiteStream, answered: bool) -> None:
        """``stream`` (top-level) is being synced: read the next top-level streams ahead, at
        most ``workers`` at a time, once the run has had its first good answer (before it, a
        4xx must stay fatal as in a sequential run: see :mod:`tapkit.access`). Of the streams
        whose pages hold more than a buffer (:meth:`SuiteStream.page_records`), at most
        :data:`LARGE_AHEAD` wait ahead at once; the next go when the sync reaches those."""
        if not self.whole_run:
            return
        order = self._order
        if order is None:
            order = self._order = stream.streams_in_sync_order()
        if stream in order:
            self._current = max(self._current, order.index(stream))
        if not answered:
            return
        self._ahead = max(self._ahead, self._current + 1)
        while self._ahead < len(order) and self._ahead <= self._current + self.workers:
            ahead = order[self._ahead]
            if ahead.reads_ahead_whole():
                large = (ahead.page_records() or 0) > BUFFER
                if large and sum(i > self._current for i in self._large_ahead) >= LARGE_AHEAD:
                    return  # scheduled later, in order, when the sync has reached those
                self._schedule(ahead, None, (self._ahead, 0))
                if large:
                    self._large_ahead.append(self._ahead)
            self._ahead += 1
