"""The credentials the fake APIs accept, and a complete tap config pointing at a sandbox."""

from __future__ import annotations

from typing import Any

#: Per tap: the secret and non-secret settings the sandbox accepts.
CREDENTIALS: dict[str, dict[str, Any]] = {
    "tap-classroom": {"client_id": "sandbox-classroom-client",
                      "client_secret": "sbx-classroom-secret-4f9a1c",
                      "refresh_token": "sbx-classroom-refresh-7c2e9d"},
    "tap-thrive": {"username": "eu-west-000042", "password": "sbx-thrive-apikey-91be0c",
                   "start_date": "2024-01-01T00:00:00Z"},
    "tap-primetric": {"client_id": "sandbox-primetric-client",
                      "client_secret": "sbx-primetric-secret-5d7e21"},
    "tap-basecamp": {"account_id": "999999999", "client_id": "sandbox-basecamp-client",
                     "client_secret": "sbx-basecamp-secret-33af8b",
                     "refresh_token": "sbx-basecamp-refresh-c40d17",
                     "user_agent": "tap-basecamp sandbox (sandbox@example.com)"},
    "tap-systeme": {"api_key": "sbx-systeme-apikey-0e6f5a"},
}

#: Per tap: URL settings, relative to the sandbox root.
URLS: dict[str, dict[str, str]] = {
    "tap-classroom": {"api_url": "/classroom/v1", "token_url": "/classroom/token"},
    "tap-thrive": {"api_url": "/thrive/rest/v1"},
    "tap-primetric": {"api_url": "/primetric/beta", "token_url": "/primetric/auth/token/"},
    "tap-basecamp": {"api_url": "/basecamp/{account_id}",
                     "token_url": "/basecamp/launchpad/authorization/token"},
    "tap-systeme": {"api_url": "/systeme/api"},
}

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


#: Every secret value above, for the tests that scan output for leaks.
SECRETS = [v for creds in [*CREDENTIALS.values(), *SECOND_TENANT.values()]
           for k, v in creds.items()
           if k in {"client_secret", "refresh_token", "password", "api_key"}]


def tap_config(tap: str, sandbox_url: str, **overrides: Any) -> dict[str, Any]:
    """A complete config for ``tap`` against the sandbox at ``sandbox_url``."""
    root = sandbox_url.rstrip("/")
    config = {**CREDENTIALS[tap], **{k: root + v for k, v in URLS[tap].items()},
              "backoff_factor": 0.05, "max_requests_per_second": 0}
    config.update(overrides)
    return config
