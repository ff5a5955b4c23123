"""Tiny misbehaving versions of the five APIs, for what the sandbox cannot do: pages that point
at themselves forever, HTML where JSON belongs, objects or strings where a list belongs.

Each fake mimics its API's auth (token endpoint, Basic, API key) and envelope just enough for
the tap to reach one *target* path, which misbehaves in the chosen ``mode``; every other path is
an empty list. A page loop is served at most :data:`CAP` times, then the target ends normally:
a tap without a loop guard finishes with duplicated records instead of hanging the suite.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox.credentials import CREDENTIALS

CAP = 40
#: The access token every OAuth fake issues: a secret the taps must never print.
FAKE_TOKEN = "fake-access-token-9d41c7e2b8"
HTML = (b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=/login>"
        b"<input name=user></form></body></html>")
MODES = ("repeat", "cycle", "html", "object", "string", "mixed")
#: Modes that echo what the tap sent: the token request's form ("echo-token", a 400 from the
#: token endpoint) or the API request's headers ("echo-api", a 403 from every API path).
ECHO_MODES = ("echo-token", "echo-api")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeAPI:
    """Base: auth, routing, the cap. Subclasses describe their API."""

    tap = ""
    stream = ""
    #: (path, query items that must match) of the misbehaving list.
    target: tuple[str, dict[str, str]] = ("", {})
    token_path: str | None = None
    #: Modes run for this API: a token cycle (A, B, A) only where the token is the server's.
    modes: tuple[str, ...] = tuple(m for m in MODES if m != "cycle")

    def __init__(self, mode: str) -> None:
        self.mode, self.hits, self.base = mode, 0, ""

    # -- what subclasses provide ---------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {FAKE_TOKEN}"

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        """One page of ``records``; ``more`` says where the next page is (None: last page)."""
        raise NotImplementedError

    def looping(self, request: Request) -> Any:
        """The "next page" pointer for the repeat and cycle modes."""
        raise NotImplementedError

    def record(self, n: int) -> dict[str, Any]:
        raise NotImplementedError

    def other(self, request: Request) -> Reply:
        """Every other path: an empty list (or what the target's parents need)."""
        return self.page(request, [], None)

    # -- serving -------------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        if self.token_path and request.path == self.token_path:
            if self.mode == "echo-token":
                return Reply(400, {"form": request.body.decode(), "you_sent": request.form(),
                                   "error": "invalid_grant"})
            return Reply(200, {"access_token": FAKE_TOKEN, "token_type": "Bearer",
                               "expires_in": 3600})
        if self.mode == "echo-api":
            sent = {k: v for k, v in request.headers.items()
                    if k in ("authorization", "x-api-key")}
            return Reply(403, {"you_sent": sent, "error": "forbidden", "headers": request.headers})
        if not self.authorized(request):
            return Reply(401, {"error": "unauthorized"})
        path, wanted = self.target
        if request.path != path or any(request.query.get(k) != v for k, v in wanted.items()):
            return self.other(request)
        self.hits += 1
        if self.hits > CAP:
            return self.page(request, [], None)
        records = [self.record(1), self.record(2)]
        if self.mode in ("repeat", "cycle"):
            return self.page(request, records, self.looping(request))
        if self.mode == "html":
            return Reply(200, HTML, {"Content-Type": "text/html; charset=utf-8"})
        shape = {"object": records[0], "string": "1,2", "mixed": [records[0], 2]}[self.mode]
        return self.page(request, shape, None)


class Classroom(FakeAPI):
    tap, stream = "tap-classroom", "students"
    target = ("/v1/courses/c1/students", {})
    token_path = "/token"
    modes = MODES

    def config(self) -> dict[str, Any]:
        return {**CREDENTIALS[self.tap], "token_url": self.base + "/token",
                "api_url": self.base + "/v1"}

    def record(self, n: int) -> dict[str, Any]:
        return {"courseId": "c1", "userId": f"u{n}", "profile": {"id": f"u{n}"}}

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        body = {self.stream: records} if records != [] else {}
        return Reply(200, {**body, **({"nextPageToken": more} if more else {})})

    def looping(self, request: Request) -> Any:
        if self.mode == "repeat":
            return "same-token"
        return {None: "A", "A": "B", "B": "A"}[request.query.get("pageToken")]

    def other(self, request: Request) -> Reply:
        if request.path == "/v1/courses":
            return Reply(200, {"courses": [{"id": "c1", "name": "Course", "courseState":
                                            "ACTIVE", "updateTime": "2024-01-01T00:00:00Z"}]})
        return Reply(200, {})


class Thrive(FakeAPI):
    """Page numbers come from the tap, so the loop is a server that ignores ``page``."""

    tap, stream = "tap-thrive", "users"
    target = ("/rest/v1/users", {})

    def config(self) -> dict[str, Any]:
        return {**CREDENTIALS[self.tap], "api_url": self.base + "/rest/v1", "page_size": 2}

    def authorized(self, request: Request) -> bool:
        creds = CREDENTIALS[self.tap]
        pair = base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {pair}"

    def record(self, n: int) -> dict[str, Any]:
        return {"id": f"{n:024x}", "updatedAt": "2024-01-01T00:00:00.000Z", "date":
                "2024-01-02T00:00:00.000Z"}

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        size = int(request.query.get("perPage", 2))
        if request.path in ("/rest/v1/assignments", "/rest/v1/learning/completions"):
            return Reply(200, records)  # bare arrays (TAPS.md); no assignment: no enrolments
        if more:  # the same full first page, whatever page was asked for
            return Reply(200, {"results": records, "pagination": {
                "totalResults": 1000, "totalPages": 500, "page": 1, "perPage": size}})
        return Reply(200, {"results": records, "pagination": {
            "totalResults": 0, "totalPages": 0, "page": 1, "perPage": size}})

    def looping(self, request: Request) -> Any:
        return True


class Primetric(FakeAPI):
    tap, stream = "tap-primetric", "employees"
    target = ("/beta/employees", {})
    token_path = "/auth/token/"

    def config(self) -> dict[str, Any]:
        return {**CREDENTIALS[self.tap], "token_url": self.base + "/auth/token/",
                "api_url": self.base + "/beta"}

    def record(self, n: int) -> dict[str, Any]:
        return {"uuid": f"00000000-0000-4000-8000-{n:012d}", "name": f"Employee {n}"}

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        if request.path in ("/beta/organization/identity_providers", "/beta/rag_ratings"):
            return Reply(200, records)  # bare arrays without pagination (TAPS.md)
        return Reply(200, {"count": 2, "next": more, "previous": None, "results": records})

    def looping(self, request: Request) -> Any:
        page = request.query.get("page", "1")
        following = "2" if self.mode == "repeat" else {"1": "2", "2": "3", "3": "2"}[page]
        return f"{self.base}{request.path}?page={following}"


class Basecamp(FakeAPI):
    tap, stream = "tap-basecamp", "todos"
    target = ("/999999999/projects/recordings.json", {"type": "Todo"})
    token_path = "/launchpad/authorization/token"

    def config(self) -> dict[str, Any]:
        return {**CREDENTIALS[self.tap], "token_url": self.base + self.token_path,
                "api_url": self.base + "/{account_id}"}

    def record(self, n: int) -> dict[str, Any]:
        return {"id": n, "status": "active", "type": "Todo", "title": f"Todo {n}",
                "updated_at": f"2024-01-0{n}T00:00:00.000Z"}

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        body = {"data": records} if isinstance(records, str) else records
        headers = {"Link": f'<{more}>; rel="next"'} if more else {}
        return Reply(200, body, headers)

    def looping(self, request: Request) -> Any:
        page = request.query.get("page", "1")
        following = "2" if self.mode == "repeat" else {"1": "2", "2": "3", "3": "2"}[page]
        query = {k: v for k, v in request.query.items() if k != "page"}
        return f"{self.base}{request.path}?{urlencode({**query, 'page': following})}"


class Systeme(FakeAPI):
    tap, stream = "tap-systeme", "contacts"
    target = ("/api/contacts", {})
    modes = MODES

    def config(self) -> dict[str, Any]:
        return {**CREDENTIALS[self.tap], "api_url": self.base + "/api", "page_size": 10}

    def authorized(self, request: Request) -> bool:
        return request.headers.get("x-api-key") == CREDENTIALS[self.tap]["api_key"]

    def record(self, n: int) -> dict[str, Any]:
        after = self.__dict__.get("_after")
        first = 5 if self.mode == "repeat" or after in (None, "2") else 3
        return {"id": first - n + 1, "email": f"c{n}@example.com"}

    def page(self, request: Request, records: Any, more: Any) -> Reply:
        return Reply(200, {"items": records, "hasMore": bool(more)})

    def looping(self, request: Request) -> Any:
        return True

    def handle(self, request: Request) -> Reply:
        self._after = request.query.get("startingAfter")  # pages 5,4 then 3,2 then 5,4 ...
        return super().handle(request)


FAKES: dict[str, type[FakeAPI]] = {cls.tap: cls for cls in
                                   (Classroom, Thrive, Primetric, Basecamp, Systeme)}


class MisbehavingServer:
    """An HTTP server on 127.0.0.1 (port 0, in a thread) answering with ``api``."""

    def __init__(self, api: FakeAPI) -> None:
        self.api = api
        self.requests: list[str] = []
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
                    outer.requests.append(self.path)
                    reply = outer.api.handle(request)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(
                    reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        api.base = self.url

    def __enter__(self) -> MisbehavingServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
