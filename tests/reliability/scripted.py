"""A small HTTP server whose every answer a test scripts: for what neither the sandbox nor the
misbehaving fakes do (a second origin, answers that trickle, a token revoked at a chosen moment).

``handle(request)`` runs on the server's thread for that connection, with no lock (several can
run at once); it returns a :class:`Scripted` answer, which may trickle its bytes out slowly.
Every request is recorded with its headers, so a test can see what reached which origin.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.reliability.fakes import FAKES, Request

#: A trickling answer gives up after this long (the client should have hung up long before).
TRICKLE_LIMIT = 60.0


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds between single bytes: of the body, or of the whole answer (status line and
    #: headers too) when ``trickle_all``; the body then never ends (until TRICKLE_LIMIT).
    trickle: float = 0.0
    trickle_all: bool = False


class ScriptedServer:
    """An HTTP/1.1 server on 127.0.0.1 (port 0, in a thread), answering with ``handle``."""

    def __init__(self, handle: Callable[[Request], Scripted]) -> None:
        self.handle = handle
        self.requests: list[Request] = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.answer()

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path,
                                  {k: v[-1] for k, v in parse_qs(parts.query).items()},
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                with lock:
                    outer.requests.append(request)
                reply = outer.handle(request)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(
                    reply.body).encode()
                headers = {"Content-Type": "application/json", **reply.headers}
                try:
                    if reply.trickle:
                        self.trickle(reply, payload, headers)
                        return
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def trickle(self, reply: Scripted, payload: bytes, headers: dict[str, str]) -> None:
                """Send the answer one byte at a time, forever padding the body with spaces."""
                self.close_connection = True
                head = f"HTTP/1.1 {reply.status} OK\r\n" + "".join(
                    f"{k}: {v}\r\n" for k, v in headers.items()) + (
                    f"Content-Length: {len(payload) + 10_000}\r\n\r\n")
                if not reply.trickle_all:
                    self.wfile.write(head.encode())
                    head = ""
                data = head.encode() + b" " * 10_000 + payload
                started = time.monotonic()
                for byte in data:
                    if time.monotonic() - started > TRICKLE_LIMIT:
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.trickle)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def to(self, path: str) -> list[Request]:
        """The requests that reached ``path``."""
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the five APIs, just enough for a tap to run --------------------------------------------------
#: Per tap: the path of the first API request of a run (the SDK syncs streams by name, children
#: with their parents: the first stream's first page).
FIRST_PATH = {"tap-classroom": "/v1/courses", "tap-thrive": "/rest/v1/activities",
              "tap-primetric": "/beta/assignments", "tap-basecamp": "/999999999/chats.json",
              "tap-systeme": "/api/community/communities"}
#: Per OAuth tap: the token endpoint's path (as the misbehaving fakes configure it).
TOKEN_PATH = {"tap-classroom": "/token", "tap-primetric": "/auth/token/",
              "tap-basecamp": "/launchpad/authorization/token"}
#: Per tap: an empty (last) page of its usual list shape.
_EMPTY: dict[str, Any] = {
    "tap-classroom": {}, "tap-basecamp": [], "tap-systeme": {"items": [], "hasMore": False},
    "tap-primetric": {"count": 0, "next": None, "previous": None, "results": []},
    "tap-thrive": {"results": [], "pagination": {"totalResults": 0, "totalPages": 0, "page": 1,
                                                 "perPage": 2}}}
#: Per tap: the paths whose list is a bare JSON array instead (TAPS.md); an empty one is ``[]``.
_BARE_ARRAYS = {
    "tap-thrive": re.compile(r"/rest/v1/(assignments(/[^/]+/enrolments)?|learning/completions)"),
    "tap-primetric": re.compile(r"/beta/(organization/identity_providers|rag_ratings)"),
}


def empty(tap: str, path: str) -> Any:
    """An empty (last) page of the list at ``path``, in the shape ``tap``'s API gives it."""
    bare = _BARE_ARRAYS.get(tap)
    return [] if bare and bare.fullmatch(path) else _EMPTY[tap]


ACCESS_TOKEN = "scripted-access-token-5c1e8a0f"

Route = Callable[[Request], Scripted]


def fake_api(tap: str, routes: dict[str, Route] | None = None,
             token: Route | None = None) -> Callable[[Request], Scripted]:
    """A handler answering ``routes`` (path -> answer) as scripted, the token endpoint with
    ``token`` (default: :data:`ACCESS_TOKEN`), and every other path with an empty page."""
    routes = routes or {}

    def handle(request: Request) -> Scripted:
        if request.path == TOKEN_PATH.get(tap):
            return token(request) if token else Scripted(200, {
                "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})
        if request.path in routes:
            return routes[request.path](request)
        return Scripted(200, empty(tap, request.path))

    return handle


def config_for(tap: str, base: str, **overrides: Any) -> dict[str, Any]:
    """A config of ``tap`` pointing at the server at ``base`` (URL layout of fakes.py)."""
    api = FAKES[tap]("repeat")
    api.base = base
    return {**api.config(), "max_retries": 2, "backoff_factor": 0.01, "request_timeout": 5,
            **overrides}
