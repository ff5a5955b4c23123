"""``python -m bench.dlt_sources <tap> <sandbox url> [--records]``: build the tap's seed source
and run ``pipeline.extract`` into a fresh pipelines dir; ``--records`` also prints each extracted
record as a JSON line (stream and record) for the parity check. Needs ``.venv-bench``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import dlt

from bench.specs import spec_for


def printer(stream: str) -> Callable[[Any], Any]:
    """A map step that prints each record it sees and passes it on unchanged."""
    write = sys.stdout.write

    def show(record: Any) -> Any:
        write(json.dumps({"type": "RECORD", "stream": stream, "record": record}, default=str))
        write("\n")
        return record

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dlt_sources", description=__doc__)
    parser.add_argument("tap")
    parser.add_argument("url")
    parser.add_argument("--records", action="store_true", help="print extracted records")
    args = parser.parse_args(argv)
    spec = spec_for(args.tap)
    module = importlib.import_module(f"bench.dlt_sources.{spec.name}")
    source = module.build_source(args.url.rstrip("/"))
    if args.records:
        for name, resource in source.selected_resources.items():
            resource.add_map(printer(name))
    with tempfile.TemporaryDirectory(prefix="bench-dlt-") as workdir:
        pipeline = dlt.pipeline(pipeline_name=f"bench_{spec.name}", pipelines_dir=workdir)
        info = pipeline.extract(source)
        print(info, file=sys.stderr)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
