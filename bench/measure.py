"""Running one measurement in its own process: wall time, CPU time and peak RSS of the child,
and the sandbox CPU spent meanwhile; or an untimed pass that collects the records' keys."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msgspec

from bench.specs import TapSpec

_decode = msgspec.json.Decoder().decode
LAUNCHER = Path(__file__).resolve().parent / "launch.py"


class ChildFailed(RuntimeError):
    """A measured process exited non-zero; the message ends with its stderr."""


@dataclass
class Sample:
    """One timed run."""

    wall: float  #: seconds, start to exit
    cpu: float  #: the child's user + system CPU seconds
    rss_mb: float  #: the child's peak resident set (VmHWM), MiB
    server_cpu: float  #: sandbox CPU seconds spent during the run
    requests: int  #: API requests the sandbox answered during the run


def _fail(cmd: list[str], code: int, err: IO[bytes]) -> ChildFailed:
    err.seek(0)
    tail = err.read()[-2000:].decode("utf-8", "replace")
    return ChildFailed(f"{' '.join(cmd[:4])} ... exited {code}:\n{tail}")


def timed_run(cmd: list[str], env: dict[str, str], server_cpu: Callable[[], float],
              requests: Callable[[], int], cwd: str | None = None) -> Sample:
    """Run ``cmd`` through the launcher with stdout to /dev/null; its rusage is the measure."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER), str(report), *cmd]
        cpu_before = server_cpu()
        code = subprocess.run(launcher, stdout=subprocess.DEVNULL, stderr=err, env=env,
                              cwd=cwd).returncode
        spent = server_cpu() - cpu_before
        usage = json.loads(report.read_text()) if report.exists() else {"code": code}
        if code or usage["code"]:
            raise _fail(cmd, usage["code"] or code, err)
    return Sample(wall=usage["wall"], cpu=usage["cpu"], rss_mb=usage["rss_kb"] / 1024,
                  server_cpu=spent, requests=requests())


def record_keys(cmd: list[str], env: dict[str, str], spec: TapSpec,
                cwd: str | None = None) -> dict[str, set[tuple]]:
    """Run ``cmd`` untimed and read its stdout: per stream, the primary keys of every RECORD."""
    keys: dict[str, set[tuple]] = {stream: set() for stream in spec.keys}
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd)
        assert process.stdout is not None
        for line in process.stdout:
            if b'"RECORD"' not in line[:40]:
                continue
            message = _decode(line)
            stream = message["stream"]
            fields = spec.keys.get(stream)
            if fields is None:
                keys.setdefault(stream, set())
                fields = ()
            record = message["record"]
            keys[stream].add(tuple(str(record.get(f)) for f in fields))
        code = process.wait()
        if code != 0:
            raise _fail(cmd, code, err)
    return keys
