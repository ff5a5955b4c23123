"""One real HTTP server on loopback serving every fake API under its prefix, plus ``/_sandbox``
control endpoints (stats, faults, drift, latency, truth, touch, reset)."""

from __future__ import annotations

import json
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.apis import API_TYPES
from sandbox.apis.base import Answer, FakeAPI, Request, json_answer
from sandbox.drift import DriftPlan
from sandbox.faults import QUOTA_KINDS, FaultPlan


def google_quota_answer(kind: str) -> Answer:
    """A quota answer in Google's error shape, without ``Retry-After``."""
    if kind == "429-exhausted":
        return json_answer({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message":
                                      "Quota exceeded for quota metric 'Requests' (injected)"}},
                           429)
    return json_answer({"error": {"code": 403, "status": "PERMISSION_DENIED", "message":
                                  "Rate Limit Exceeded (injected)", "errors": [{
                                      "domain": "usageLimits", "reason": "rateLimitExceeded",
                                      "message": "Rate Limit Exceeded"}]}}, 403)


#: The 403 and 404 faults, worded as Google words them.
ACCESS_ERRORS = {"403": ("PERMISSION_DENIED", "The caller does not have permission"),
                 "404": ("NOT_FOUND", "Requested entity was not found.")}


class Sandbox:
    """The state behind the server: the APIs, their counters, fault plans and latency."""

    def __init__(self, seed: int = 1, volume: int = 1000, latency_ms: float = 0.0,
                 only: list[str] | None = None) -> None:
        self.only = only
        self.build(seed, volume)
        self.latency: dict[str, float] = {"*": latency_ms / 1000}

    def build(self, seed: int, volume: int) -> None:
        self.seed, self.volume = seed, volume
        self.apis: dict[str, FakeAPI] = {
            cls.prefix: cls(seed=seed, volume=volume) for cls in API_TYPES
            if not self.only or cls.prefix in self.only}
        self.reset_counters()
        self.faults: dict[str, FaultPlan] = {}
        self.drift: dict[str, DriftPlan] = {}

    def reset_counters(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.paths: dict[str, Counter[str]] = {p: Counter() for p in self.apis}
        self.log: dict[str, deque] = {p: deque(maxlen=200_000) for p in self.apis}
        #: Requests being answered now, and the most at once since the last reset, per API.
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()

    def count(self, prefix: str, request: Request) -> int:
        with self.lock:
            self.counts[prefix] += 1
            self.paths[prefix][request.path] += 1
            self.log[prefix].append({"method": request.method, "path": request.path,
                                     "query": request.query})
            return self.counts[prefix]

    def enter(self, prefix: str) -> None:
        """A request of ``prefix`` starts being answered."""
        with self.lock:
            self.in_flight[prefix] += 1
            self.max_in_flight[prefix] = max(self.max_in_flight[prefix], self.in_flight[prefix])

    def leave(self, prefix: str) -> None:
        with self.lock:
            self.in_flight[prefix] -= 1

    def delay(self, prefix: str) -> float:
        return self.latency.get(prefix, self.latency.get("*", 0.0))

    def plan(self, prefix: str) -> FaultPlan | None:
        return self.faults.get(prefix) or self.faults.get("*")

    # -- control ---------------------------------------------------------------------------------
    def control(self, method: str, action: str, query: dict, body: dict) -> Answer:
        apis = [body.get("api") or (query.get("api") or ["*"])[0]]
        targets = list(self.apis) if apis[0] == "*" else apis
        unknown = [a for a in targets if a not in self.apis]
        if unknown:
            return json_answer({"error": f"unknown api {unknown}; known: {list(self.apis)}"}, 404)
        if action == "health":
            return json_answer({"apis": list(self.apis), "seed": self.seed, "volume": self.volume})
        if action == "stats":
            return json_answer({p: {"requests": self.counts[p], "paths": dict(self.paths[p]),
                                    "faults": (self.faults.get(p) or FaultPlan()).injected,
                                    "tokens_issued": getattr(getattr(a, "tokens", None),
                                                             "issued", 0),
                                    "max_in_flight": self.max_in_flight[p]}
                                for p, a in self.apis.items()})
        if action == "requests":
            return json_answer({p: list(self.log[p]) for p in targets})
        if action.startswith("truth/"):
            name = action.split("/", 1)[1]
            if name not in self.apis:
                return json_answer({"error": f"unknown api {name!r}"}, 404)
            try:
                api = self.apis[name].tenant((query.get("tenant") or [None])[0])
            except KeyError as exc:
                return json_answer({"error": str(exc)}, 404)
            with api.lock:
                return json_answer(api.truth())
        if method != "POST":
            return json_answer({"error": f"unknown control GET {action!r}"}, 404)
        if action == "reset":
            if "seed" in body or "volume" in body:
                self.build(int(body.get("seed", self.seed)), int(body.get("volume", self.volume)))
            self.faults, self.latency, self.drift = {}, {"*": 0.0}, {}
            self.reset_counters()
            return json_answer({"ok": True})
        if action == "faults":
            spec = {k: v for k, v in body.items() if k != "api"}
            try:
                plan = FaultPlan.from_dict(spec) if spec else None
            except (TypeError, ValueError) as exc:
                return json_answer({"error": str(exc)}, 400)
            for target in ["*"] if apis[0] == "*" else targets:
                self.faults.pop(target, None) if plan is None else self.faults.update(
                    {target: plan})
            return json_answer({"ok": True})
        if action == "drift":
            try:
                for target in targets:
                    self.drift.setdefault(target, DriftPlan()).add(body)
            except (KeyError, TypeError, ValueError, re.error) as exc:
                return json_answer({"error": f"bad drift rule: {exc!r}"}, 400)
            return json_answer({"ok": True})
        if action == "latency":
            for target in ["*"] if apis[0] == "*" else targets:
                self.latency[target] = float(body.get("ms", 0)) / 1000
            return json_answer({"ok": True})
        if action == "touch":
            try:
                api = self.apis[targets[0]].tenant(body.get("tenant"))
            except KeyError as exc:
                return json_answer({"error": str(exc)}, 404)
            with api.lock:
                keys = api.touch(str(body["stream"]), int(body.get("count", 1)))
                api.memo.clear()
            return json_answer({"keys": keys})
        if action == "configure":
            for target in targets:
                with self.apis[target].lock:
                    self.apis[target].configure({k: v for k, v in body.items() if k != "api"})
                    self.apis[target].memo.clear()
            return json_answer({"ok": True})
        return json_answer({"error": f"unknown control action {action!r}"}, 404)


class Handler(BaseHTTPRequestHandler):
    """Routes ``/<prefix>/...`` to a fake API and ``/_sandbox/...`` to the controls."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once on keep-alive connections
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.dispatch()

    def do_POST(self) -> None:
        self.dispatch()

    def do_PUT(self) -> None:
        self.dispatch()

    def do_DELETE(self) -> None:
        self.dispatch()

    def dispatch(self) -> None:
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        prefix, _, rest = parts.path.lstrip("/").partition("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        if prefix == "_sandbox":
            try:
                payload = json.loads(body) if body else {}
            except ValueError:
                payload = {}
            self.send(sandbox.control(self.command, rest, query, payload))
            return
        api = sandbox.apis.get(prefix)
        if api is None:
            self.send(json_answer({"error": f"no fake API at /{prefix}"}, 404))
            return
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        request = Request(self.command, "/" + rest, query,
                          {k.lower(): v for k, v in self.headers.items()}, body,
                          f"http://{host}/{prefix}")
        number = sandbox.count(prefix, request)
        sandbox.enter(prefix)
        left = False
        try:
            if delay := sandbox.delay(prefix):
                time.sleep(delay)
            plan = sandbox.plan(prefix)
            fault = plan.pick(number, self.path, api.is_token_request(request)) if plan else None
            if fault is None:
                with api.lock:
                    answer = api.handle(request)
                if prefix in sandbox.drift:
                    answer = sandbox.drift[prefix].apply(self.path, answer)
                # Out of flight before the answer goes out: a sequential client may send its next
                # request (on another connection, e.g. after a token request) as soon as it has
                # read this answer, before this thread would get to leave().
                sandbox.leave(prefix)
                left = True
                self.send(answer)
            else:
                self.inject(fault, plan, api, request)
        finally:
            if not left:
                sandbox.leave(prefix)

    def inject(self, fault: str, plan: FaultPlan, api: FakeAPI, request: Request) -> None:
        if fault in ("429", "429-bare"):
            after = plan.retry_after  # seconds, or any text to send as it is ("NaN")
            after = after if isinstance(after, str) else f"{after:g}"
            headers = {"Retry-After": after} if fault == "429" else {}
            self.send(json_answer({"error": "rate limit exceeded (injected)"}, 429, headers))
        elif fault in QUOTA_KINDS:
            self.send(google_quota_answer(fault))
        elif fault in ACCESS_ERRORS:
            status, message = ACCESS_ERRORS[fault]
            self.send(json_answer({"error": {"code": int(fault), "status": status,
                                             "message": f"{message} (injected)"}}, int(fault)))
        elif fault in ("500", "502", "503", "504"):
            self.send(json_answer({"error": f"injected {fault}"}, int(fault)))
        elif fault == "401":
            with api.lock:
                api.revoke(request)
            self.send(json_answer({"error": "token revoked (injected)"}, 401))
        elif fault == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        else:
            if fault == "slow":
                time.sleep(plan.slow_seconds)
            with api.lock:
                answer = api.handle(request)
            if fault == "truncate":
                self.send(answer, cut=True)
            elif fault == "badjson":
                answer.body = answer.body[: max(1, len(answer.body) // 2)]
                self.send(answer)
            else:
                self.send(answer)

    def send(self, answer: Answer, cut: bool = False) -> None:
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            if cut:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(answer.body[: len(answer.body) // 2] if cut else answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class SandboxServer(ThreadingHTTPServer):
    """The HTTP server; ``serve_in_thread`` runs it in the background for tests."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def serve_in_thread(self) -> SandboxServer:
        threading.Thread(target=self.serve_forever, daemon=True, name="sandbox").start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def serve_until_stopped(self, announce: dict[str, Any]) -> None:
        """Serve in the foreground: print ``announce`` (with ``url``) as one JSON line for the
        parent process (:func:`sandbox.client.sandbox_process` reads it), then serve until
        SIGTERM or Ctrl-C."""
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print(json.dumps({"url": self.url, **announce}), flush=True)
        try:
            self.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.server_close()
