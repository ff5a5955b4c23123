"""The credentials the fake APIs accept, and a complete tap config pointing at a sandbox; the
per-tap values are in the tap registry (``taps/registry.py``)."""

from __future__ import annotations

from typing import Any

from taps.registry import TAPS

#: Per tap: the secret and non-secret settings the sandbox accepts (from the registry).
CREDENTIALS: dict[str, dict[str, Any]] = {tap.name: dict(tap.credentials) for tap in TAPS}

#: Per tap: URL settings, relative to the sandbox root (from the registry).
URLS: dict[str, dict[str, str]] = {tap.name: dict(tap.urls) for tap in TAPS}

# -- A second account of the same API (issue 19: many accounts, one Meltano plugin each) --------
#: Per tap: the credentials of a second tenant the sandbox serves, with data of its own (other
#: ids, other contents) behind the same URLs.
SECOND_TENANT: dict[str, dict[str, Any]] = {
    "tap-classroom": {"client_id": "sandbox-classroom-client-b",
                      "client_secret": "sbx-classroom-secret-b-8e13d2",
                      "refresh_token": "sbx-classroom-refresh-b-2a6f90"},
}


def second_tenant_config(tap: str, sandbox_url: str, **overrides: Any) -> dict[str, Any]:
    """A complete config for the second tenant of ``tap`` against the sandbox."""
    return {**tap_config(tap, sandbox_url), **SECOND_TENANT[tap], **overrides}
# -- /second account ---------------------------------------------------------------------------


#: The settings above that are secrets.
SECRET_SETTINGS = frozenset({"client_secret", "refresh_token", "password", "api_key"})
#: Every secret value above, for the tests that scan output for leaks.
SECRETS = [v for creds in [*CREDENTIALS.values(), *SECOND_TENANT.values()]
           for k, v in creds.items() if k in SECRET_SETTINGS]


def tap_config(tap: str, sandbox_url: str, **overrides: Any) -> dict[str, Any]:
    """A complete config for ``tap`` against the sandbox at ``sandbox_url``."""
    root = sandbox_url.rstrip("/")
    config = {**CREDENTIALS[tap], **{k: root + v for k, v in URLS[tap].items()},
              "backoff_factor": 0.05, "max_requests_per_second": 0}
    config.update(overrides)
    return config
