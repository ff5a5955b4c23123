"""Builders of the settings that several taps declare alike (credentials)."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th


def required_settings(*, secret: bool = False, **descriptions: str) -> list[th.Property]:
    """Required string settings, name=description, in that order (``secret``: never shown)."""
    flags: dict[str, Any] = {"secret": True} if secret else {}
    return [th.Property(name, th.StringType, required=True, description=text, **flags)
            for name, text in descriptions.items()]


def oauth_settings(token_url: str, token_url_description: str, client_id: str,
                   client_secret: str, refresh_token: str = "") -> list[th.Property]:
    """The settings of an OAuth tap, each argument its description: ``client_id``, then the
    secrets ``client_secret`` (and ``refresh_token`` when given), then ``token_url`` with its
    default (checked like ``api_url``)."""
    secrets = {"client_secret": client_secret, "refresh_token": refresh_token}
    return [*required_settings(client_id=client_id),
            *required_settings(secret=True, **{k: v for k, v in secrets.items() if v}),
            th.Property("token_url", th.URIType, default=token_url,
                        description=token_url_description)]
