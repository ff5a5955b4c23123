"""``python -m bench.limit <tap> <sandbox url>``: the bare loop, RECORD lines on stdout."""

from __future__ import annotations

import argparse
import importlib
import sys

from bench.limit.common import RecordWriter
from bench.specs import spec_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.limit", description=__doc__)
    parser.add_argument("tap", help="classroom, thrive, primetric, basecamp or systeme")
    parser.add_argument("url", help="root URL of a running sandbox")
    args = parser.parse_args(argv)
    module = importlib.import_module(f"bench.limit.{spec_for(args.tap).name}")
    writer = RecordWriter(sys.stdout.buffer)
    module.run(args.url.rstrip("/"), writer)
    sys.stdout.buffer.flush()
    print(f"{writer.count} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
