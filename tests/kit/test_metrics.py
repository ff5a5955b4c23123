"""METRIC lines once per stream (tapkit.metrics): a stream's lines add up to what it read and
asked for, however many partitions it has, and no line goes out per partition or per request."""

from __future__ import annotations

import json
import logging
import os
import re
from collections import defaultdict

import pytest
from singer_sdk.metrics import Metric

from sandbox.credentials import tap_config
from tapkit.metrics import StreamTotals
from tests.helpers import run_tap

URL = os.environ["SANDBOX_URL"]


def metric_lines(stderr: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"METRIC: (\{.*\})", stderr)]


def test_a_streams_lines_add_up_to_its_records_and_requests_whatever_its_partitions(sandbox):
    run = run_tap("tap-classroom", tap_config("tap-classroom", URL))
    assert run.returncode == 0, run.stderr[-2000:]
    lines = metric_lines(run.stderr)
    by_stream: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        assert "context" not in line["tags"], line  # never a line per partition
        by_stream[line["tags"]["stream"]][line["metric"]].append(line)
    courses = len(run.records["courses"])
    assert courses > 5
    for stream, records in run.records.items():
        metrics = by_stream[stream]
        assert sum(m["value"] for m in metrics["record_count"]) == len(records), stream
        [sync] = metrics["sync_duration"]
        assert sync["tags"]["status"] == "succeeded"
    # a per-course stream: one line for all its courses
    [announcements] = by_stream["announcements"]["sync_duration"]
    assert announcements["tags"]["partitions"] == courses
    # every API request is counted once, in its stream's counter and its duration timer
    asked = [r for r in sandbox.requests("classroom") if r["path"] != "/token"]
    counted = sum(m["value"] for s in by_stream.values() for m in s["http_request_count"])
    timed = sum(m["tags"]["requests"] for s in by_stream.values()
                for m in s["http_request_duration"])
    assert counted == timed == len(asked)
    assert len(lines) <= 5 * len(by_stream)


def test_progress_lines_count_what_came_since_the_last_and_add_up(caplog):
    totals = StreamTotals("s", "/s", log_interval=0)  # a progress line at every count
    with caplog.at_level(logging.INFO, logger="singer_sdk.metrics"):
        for value in (3, 4, 5):
            totals.count(Metric.RECORD_COUNT, value)
        totals.answer(200, 0.5)
        totals.answer(200, 0.25)
        totals.answer(503, 1.0)
        totals.partition(2.0, failed=False)
        totals.partition(1.0, failed=True)
        StreamTotals.log(totals.final_points())
    lines = metric_lines(caplog.text)
    records = [m["value"] for m in lines if m["metric"] == "record_count"]
    assert records == [3, 4, 5, 0]
    durations = {m["tags"]["http_status_code"]: m for m in lines
                 if m["metric"] == "http_request_duration"}
    assert (durations[200]["value"], durations[200]["tags"]["requests"]) == (0.75, 2)
    assert durations[503]["tags"]["status"] == "failed"
    [sync] = [m for m in lines if m["metric"] == "sync_duration"]
    assert (sync["value"], sync["tags"]["partitions"], sync["tags"]["status"]) == (
        3.0, 2, "failed")
    # measured once: the next sync starts from nothing
    assert totals.partitions == 0 and not totals.answers


@pytest.mark.parametrize("tap", ["tap-thrive", "tap-basecamp"])
def test_the_partition_lines_of_the_sdk_are_gone_from_every_tap(tap, sandbox):
    run = run_tap(tap, tap_config(tap, URL))
    assert run.returncode == 0, run.stderr[-2000:]
    lines = metric_lines(run.stderr)
    assert lines and not [m for m in lines if "context" in m["tags"]]
    per_stream = defaultdict(int)
    for line in lines:
        per_stream[line["tags"]["stream"], line["metric"]] += 1
    assert max(n for (_, metric), n in per_stream.items() if metric != "http_request_duration"
               ) == 1
    assert len(re.findall(r"Pagination stopped after", run.stderr)) <= len(
        {stream for stream, _ in per_stream})
