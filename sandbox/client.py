"""A small client for the ``/_sandbox`` controls, and a way to run the sandbox for a while."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


class SandboxClient:
    """Talks to a running sandbox at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.process: subprocess.Popen | None = None  # set by running_sandbox

    def _call(self, method: str, action: str, **body: Any) -> Any:
        response = self.session.request(method, f"{self.url}/_sandbox/{action}",
                                        json=body or None, timeout=60)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict:
        return self._call("GET", "health")

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def requests(self, api: str) -> list[dict]:
        return self._call("GET", f"requests?api={api}")[api]

    def truth(self, api: str, tenant: str | None = None) -> dict[str, list[dict]]:
        return self._call("GET", f"truth/{api}" + (f"?tenant={tenant}" if tenant else ""))

    def reset(self, **body: Any) -> None:
        self._call("POST", "reset", **body)

    def faults(self, api: str = "*", **plan: Any) -> None:
        self._call("POST", "faults", api=api, **plan)

    def drift(self, api: str, path: str, field: str, value: Any, limit: int = 1) -> None:
        """Make ``limit`` records (0: all) on answers matching ``path`` carry ``value`` at
        ``field`` (sandbox/drift.py)."""
        self._call("POST", "drift", api=api, path=path, field=field, value=value, limit=limit)

    def latency(self, ms: float, api: str = "*") -> None:
        self._call("POST", "latency", api=api, ms=ms)

    def touch(self, api: str, stream: str, count: int, tenant: str | None = None) -> list:
        extra = {"tenant": tenant} if tenant else {}
        return self._call("POST", "touch", api=api, stream=stream, count=count, **extra)["keys"]

    def configure(self, api: str, **options: Any) -> None:
        self._call("POST", "configure", api=api, **options)


@contextlib.contextmanager
def running_sandbox(*args: str, port: int = 0) -> Iterator[SandboxClient]:
    """Start ``python -m sandbox`` in a subprocess; yield a client (its ``process`` set); stop
    it afterwards."""
    with sandbox_process("sandbox", "--port", str(port), *args) as client:
        yield client


@contextlib.contextmanager
def sandbox_process(module: str, *args: str) -> Iterator[SandboxClient]:
    """Run ``python -m <module> *args`` (a server that announces itself with
    :meth:`~sandbox.server.SandboxServer.serve_until_stopped`); yield a client once it answers;
    stop it afterwards."""
    process = subprocess.Popen([sys.executable, "-m", module, *args],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise RuntimeError(f"{module} did not start (exit code {process.poll()})")
        client = SandboxClient(json.loads(line)["url"])
        client.process = process
        for _ in range(200):
            with contextlib.suppress(requests.ConnectionError):
                client.health()
                break
            time.sleep(0.05)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
