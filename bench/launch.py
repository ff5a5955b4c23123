"""``python -I -S bench/launch.py OUT CMD...``: run CMD and write its wall time, CPU time, peak
RSS and exit code to OUT as JSON.

Why a launcher: Linux counts, in a child's ``ru_maxrss``, the high-water mark of the address
space it had before ``exec`` — a copy of its parent's. A child of the (large) bench process
would report the bench's size; a child of this small launcher reports its own. Standard library
only, and run without site-packages, to stay small.
"""

import json
import os
import sys
import time


def main() -> int:
    out, cmd = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    with open(out, "w") as handle:
        json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                   "rss_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
