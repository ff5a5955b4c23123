"""Issue 17: reading ahead (child partitions, next streams, pages) changes nothing but time.

For every tap, against the sandbox with a little latency per request (so that the workers really
overlap), the output at ``max_concurrency`` 4 and 8 is byte for byte the output at 1, clock
readings (``time_extracted``) aside: the same RECORD, SCHEMA and STATE lines in the same order.
And no page is asked twice or in vain: the same requests, as a multiset.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from tests.reliability.common import Tap, run, taps_param

#: Clock readings: ``time_extracted`` of a RECORD, and the replication key signpost of a STATE
#: (when the run started: bookmarks never pass it).
CLOCK = re.compile(r'"(time_extracted|replication_key_signpost)":"[^"]*"')
#: Window upper bounds are "now", a clock reading too.
NOW_PARAMS = {"timestampTo", "updatedAtTo", "completedDateRangeEnd", "entryDateTo"}


def output_lines(stdout: str) -> list[str]:
    return [CLOCK.sub(r'"\1":"<clock>"', line) for line in stdout.splitlines()
            if line.startswith('{"type"')]


def asked(sandbox, tap: Tap) -> Counter:
    return Counter((r["method"], r["path"], json.dumps(
        {k: v for k, v in sorted(r["query"].items()) if k not in NOW_PARAMS}))
        for r in sandbox.requests(tap.prefix))


@taps_param()
def test_output_at_any_concurrency_is_the_sequential_output(tap: Tap, sandbox) -> None:
    if tap.sandbox_options:
        sandbox.configure(tap.prefix, **tap.sandbox_options)
    outputs, requests, in_flight = {}, {}, {}
    for workers in (1, 4, 8):
        sandbox.reset()  # counters and the request log (the data and its options stay)
        sandbox.latency(3, api=tap.prefix)
        one = run(tap, tap.config(max_concurrency=workers, **tap.small_pages))
        assert one.returncode == 0, one.stderr[-2000:]
        outputs[workers] = output_lines(one.stdout)
        requests[workers] = asked(sandbox, tap)
        in_flight[workers] = sandbox.stats()[tap.prefix]["max_in_flight"]
    assert sum(1 for line in outputs[1] if '"RECORD"' in line[:20]) > 50
    assert in_flight[1] == 1 and in_flight[8] > 1  # the workers really overlapped
    for workers in (4, 8):
        assert outputs[workers] == outputs[1], f"max_concurrency {workers}: other output"
        assert requests[workers] == requests[1], f"max_concurrency {workers}: other requests"
