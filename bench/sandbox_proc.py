"""The sandbox as a subprocess the bench owns: its URL, a control client and its CPU time."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parent.parent
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class RunningSandbox:
    """A started ``python -m sandbox``: control client, process id and start-up time."""

    client: SandboxClient
    pid: int
    startup_seconds: float

    @property
    def url(self) -> str:
        return self.client.url

    def cpu_seconds(self) -> float:
        """User + system CPU the sandbox process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK


@contextlib.contextmanager
def sandbox(volume: int, apis: list[str], latency_ms: float = 0.0) -> Iterator[RunningSandbox]:
    """Start the sandbox serving ``apis`` at ``volume``; stop it on exit."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--volume", str(volume),
         "--apis", ",".join(apis), "--latency-ms", str(latency_ms)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise RuntimeError(f"the sandbox did not start (exit code {process.poll()})")
        client = SandboxClient(json.loads(line)["url"])
        for _ in range(200):
            with contextlib.suppress(requests.ConnectionError):
                client.health()
                break
            time.sleep(0.05)
        yield RunningSandbox(client, process.pid, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
