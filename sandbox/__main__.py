"""``python -m sandbox --port 8765``: serve the five fake APIs until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from sandbox.faults import KINDS, FaultPlan
from sandbox.server import Sandbox, SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--volume", type=int, default=1000,
                        help="about how many records each API holds")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="share of API requests that fail (0..1)")
    parser.add_argument("--fault-kinds", default="429,503",
                        help=f"comma-separated kinds out of {','.join(KINDS)}")
    parser.add_argument("--apis", default="", help="comma-separated prefixes to serve (all)")
    parser.add_argument("--port-file", type=Path, help="write the chosen port here when ready")
    args = parser.parse_args(argv)

    sandbox = Sandbox(args.seed, args.volume, args.latency_ms,
                      only=[a for a in args.apis.split(",") if a] or None)
    if args.fault_rate:
        sandbox.faults["*"] = FaultPlan(rate=args.fault_rate, seed=args.seed,
                                        kinds=tuple(args.fault_kinds.split(",")))
    server = SandboxServer(sandbox, args.host, args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.port_file:
        args.port_file.write_text(str(server.server_port))
    print(json.dumps({"url": server.url, "apis": list(sandbox.apis), "volume": args.volume}),
          flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
