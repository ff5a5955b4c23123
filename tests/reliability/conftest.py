"""Fixtures of the reliability tests."""

from __future__ import annotations

import pytest

from sandbox.apis.base import TokenStore


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every access token the (in-process) sandbox issues during the test."""
    tokens: list[str] = []
    original = TokenStore.issue

    def issue(self: TokenStore) -> tuple[str, int]:
        token, ttl = original(self)
        tokens.append(token)
        return token, ttl

    monkeypatch.setattr(TokenStore, "issue", issue)
    return tokens
