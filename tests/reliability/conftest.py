"""Fixtures of the reliability tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.common import issued_tokens_captured


@pytest.fixture
def issued_tokens() -> Iterator[list[str]]:
    """Every access token the (in-process) sandbox issues during the test."""
    with issued_tokens_captured() as tokens:
        yield tokens
