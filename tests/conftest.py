"""Shared fixtures: one in-process sandbox for the whole session, reset after every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.server import Sandbox, SandboxServer

SEED, VOLUME = 1, 1000
_server: SandboxServer | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Start the sandbox before collection, so test modules can build configs from its URL."""
    global _server
    _server = SandboxServer(Sandbox(seed=SEED, volume=VOLUME)).serve_in_thread()
    os.environ["SANDBOX_URL"] = _server.url


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist, tests go to the workers one by one, but these stay on one worker:
    the tests of one class (the SDK's standard tests of a tap share one class-scoped sync), the
    tests of a module with a module-scoped fixture (computed once, not once per worker), and
    every test that runs Meltano in the repo's project (``tests/e2e``: one ``.meltano`` folder,
    one ``meltano install``). (xdist's ``loadgroup`` does not work with pytest 9.2: it renames
    ``item._nodeid``, which pytest 9.2 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    root = Path(str(config.rootpath))
    shared = {str(path.relative_to(root)) for path in (root / "tests").rglob("test_*.py")
              if 'scope="module"' in path.read_text()}

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module, _, rest = nodeid.partition("::")
            if module.startswith("tests/e2e/"):
                return "meltano"
            if module in shared:
                return module
            if "::" in rest:  # a method: its class
                return f"{module}::{rest.split('::', 1)[0]}"
            return nodeid

    return SharedFixtureScheduling(config, log)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server is not None:
        _server.stop()


@pytest.fixture
def sandbox() -> Iterator[SandboxClient]:
    """A client of the session's sandbox; faults, latency, counters and data reset afterwards."""
    client = SandboxClient(os.environ["SANDBOX_URL"])
    client.reset()
    yield client
    client.reset(seed=SEED, volume=VOLUME)
