"""Issue 12, item 4: SIGTERM or SIGINT while the target reads slowly. The tap is stopped while it
is blocked writing a block to a full pipe; whatever the timing, its output stays whole lines of
valid JSON, and its last STATE vouches only for records that were written: every course that a
stream's ``parents`` list names has all its records in the output."""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from tests.helpers import BIN, TapRun
from tests.reliability.common import BY_NAME, _tmp_json, assert_bookmarks_safe, catalog

TAP = BY_NAME["tap-classroom"]
CHUNK = 4096


def read_slowly(pipe, pause: float) -> bytes:
    """Read ``pipe`` to its end, a small chunk at a time, like a slow target."""
    data = bytearray()
    while chunk := pipe.read1(CHUNK):
        data += chunk
        time.sleep(pause)
    return bytes(data)


def stopped_mid_write(config: dict, signum: int) -> tuple[int, bytes, str]:
    """Run the tap; read a little, stop reading (the tap fills the pipe and blocks in the middle
    of a block), send ``signum``, then read the rest slowly."""
    argv = [str(BIN / TAP.name), "--config", _tmp_json(config)]
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr)
        watchdog = threading.Timer(90, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            head = process.stdout.read(16 * CHUNK)
            time.sleep(1.5)  # the target reads nothing: the tap blocks writing
            assert process.poll() is None, "the tap finished before the signal: more output?"
            process.send_signal(signum)
            time.sleep(0.2)
            data = head + read_slowly(process.stdout, 0.002)
            process.wait(timeout=60)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        return process.returncode, data, stderr.read()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_with_a_slow_target_leaves_whole_lines(sandbox, signum):
    truth = sandbox.truth(TAP.prefix)
    code, data, stderr = stopped_mid_write(TAP.config(backoff_factor=0.01), signum)
    assert code == 128 + signum, f"exit {code}\n{stderr[-2000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    text = data.decode()
    assert text.endswith("\n"), f"the output ends in a cut line: {text[-200:]!r}"
    messages = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            messages.append(json.loads(line))
        except ValueError:
            pytest.fail(f"line {number} is no JSON (cut, or two messages glued): {line[:300]}")
    one = TapRun(code, text, stderr, messages)
    assert one.states, "no STATE was written on the signal"
    records = one.records
    assert len(records["courses"]) < len(truth["courses"]) or len(
        records["studentsubmissions"]) < len(truth["studentsubmissions"]), "stopped after the end"

    # the last STATE vouches for every course in its parents lists: all their records are out
    keys = catalog(TAP)
    vouched = 0
    for stream, entry in one.last_state.get("bookmarks", {}).items():
        for course in entry.get("parents", []):
            want = {tuple(r[k] for k in keys[stream].keys) for r in truth[stream]
                    if r["courseId"] == course}
            got = {tuple(r[k] for k in keys[stream].keys) for r in records[stream]
                   if r["courseId"] == course}
            assert want <= got, f"{stream}: the last STATE names course {course} as read, " \
                                f"but {len(want - got)} of its records never came out"
            vouched += 1
    assert vouched, "the last STATE names no course as read: stopped too early to check"
    assert_bookmarks_safe(TAP, [one], truth)
