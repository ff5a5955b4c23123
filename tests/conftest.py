"""Shared fixtures: one in-process sandbox for the whole session, reset after every test."""

from __future__ import annotations

import os
from collections.abc import Iterator

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
