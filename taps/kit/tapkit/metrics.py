"""METRIC lines once per stream, not once per partition or per request.

The SDK logs a ``record_count``, an ``http_request_count`` and a ``sync_duration`` line for every
partition of a stream (a course, a project...) and an ``http_request_duration`` line for every
request: about 31,000 lines for a Classroom sync of 7,800 partitions, and a quarter of its run
time (each line is formatted and written under the log handler's lock, which the read-ahead
workers contend for). Here the meters the SDK asks a stream for add up into its
:class:`StreamTotals`, which are logged when the top-level stream they belong to ends (the
SDK enters that stream's sync timer once, around the whole stream and its children):

- ``record_count`` and ``http_request_count``: counters, as the SDK's; a long stream also logs
  them every ``log_interval`` (60 s) as it goes, and each line counts what came since the
  stream's previous line, so a stream's lines add up to its total;
- ``http_request_duration``: one timer per HTTP status, its value the seconds of all those
  answers, tag ``requests`` how many;
- ``sync_duration``: the stream's seconds (a child stream's: its partitions' summed), tag
  ``partitions``, ``status`` failed if one partition failed.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import Any

import requests
from singer_sdk import metrics
from singer_sdk.helpers.types import Context
from singer_sdk.metrics import Metric, Point, Status, Tag
from typing_extensions import Self, override

from tapkit.sdk import StreamSeams

#: Counters whose lines wait for the stream's end (or its next progress line).
COUNTERS = (Metric.RECORD_COUNT, Metric.HTTP_REQUEST_COUNT)


class StreamTotals:
    """One stream's measurements, summed over its partitions and requests (any thread)."""

    def __init__(self, stream: str, endpoint: str,
                 log_interval: float = metrics.DEFAULT_LOG_INTERVAL) -> None:
        self.stream, self.endpoint, self.log_interval = stream, endpoint, log_interval
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Nothing measured yet (a new sync)."""
        self.unlogged = dict.fromkeys(COUNTERS, 0)
        self.answers: dict[int, list[float]] = {}  # status: [answers, seconds]
        self.seconds = 0.0
        self.partitions = 0
        self.failed = False
        self.last_line = time.monotonic()

    def count(self, metric: Metric, value: int) -> None:
        """``value`` more of ``metric``; the counters' lines if a progress line is due."""
        with self.lock:
            self.unlogged[metric] += value
            due = time.monotonic() - self.last_line >= self.log_interval
        if due:
            self.log(self.counter_points())

    def answer(self, status: int, seconds: float) -> None:
        """One HTTP answer of ``status`` that took ``seconds``."""
        with self.lock:
            tally = self.answers.setdefault(status, [0, 0.0])
            tally[0] += 1
            tally[1] += seconds

    def partition(self, seconds: float, *, failed: bool) -> None:
        """One partition synced in ``seconds``."""
        with self.lock:
            self.partitions += 1
            self.seconds += seconds
            self.failed = self.failed or failed

    def tags(self, **more: Any) -> dict[str, Any]:
        return {Tag.STREAM: self.stream, **more, Tag.PID: os.getpid()}

    def counter_points(self) -> list[Point]:
        """The counters' lines: what came since the previous ones."""
        with self.lock:
            counts, self.unlogged = self.unlogged, dict.fromkeys(COUNTERS, 0)
            self.last_line = time.monotonic()
        return [Point("counter", Metric.RECORD_COUNT, counts[Metric.RECORD_COUNT], self.tags()),
                Point("counter", Metric.HTTP_REQUEST_COUNT, counts[Metric.HTTP_REQUEST_COUNT],
                      self.tags(**{Tag.ENDPOINT: self.endpoint}))]

    def final_points(self, seconds: float | None = None) -> list[Point]:
        """The stream's lines at its end (``seconds``: its own wall time, where it has one);
        then nothing is measured any more."""
        points = self.counter_points()
        with self.lock:
            for status, (answers, spent) in sorted(self.answers.items()):
                points.append(Point("timer", Metric.HTTP_REQUEST_DURATION, round(spent, 6),
                                    self.tags(**{Tag.ENDPOINT: self.endpoint,
                                                 Tag.HTTP_STATUS_CODE: status,
                                                 Tag.STATUS: _status(status >= 400),
                                                 "requests": int(answers)})))
            points.append(Point("timer", Metric.SYNC_DURATION,
                                self.seconds if seconds is None else seconds,
                                self.tags(partitions=self.partitions,
                                          **{Tag.STATUS: _status(self.failed)})))
            self.reset()
        return points

    @staticmethod
    def log(points: list[Point]) -> None:
        logger = metrics.get_metrics_logger()
        for point in points:
            metrics.log(logger, point)


