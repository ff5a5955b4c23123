"""Authenticators: OAuth2 (refresh-token and client-credentials grants), HTTP Basic, API key.

The OAuth ones build on the SDK's :class:`OAuthAuthenticator`, are created once per tap (no
``SingletonMeta``), reuse a token until shortly before ``expires_in`` runs out, retry the token
endpoint on 429/5xx/network errors, keep a rotated ``refresh_token``, and answer a 401 from the API
with one fresh token and one retry of the request. No secret ever reaches a log line or an error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from singer_sdk.authenticators import APIKeyAuthenticator, BasicAuthenticator, OAuthAuthenticator
from singer_sdk.helpers._util import utc_now

from tapkit.errors import ConfigError, TapError, one_line, redact, redact_url
from tapkit.retry import NETWORK_ERRORS, RETRY_STATUSES, retry_after_seconds

__all__ = [
    "APIKeyAuthenticator",
    "BasicAuthenticator",
    "ClientCredentialsAuthenticator",
    "RefreshTokenAuthenticator",
]

#: A token is renewed once less than this share of its lifetime (at most 5 minutes) is left.
EXPIRY_MARGIN = 0.1
MAX_EXPIRY_MARGIN = 300.0


class _SuiteOAuth(OAuthAuthenticator):
    """Shared OAuth2 behaviour; subclasses say which grant goes in the token request body."""

    grant_type = ""

    def __init__(self, *, token_url: str, client_id: str, client_secret: str,
                 timeout: float = 60, max_retries: int = 3, backoff_factor: float = 2,
                 user_agent: str | None = None, **kwargs: Any) -> None:
        super().__init__(auth_endpoint=token_url, client_id=client_id,
                         client_secret=client_secret, **kwargs)
        self._timeout, self._max_retries = timeout, max_retries
        self._backoff_factor = backoff_factor
        self._session = requests.Session()
        if user_agent:
            self._session.headers["User-Agent"] = user_agent
        self._lock = threading.Lock()
        self.token_requests = 0

    # -- token lifecycle -------------------------------------------------------------------
    @property
    def secrets(self) -> list[str | None]:
        """Every value that must never be printed."""
        return [self.client_secret, self.refresh_token, self.access_token]

    def is_token_valid(self) -> bool:
        if self.last_refreshed is None or not self.access_token:
            return False
        if not self.expires_in:
            return True
        margin = min(self.expires_in * EXPIRY_MARGIN, MAX_EXPIRY_MARGIN)
        return (utc_now() - self.last_refreshed).total_seconds() < self.expires_in - margin

    def invalidate(self, used_token: str | None = None) -> None:
        """Forget the current token (unless another thread already replaced ``used_token``)."""
        with self._lock:
            if used_token is None or used_token == self.access_token:
                self.last_refreshed = None

    def ensure_token(self) -> str:
        """A valid access token, fetched at most once at a time across threads."""
        with self._lock:
            if not self.is_token_valid():
                self.update_access_token()
            return str(self.access_token)

    def update_access_token(self) -> None:
        """POST the grant to the token endpoint, retrying transient failures."""
        url = redact_url(self.auth_endpoint)
        for attempt in range(self._max_retries + 1):
            started = utc_now()
            self.token_requests += 1
            last = attempt == self._max_retries
            try:
                response = self._session.post(self.auth_endpoint, data=self.oauth_request_body,
                                              headers=self._oauth_headers, timeout=self._timeout)
            except NETWORK_ERRORS as exc:
                if last:
                    raise TapError(f"could not reach the token endpoint {url} after "
                                   f"{attempt + 1} tries: {type(exc).__name__}") from None
                time.sleep(self._backoff_factor * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                wait = retry_after_seconds(response)
                time.sleep(self._backoff_factor * 2**attempt if wait is None else wait)
                continue
            if response.status_code >= 400:
                body = redact(one_line(response.text, 200), self.secrets)
                fields = ", ".join(k for k in self.oauth_request_body if k != "grant_type")
                hint = (f"check {fields}" if response.status_code in (400, 401, 403)
                        else "try again later")
                raise ConfigError(f"token request to {url} failed with HTTP "
                                  f"{response.status_code}: {body} ({hint})")
            try:
                answer = response.json()
                token = answer["access_token"]
            except ValueError:  # a cut-off answer: worth another try
                if last:
                    raise TapError(f"token endpoint {url} answered with invalid JSON") from None
                time.sleep(self._backoff_factor * 2**attempt)
                continue
            except RecursionError:
                raise TapError(f"token endpoint {url} answered with JSON nested too deeply to "
                               f"read") from None
            except (KeyError, TypeError):
                raise TapError(f"token endpoint {url} answered without an access_token"
                               ) from None
            break
        if not isinstance(token, str) or not token:
            raise TapError(f"token endpoint {url} answered without an access_token (it is "
                           f"{'null' if token is None else type(token).__name__})")
        expires = answer.get("expires_in", self._default_expiration)
        self.access_token = token
        self.expires_in = _seconds(expires, url)
        if answer.get("refresh_token"):
            self.refresh_token = answer["refresh_token"]
        self.last_refreshed = started

    # -- requests ----------------------------------------------------------------------------
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.ensure_token()
        request.headers["Authorization"] = f"Bearer {token}"
        hooks = request.hooks.setdefault("response", [])
        if self._reauth_on_401 not in hooks:
            hooks.append(self._reauth_on_401)
        return request

    def _reauth_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        """On a 401, get one new token and resend the request once."""
        request = response.request
        if response.status_code != 401 or getattr(request, "_tapkit_reauthed", False):
            return response
        used = str(request.headers.get("Authorization", "")).removeprefix("Bearer ")
        self.invalidate(used)
        retry = request.copy()
        retry._tapkit_reauthed = True  # type: ignore[attr-defined]
        retry.headers["Authorization"] = f"Bearer {self.ensure_token()}"
        response.content  # noqa: B018  (release the connection before reusing it)
        response.close()
        new = response.connection.send(retry, **kwargs)  # type: ignore[attr-defined]
        new.history.append(response)
        new.request = retry
        return new


class RefreshTokenAuthenticator(_SuiteOAuth):
    """OAuth2 ``grant_type=refresh_token`` (Google, Basecamp's launchpad)."""

    def __init__(self, *, refresh_token: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refresh_token = refresh_token

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **kwargs: Any) -> RefreshTokenAuthenticator:
        """From the settings ``token_url``, ``client_id``, ``client_secret``, ``refresh_token``."""
        return cls(token_url=config["token_url"], client_id=config["client_id"],
                   client_secret=config["client_secret"], refresh_token=config["refresh_token"],
                   **kwargs)

    @property
    def oauth_request_body(self) -> dict:
        return {"grant_type": "refresh_token", "client_id": self.client_id,
                "client_secret": self.client_secret, "refresh_token": self.refresh_token}


class ClientCredentialsAuthenticator(_SuiteOAuth):
    """OAuth2 ``grant_type=client_credentials`` (Primetric)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    **kwargs: Any) -> ClientCredentialsAuthenticator:
        """From the settings ``token_url``, ``client_id`` and ``client_secret``."""
        return cls(token_url=config["token_url"], client_id=config["client_id"],
                   client_secret=config["client_secret"], **kwargs)

    @property
    def oauth_request_body(self) -> dict:
        return {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret}


def _seconds(value: object, url: str) -> int | None:
    """``expires_in`` as whole seconds (``None``: not given); anything but a number is an error."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = float("nan")
    if isinstance(value, bool) or seconds != seconds or seconds in (float("inf"), -float("inf")):
        raise TapError(f"token endpoint {url} answered with expires_in "
                       f"{one_line(repr(value), 60)}, not a number of seconds")
    return int(seconds) or None
