"""``python -m sandbox --port 8765``: serve the five fake APIs until interrupted.
``python -m sandbox config tap-classroom [--port 8765]``: print a ready config for a tap against
the sandbox on that port (default: $SANDBOX_PORT, else 8765)."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from sandbox.credentials import CREDENTIALS, tap_config
from sandbox.faults import KINDS, FaultPlan
from sandbox.server import Sandbox, SandboxServer

DEFAULT_PORT = 8765


def default_port() -> int:
    return int(os.environ.get("SANDBOX_PORT") or DEFAULT_PORT)


def print_config(argv: list[str]) -> int:
    """Print a tap's config for the sandbox as JSON (save it as config.json)."""
    parser = argparse.ArgumentParser(prog="python -m sandbox config",
                                     description=print_config.__doc__)
    parser.add_argument("tap", choices=sorted(CREDENTIALS))
    parser.add_argument("--port", type=int, default=default_port(),
                        help=f"the sandbox's port (default: $SANDBOX_PORT, else {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    print(json.dumps(tap_config(args.tap, f"http://{args.host}:{args.port}"), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["config"]:
        return print_config(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=default_port(),
                        help=f"0 picks a free port (default: $SANDBOX_PORT, else {DEFAULT_PORT})")
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
    try:
        server = SandboxServer(sandbox, args.host, args.port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"sandbox: port {args.port} on {args.host} is in use (another sandbox?): stop it "
              f"or pick another port (make sandbox PORT=9000, then SANDBOX_PORT=9000 for "
              f"meltano --environment sandbox)", file=sys.stderr)
        return 1
    if args.port_file:
        args.port_file.write_text(str(server.server_port))
    server.serve_until_stopped({"port": server.server_port, "apis": list(sandbox.apis),
                                "volume": args.volume})
    return 0


if __name__ == "__main__":
    sys.exit(main())
