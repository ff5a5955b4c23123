"""Authenticators: OAuth2 (refresh-token and client-credentials grants), HTTP Basic, API key.

The OAuth ones build on the SDK's :class:`OAuthAuthenticator`, are created once per tap (no
``SingletonMeta``), reuse a token until shortly before ``expires_in`` runs out, retry the token
endpoint on 429/5xx/network errors, keep a rotated ``refresh_token``, and answer a 401 from the API
with one fresh token and one retry of the request. Under concurrency a request whose token another
worker replaced meanwhile gets the current token and another try, a bounded number of times.
Token requests go only to the origin of ``token_url``. No secret ever reaches a log line or an
error.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

import requests
from singer_sdk import typing as th
from singer_sdk.authenticators import APIKeyAuthenticator, BasicAuthenticator
from typing_extensions import override

from tapkit.errors import ConfigError, TapError, one_line, redact, redact_url
from tapkit.retry import MAX_RETRY_WAIT, NETWORK_ERRORS, RETRY_STATUSES, RetryPolicy, sleep
from tapkit.sdk import OAuthSeams
from tapkit.settings import oauth_settings
from tapkit.transport import guarded_session

__all__ = [
    "APIKeyAuthenticator",
    "AuthFactory",
    "BasicAuthenticator",
    "ClientCredentialsAuthenticator",
    "HTTPBasicAuth",
    "HeaderKeyAuth",
    "RefreshTokenAuthenticator",
]

#: A token is renewed once less than this share of its lifetime (at most 5 minutes) is left.
EXPIRY_MARGIN = 0.1
MAX_EXPIRY_MARGIN = 300.0
#: Tries after a request's 401s, each with the then current token.
MAX_401_RETRIES = 3


def utc_now() -> datetime:
    """Now, in UTC (a function of its own: tests move the clock here)."""
    return datetime.now(timezone.utc)


def _bearer(request: requests.PreparedRequest) -> str:
    value = str(request.headers.get("Authorization") or "")
    return value[7:] if value[:7].lower() == "bearer " else ""


class _SuiteOAuth(OAuthSeams):
    """Shared OAuth2 behaviour; subclasses say which grant goes in the token request body."""

    grant_type = ""

    def __init__(self, *, token_url: str, client_id: str, client_secret: str,
                 timeout: float = 60, max_retries: int = 3, backoff_factor: float = 2,
                 max_retry_wait: float = MAX_RETRY_WAIT, user_agent: str | None = None,
                 allowed: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(auth_endpoint=token_url, client_id=client_id,
                         client_secret=client_secret, **kwargs)
        self._timeout, self._max_retries = timeout, max_retries
        self._policy = RetryPolicy(max_retries=max_retries, backoff_factor=backoff_factor,
                                   max_wait=max_retry_wait)
        self.token_session = guarded_session(allowed or {token_url: "token_url"}, pool_size=2,
                                        user_agent=user_agent)
        self._lock = threading.Lock()
        self.token_requests = 0
        #: Whether the API has accepted a token of this run (answered without a 4xx).
        self.accepted = False

    @classmethod
    def settings(cls, token_url: str, token_url_description: str, **descriptions: str
                 ) -> list[th.Property]:
        """The settings this authenticator reads, each with its description (``client_id``,
        ``client_secret``...), and ``token_url`` with its default."""
        return oauth_settings(token_url, token_url_description, **descriptions)

    # -- token lifecycle -------------------------------------------------------------------
    @property
    def secrets(self) -> list[str | None]:
        """Every value that must never be printed."""
        return [self.client_secret, self.refresh_token, self.access_token]

    @override
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

    @override
    def update_access_token(self) -> None:
        """POST the grant to the token endpoint, retrying transient failures."""
        url = redact_url(self.auth_endpoint)
        for attempt in range(self._max_retries + 1):
            started = utc_now()
            self.token_requests += 1
            last = attempt == self._max_retries
            try:
                response = self.token_session.post(self.auth_endpoint, data=self.oauth_request_body,
                                                   headers=self.token_headers,
                                                   timeout=self._timeout)
            except NETWORK_ERRORS as exc:
                if last:
                    raise TapError(f"could not reach the token endpoint {url} after "
                                   f"{attempt + 1} tries: {type(exc).__name__}") from None
                sleep(self._policy.wait(attempt + 1, None))
                continue
            if response.status_code in RETRY_STATUSES and not last:
                sleep(self._policy.wait(attempt + 1, response))
                continue
            if response.status_code >= 400:
                body = one_line(redact(response.text, self.secrets), 200)
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
                sleep(self._policy.wait(attempt + 1, None))
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
        expires = answer.get("expires_in", self.default_expiration)
        self.access_token = token
        self.expires_in = _seconds(expires, url)
        if answer.get("refresh_token"):
            self.refresh_token = answer["refresh_token"]
        self.last_refreshed = started

    # -- requests ----------------------------------------------------------------------------
    @override
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.ensure_token()
        request.headers["Authorization"] = f"Bearer {token}"
        hooks = request.hooks.setdefault("response", [])
        if self._reauth_on_401 not in hooks:
            hooks.append(self._reauth_on_401)
        return request

    def _reauth_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        """On a 401, resend the request with the current token. Each request gets one token
        refresh of its own (when the refused token is still the current one) and one retry with
        it; a 401 for a token that another worker replaced meanwhile gets the then current
        token and another try, at most :data:`MAX_401_RETRIES` retries in all. A refused token
        that this request's own refresh fetched makes the 401 final."""
        request = response.request
        used = _bearer(request)
        if response.status_code != 401:
            if used and response.status_code < 400:
                self.accepted = True
            return response
        refreshed = False
        for _ in range(MAX_401_RETRIES):
            if not used:  # no token went out (e.g. dropped on a redirect): nothing to renew
                return response
            if used == self.access_token and self.is_token_valid():
                if refreshed:
                    return response
                refreshed = True
                self.invalidate(used)
            token = self.ensure_token()
            retry = request.copy()
            retry.headers["Authorization"] = f"Bearer {token}"
            response.content  # noqa: B018  (release the connection before reusing it)
            response.close()
            new = response.connection.send(retry, **kwargs)
            new.history.append(response)
            new.request = retry
            response, request, used = new, retry, token
            if response.status_code != 401:
                if response.status_code < 400:
                    self.accepted = True
                return response
        return response

    def unauthorized_hint(self) -> str:
        """What a final 401 asks the user to check: the credentials only if the API never
        accepted a token of this run (the token endpoint accepted them either way)."""
        if self.accepted:
            return ("the API accepted this run's access tokens before and now refuses new ones: "
                    "access was revoked or changed during the run; check the app's access and "
                    "run again")
        return ("the token endpoint accepted the credentials but the API refuses the access "
                "token: check that they were granted access to this API (scopes) and api_url")


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
    @override
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
    @override
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


class AuthFactory(Protocol):
    """What a tap's ``auth`` is: builds its authenticator from the config (``options``: the
    retry, timeout and origin settings an OAuth token request needs)."""

    def from_config(self, config: Mapping[str, Any], **options: Any) -> Any: ...


class HTTPBasicAuth:
    """HTTP Basic with the user name and password of two settings."""

    def __init__(self, username: str = "username", password: str = "password") -> None:
        self.username, self.password = username, password

    def from_config(self, config: Mapping[str, Any], **options: Any) -> BasicAuthenticator:
        return BasicAuthenticator(username=str(config[self.username]),
                                  password=str(config[self.password]))


class HeaderKeyAuth:
    """An API key sent in a header, from a setting."""

    def __init__(self, header: str, setting: str = "api_key") -> None:
        self.header, self.setting = header, setting

    def from_config(self, config: Mapping[str, Any], **options: Any) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(key=self.header, value=config[self.setting],
                                   location="header")
