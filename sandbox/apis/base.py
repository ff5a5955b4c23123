"""What every fake API shares: the request/answer types, JSON answers, tokens and the data store."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs

import msgspec

_encode = msgspec.json.Encoder().encode


@dataclass
class Request:
    """One HTTP request, with the API's prefix already taken off ``path``."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    base_url: str = ""  # scheme://host:port/<prefix>, for absolute links

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def bearer(self) -> str | None:
        value = self.header("authorization")
        return value[7:].strip() if value.lower().startswith("bearer ") else None

    def basic(self) -> tuple[str, str] | None:
        value = self.header("authorization")
        if not value.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(value[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, password


@dataclass
class Answer:
    """One HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, _encode(obj), {"Content-Type": "application/json; charset=utf-8",
                                         **(headers or {})})


def int_arg(request: Request, name: str, default: int) -> int | None:
    """An integer query parameter; ``None`` when it is present but not an integer."""
    value = request.arg(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return None


class TokenStore:
    """Bearer tokens issued by a fake OAuth server, with expiry and revocation."""

    def __init__(self, ttl: int = 3600) -> None:
        self.ttl = ttl
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def issue(self) -> tuple[str, int]:
        token = "sbx-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.time() + self.ttl
            self.issued += 1
        return token, self.ttl

    def valid(self, token: str | None) -> bool:
        with self._lock:
            expiry = self._tokens.get(token or "")
        return expiry is not None and expiry > time.time()

    def revoke(self, token: str | None) -> None:
        with self._lock:
            self._tokens.pop(token or "", None)


def signed_cursor(payload: dict, request: Request, skip: tuple[str, ...]) -> str:
    """An opaque page token bound to the request's other parameters (as Google's are)."""
    raw = json.dumps({"p": payload, "h": request_fingerprint(request, skip)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(token: str, request: Request, skip: tuple[str, ...]) -> dict | None:
    """The payload of :func:`signed_cursor`, or ``None`` if forged or used with other params."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("h") != request_fingerprint(request, skip):
        return None
    return raw.get("p")


def request_fingerprint(request: Request, skip: tuple[str, ...]) -> str:
    items = sorted((k, tuple(v)) for k, v in request.query.items() if k not in skip)
    return hashlib.sha1(repr((request.path, items)).encode()).hexdigest()[:16]


class FakeAPI:
    """Base of the fake APIs: data built once at start, then served from memory."""

    #: URL prefix the API is served under (``/<prefix>/...``).
    prefix: ClassVar[str] = ""

    def __init__(self, seed: int, volume: int) -> None:
        self.seed, self.volume = seed, volume
        self.lock = threading.RLock()
        self.memo: dict[Any, Any] = {}

    def memoized(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` until the data changes (``touch``, ``configure``), so
        a walk over many pages filters and sorts once, not once per page."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def handle(self, request: Request) -> Answer:
        """Answer one request (the server has applied latency and faults already)."""
        raise NotImplementedError

    def is_token_request(self, request: Request) -> bool:
        """Whether ``request`` goes to this API's token endpoint (no 401 faults there)."""
        return False

    def revoke(self, request: Request) -> None:
        """Invalidate the credential ``request`` carries (for the 401 fault)."""

    def truth(self) -> dict[str, list[dict]]:
        """Per stream, the records a correct full sync with default settings emits."""
        raise NotImplementedError

    def touch(self, stream: str, count: int) -> list[Any]:
        """Update ``count`` records of ``stream`` now (for incremental tests); their keys."""
        raise NotImplementedError(f"{self.prefix} has no incremental stream {stream!r}")

    def configure(self, options: dict[str, Any]) -> None:
        """API-specific knobs (token lifetime, rate limits, ...)."""

    def tenant(self, name: str | None) -> FakeAPI:
        """The API as another tenant (account) sees it, for the controls (truth, touch):
        ``None`` is the main one; :class:`KeyError` for a tenant this API does not serve."""
        if name:
            raise KeyError(f"{self.prefix} serves no tenant {name!r}")
        return self


class OAuthFakeAPI(FakeAPI):
    """A fake API behind its own OAuth token endpoint: Bearer tokens that expire and can be
    revoked (``configure({"token_ttl": seconds})``)."""

    token_path: ClassVar[str] = "/token"
    token_ttl: ClassVar[int] = 3600

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.tokens = TokenStore(ttl=self.token_ttl)

    def is_token_request(self, request: Request) -> bool:
        return request.path == self.token_path

    def revoke(self, request: Request) -> None:
        self.tokens.revoke(request.bearer())

    def configure(self, options: dict[str, Any]) -> None:
        if "token_ttl" in options:
            self.tokens.ttl = int(options["token_ttl"])
