"""The sandbox as a subprocess the bench owns: its URL, a control client and its CPU time."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sandbox.client import SandboxClient, running_sandbox

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
    with running_sandbox("--volume", str(volume), "--apis", ",".join(apis),
                         "--latency-ms", str(latency_ms)) as client:
        assert client.process is not None
        yield RunningSandbox(client, client.process.pid, time.perf_counter() - started)
