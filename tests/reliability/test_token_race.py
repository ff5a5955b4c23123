"""Issue 12, item 11: a 401 under concurrency. With 8 workers, a token can be revoked and replaced
while another worker's retry is in flight with it; that retry's 401 is about a token that is no
longer current, so it gets the current token and one more try (bounded). A final 401 does not
blame credentials the token endpoint and the API accepted a moment ago."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tests.helpers import run_tap
from tests.reliability.common import assert_one_clear_error, why
from tests.reliability.scripted import Scripted, ScriptedServer, config_for, empty

TAP = "tap-classroom"
COURSES = [{"id": f"c{n}", "name": f"Course {n}", "courseState": "ACTIVE",
            "updateTime": "2024-01-01T00:00:00Z"} for n in range(1, 13)]
#: The request whose retry is held while its token is revoked and replaced.
HELD = "/v1/courses/c1/students"


@dataclass
class Tokens:
    """The token server's side: tokens issued in order (tok-1, tok-2...), and revoked ones."""

    issued: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def issue(self) -> Scripted:
        with self.cond:
            token = f"tok-{len(self.issued) + 1}"
            self.issued.append(token)
            self.cond.notify_all()
        return Scripted(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def valid(self, token: str | None) -> bool:
        return token in self.issued and token not in self.revoked


def bearer(request) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:] if value.startswith("Bearer ") else None


def page(request) -> Scripted:
    if request.path == "/v1/courses":
        return Scripted(200, {"courses": COURSES})
    return Scripted(200, empty(TAP, request.path))


class RevokedWhileInFlight:
    """1. c1's students, asked with tok-1, revoke tok-1 (401): that worker gets tok-2 and retries.
    2. That retry is held until tok-3 exists: meanwhile the first other request with tok-2 is
       answered and revokes tok-2, so the next ones get 401 and a worker fetches tok-3.
    3. The held retry is then answered 401: its token, tok-2, is no longer the current one."""

    def __init__(self) -> None:
        self.tokens = Tokens()
        self.held = False
        self.released_by_tok3 = False

    def __call__(self, request) -> Scripted:
        tokens = self.tokens
        if request.path == "/token":
            return tokens.issue()
        token = bearer(request)
        with tokens.cond:
            if not tokens.valid(token):
                return Scripted(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
            if request.path == HELD and token == "tok-1":
                tokens.revoked.add("tok-1")
                return Scripted(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
            if request.path == HELD and token == "tok-2" and not self.held:
                self.held = True
                self.released_by_tok3 = tokens.cond.wait_for(
                    lambda: len(tokens.issued) >= 3, timeout=20)
                return Scripted(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
            if self.held and token == "tok-2":
                tokens.revoked.add("tok-2")  # answered, then revoked
        return page(request)


def test_a_retry_whose_token_was_replaced_meanwhile_gets_the_current_one():
    api = RevokedWhileInFlight()
    with ScriptedServer(api) as server:
        run = run_tap(TAP, config_for(TAP, server.url, max_concurrency=8), timeout=90)
    assert api.held and api.released_by_tok3, "the race was not staged"
    assert run.returncode == 0, why(run)
    assert len(run.records["courses"]) == len(COURSES)
    held = [bearer(r) for r in server.to(HELD)]
    assert held[:2] == ["tok-1", "tok-2"] and held[-1] not in ("tok-1", "tok-2")


class AccessWithdrawn:
    """The API accepts the first request, then refuses every token, old and new."""

    def __init__(self) -> None:
        self.tokens = Tokens()
        self.answered = 0

    def __call__(self, request) -> Scripted:
        if request.path == "/token":
            return self.tokens.issue()
        with self.tokens.cond:
            self.answered += 1
            if self.answered > 1 or not self.tokens.valid(bearer(request)):
                return Scripted(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        return page(request)


def test_a_final_401_does_not_blame_credentials_that_were_just_accepted():
    api = AccessWithdrawn()
    with ScriptedServer(api) as server:
        run = run_tap(TAP, config_for(TAP, server.url, max_concurrency=1), timeout=60)
    line = assert_one_clear_error(run, "HTTP 401")
    assert "check the credentials" not in line and "client_secret" not in line
    assert "accepted" in line and "revoked" in line
    assert len(api.tokens.issued) >= 2  # a new token was tried before giving up