def _status(failed: bool) -> Status:
    return Status.FAILED if failed else Status.SUCCEEDED


class StreamCounter(metrics.Counter):
    """A counter of one partition whose count goes to the stream's :class:`StreamTotals`."""

    def __init__(self, totals: StreamTotals, metric: Metric, every: int = 1) -> None:
        # not Meter.__init__, which asks for the pid and the logger: one of these per partition
        # logs nothing itself
        self.metric, self.tags, self.value = metric, {Tag.STREAM: totals.stream}, 0
        self.log_interval, self.last_log_time = totals.log_interval, 0.0
        self.totals = totals
        self.every = every  # hand the count over every ``every`` increments (and at the end)

    @override
    def increment(self, value: int = 1) -> None:
        self.value += value
        if self.value >= self.every:
            self.totals.count(self.metric, self.value)
            self.value = 0

    @override
    def exit(self) -> None:
        if self.value:
            self.totals.count(self.metric, self.value)
            self.value = 0


class StreamTimer(metrics.Timer):
    """The timer of one partition; when the whole stream it times ends (a top-level stream's),
    the METRIC lines of the stream and of its descendants."""

    def __init__(self, stream: PerStreamMetrics) -> None:
        # not Meter.__init__ (see StreamCounter)
        self.metric, self.tags = Metric.SYNC_DURATION, {Tag.STREAM: stream.name}
        self.start_time = time.time()
        self.stream = stream

    @override
    def __enter__(self) -> Self:
        self.start_time = time.time()
        return self

    @override
    def __exit__(self, exc_type: type[BaseException] | None, exc_val: BaseException | None,
                 exc_tb: TracebackType | None) -> None:
        seconds = self.elapsed()
        self.stream.metric_totals.partition(seconds, failed=exc_type is not None)
        if self.stream.parent_stream_type is None:
            # the SDK leaves ``with record_counter, timer`` timer first: count the records now
            counter = self.stream.__dict__.get("_record_counter")
            if counter is not None:
                counter.exit()
            self.stream.log_metrics(seconds)


class PerStreamMetrics(StreamSeams):
    """The SDK's meters, summed per stream (:class:`StreamTotals`)."""

    #: Records counted before the stream's totals hear of them (a lock per record costs).
    RECORDS_PER_HANDOVER = 100

    @property
    def metric_totals(self) -> StreamTotals:
        totals = self.__dict__.get("_metric_totals")
        if totals is None:
            totals = self.__dict__["_metric_totals"] = StreamTotals(self.name, self.path)
        return totals

    @override
    def get_record_counter(self, *, endpoint: str | None = None,
                           log_interval: float = metrics.DEFAULT_LOG_INTERVAL
                           ) -> metrics.Counter:
        counter = StreamCounter(self.metric_totals, Metric.RECORD_COUNT,
                                self.RECORDS_PER_HANDOVER)
        self.__dict__["_record_counter"] = counter  # the one the sync timer's end counts in
        return counter

    @override
    def get_http_request_counter(self) -> metrics.Counter:
        return StreamCounter(self.metric_totals, Metric.HTTP_REQUEST_COUNT)

    @override
    def get_sync_timer(self) -> metrics.Timer:
        return StreamTimer(self)

    @override
    def request_answered(self, endpoint: str, response: requests.Response,
                         context: Context | None, extra_tags: dict | None) -> None:
        self.metric_totals.answer(response.status_code, response.elapsed.total_seconds())

    def log_metrics(self, seconds: float) -> None:
        """The stream ended after ``seconds``: its lines, then those of its descendants that
        were synced."""
        points = self.metric_totals.final_points(seconds)
        pending = list(self.child_streams)
        while pending:
            child = pending.pop(0)
            pending.extend(child.child_streams)
            totals = child.__dict__.get("_metric_totals")
            if totals is not None and totals.partitions:
                points.extend(totals.final_points())
        StreamTotals.log(points)
