"""``make demo``: start the sandbox, run every tap through Meltano into ``output/`` (and into
Postgres when it is reachable), print a table of record counts, stop the sandbox."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from sandbox.client import ROOT, running_sandbox
from sandbox.schemas import schema_name
from taps.registry import TAPS as REGISTRY

MELTANO = str(Path(sys.executable).parent / "meltano")
OUTPUT = ROOT / "output"
TAPS = [tap.name for tap in REGISTRY]


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def select_everything(tap: str) -> dict[str, str]:
    """Meltano's ``select`` extra as an environment variable: every stream, the opt-in ones
    (which meltano.yml leaves out) too, so the demo shows them all."""
    return {f"{tap.upper().replace('-', '_')}__SELECT": json.dumps(["*.*"])}


def meltano_run(tap: str, target: str, env: dict[str, str]) -> tuple[bool, float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [MELTANO, "--environment", "sandbox", "run", "--full-refresh", "--state-id-suffix",
         "demo", tap, target], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
        text=True, check=False)
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    return done.returncode == 0, time.monotonic() - started, (errors or [""])[-1][-300:]


def count_lines(folder: Path) -> dict[str, int]:
    return {f.stem: sum(1 for _ in f.open()) for f in sorted(folder.glob("*.jsonl"))}


def schema_of(tap: str) -> str:
    """The demo's own Postgres schema for ``tap``, emptied before every demo (behind
    ``SCHEMA_PREFIX``, sandbox/schemas.py)."""
    return schema_name("demo_" + tap.replace("-", "_"))


def drop_schema(schema: str) -> None:
    try:
        import psycopg2
    except ImportError:
        return
    with psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test",
                          connect_timeout=3) as connection, connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_counts(schema: str, streams: list[str]) -> dict[str, int]:
    try:
        import psycopg2
    except ImportError:
        return {}
    counts = {}
    with psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test",
                          connect_timeout=3) as connection, connection.cursor() as cursor:
        for stream in streams:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{stream}"')
            counts[stream] = cursor.fetchone()[0]
    return counts


def main() -> int:
    with_postgres = postgres_reachable()
    targets = ["target-jsonl"] + (["target-postgres"] if with_postgres else [])
    print(f"Demo: {len(TAPS)} taps -> {' and '.join(targets)}"
          + ("" if with_postgres else " (no Postgres on 127.0.0.1:5432: JSONL only)"), flush=True)
    rows: list[tuple[str, str, int, int | None]] = []
    failed = []
    with running_sandbox("--volume", "1000") as sandbox:
        print(f"Sandbox serving the fake APIs at {sandbox.url}", flush=True)
        for number, tap in enumerate(TAPS, 1):
            folder = OUTPUT / tap
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            # meltano.yml's sandbox environment follows SANDBOX_PORT
            env = {"SANDBOX_PORT": str(urlsplit(sandbox.url).port), **select_everything(tap),
                   "TARGET_JSONL_DESTINATION_PATH": str(folder),
                   "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema_of(tap)}
            if with_postgres:
                drop_schema(schema_of(tap))
            for target in targets:
                print(f"[{number}/{len(TAPS)}] meltano run {tap} {target} ...", end=" ",
                      flush=True)
                ok, seconds, error = meltano_run(tap, target, env)
                print(f"{'ok' if ok else 'FAILED'} in {seconds:.1f} s", flush=True)
                if not ok:
                    failed.append(f"{tap} {target}: {error}")
            counts = count_lines(folder)
            in_pg = postgres_counts(schema_of(tap), list(counts)) if with_postgres and (
                tap not in " ".join(failed)) else {}
            rows += [(tap, stream, n, in_pg.get(stream)) for stream, n in counts.items()]
    print()
    header = ("tap", "stream", "records (JSONL)", "rows (Postgres)")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = (str("" if v is None else v).ljust(w) for v, w in zip(row, widths, strict=True))
        print("  ".join(cells))
    print("\nThe demo selects every stream, opt-in ones too (meltano.yml leaves those out).")
    print(f"JSON Lines files: {OUTPUT}/<tap>/<stream>.jsonl"
          + (f"; Postgres: database test, one schema per tap ({schema_of(TAPS[0])}, ...)"
             if with_postgres else ""))
    for line in failed:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
