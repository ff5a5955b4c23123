"""Issue 12, item 12: every failure ends with a non-zero exit code and one clear line on stderr,
never a traceback, never a secret: bad config, state and catalog files, an invalid ``start_date``,
failures under ``--test``, an output that is closed or full, odd token answers, bad URLs and
header values, JSON nested deeper than the decoder allows. Each case runs the real executable.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BIN
from tests.reliability.common import ALL_SECRETS, BY_NAME, assert_no_secrets
from tests.reliability.fakes import FAKE_TOKEN, FAKES, FakeAPI, MisbehavingServer, Reply, Request

DEEP = "[" * 100_000  # deeper than any JSON decoder of the process allows
FAST = {"max_retries": 1, "backoff_factor": 0.01, "request_timeout": 5}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    requests: list[str] = field(default_factory=list)  # what reached a fake API, if one was used

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "ERROR" in line]


def write(folder: Path, name: str, content: Any) -> str:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def execute(tap: str, args: list[str], stdout: str = "pipe") -> Result:
    """Run ``tap`` with ``args``; ``stdout`` is "pipe", "one-line" (the reader closes the pipe
    after one line, like ``| head -1``), "full" (``> /dev/full``) or "closed" (``>&-``)."""
    argv = [str(BIN / tap), *args]
    with tempfile.TemporaryFile("w+") as err:
        if stdout == "one-line":
            process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
            assert process.stdout is not None
            first = process.stdout.readline()
            process.stdout.close()
            code, out = process.wait(timeout=120), first.decode()
        elif stdout == "full":
            with open("/dev/full", "wb") as full:
                code = subprocess.run(argv, stdout=full, stderr=err, timeout=120,
                                      check=False).returncode
            out = ""
        elif stdout == "closed":
            code = subprocess.run(argv, stderr=err, timeout=120, check=False,
                                  preexec_fn=lambda: os.close(1)).returncode
            out = ""
        else:
            done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err, timeout=120,
                                  check=False)
            code, out = done.returncode, done.stdout.decode("utf-8", "replace")
        err.seek(0)
        return Result(code, out, err.read())


def sandbox_config(tap: str, **overrides: Any) -> dict:
    return BY_NAME[tap].config(**{**FAST, **overrides})


def against_sandbox(tap: str, config: dict, *, state: Any = None, extra: tuple = (),
                    stdout: str = "pipe") -> Callable[[Path], Result]:
    def launch(tmp: Path) -> Result:
        args = ["--config", write(tmp, "config.json", config)]
        if state is not None:
            args += ["--state", write(tmp, "state.json", state)]
        return execute(tap, [*args, *extra], stdout)
    return launch


def with_files(tap: str, *, config: Any = None, state: Any = None,
               config_path: str | None = None) -> Callable[[Path], Result]:
    """``tap`` with a config file (or a path) and a state file of the given raw content."""
    def launch(tmp: Path) -> Result:
        args = ["--config", config_path or write(tmp, "config.json", config
                                                 if config is not None else sandbox_config(tap))]
        if state is not None:
            args += ["--state", state if state.startswith("/") else write(tmp, "state.json",
                                                                          state)]
        return execute(tap, args)
    return launch


def against_fake(api: FakeAPI, overrides: dict | None = None,
                 extra: tuple = ()) -> Callable[[Path], Result]:
    """The tap of ``api`` against that fake, with ``overrides`` in its config."""
    def launch(tmp: Path) -> Result:
        with MisbehavingServer(api) as server:
            config = {**api.config(), **FAST, **{k: v(server.url) if callable(v) else v
                                                 for k, v in (overrides or {}).items()}}
            one = execute(api.tap, ["--config", write(tmp, "config.json", config), *extra])
            one.requests = list(server.requests)
        return one
    return launch


def token_answer(answer: Any) -> FakeAPI:
    """The Classroom fake, whose token endpoint answers 200 with ``answer``."""

    class TokenQuirk(FAKES["tap-classroom"]):  # type: ignore[misc, valid-type]
        def handle(self, request: Request) -> Reply:
            if request.path == self.token_path:
                return Reply(200, answer)
            return super().handle(request)

    return TokenQuirk("html")


def deep_answer() -> FakeAPI:
    """The systeme fake, whose contacts list answers 200 with JSON nested 100,000 deep."""

    class Deep(FAKES["tap-systeme"]):  # type: ignore[misc, valid-type]
        def handle(self, request: Request) -> Reply:
            if request.path == self.target[0] and self.authorized(request):
                self.hits += 1
                return Reply(200, DEEP.encode())
            return super().handle(request)

    return Deep("html")


@dataclass(frozen=True)
class Case:
    id: str
    launch: Callable[[Path], Result]
    words: tuple[str, ...]
    #: The failure must come before any request reached the (fake) API.
    no_request: bool = False


SYSTEME_KEY = BY_NAME["tap-systeme"].config()["api_key"]
CASES = [
    # config files
    Case("config-missing", with_files("tap-systeme", config_path="/nonexistent/config.json"),
         ("config file", "no such file")),
    Case("config-malformed", with_files("tap-systeme", config='{"api_key": "' + SYSTEME_KEY),
         ("config file", "not valid JSON")),
    Case("config-not-an-object", with_files("tap-systeme", config='["api_key"]'),
         ("config file", "JSON object")),
    Case("config-too-deep", with_files("tap-systeme", config=DEEP), ("config file", "too deep")),
    # state files
    Case("state-malformed", with_files("tap-thrive", state='{"bookmarks": {'),
         ("state", "not valid JSON")),
    Case("state-not-an-object", with_files("tap-thrive", state="[]"), ("state", "JSON object")),
    Case("state-bookmarks-null", with_files("tap-thrive", state='{"bookmarks": null}'),
         ("state", "'bookmarks'", "null")),
    Case("state-bookmark-not-a-time", with_files("tap-thrive", state='{"bookmarks": {"users": '
                                                 '{"replication_key": "updatedAt", '
                                                 '"replication_key_value": "yesterday"}}}'),
         ("state", "users", "not a time")),
    Case("state-too-deep", with_files("tap-thrive", state='{"bookmarks": ' + DEEP),
         ("state", "too deep")),
    Case("state-missing", with_files("tap-thrive", state="/nonexistent/state.json"),
         ("--state", "No such file")),
    # an invalid start_date, in every tap that has one, before any request
    *[Case(f"start-date-{tap}", against_fake(FAKES[tap]("html"), {"start_date": "last monday"}),
           ("'start_date'", "ISO 8601"), no_request=True)
      for tap in ("tap-classroom", "tap-thrive", "tap-basecamp")],
    # failures under --test (run from a click callback, outside the tap's own invoke)
    Case("test-rejected-key", against_sandbox("tap-systeme", sandbox_config(
        "tap-systeme", api_key="not-the-key"), extra=("--test",)), ("HTTP 401",)),
    Case("test-rejected-refresh-token", against_sandbox("tap-classroom", sandbox_config(
        "tap-classroom", refresh_token="not-the-token"), extra=("--test",)), ("token",)),
    Case("test-bad-config", against_sandbox("tap-primetric", sandbox_config(
        "tap-primetric", api_url="primetric.example.com"), extra=("--test",)),
         ("'api_url'", "http(s) URL")),
    # the output
    Case("output-closed-by-the-target", against_sandbox("tap-systeme", sandbox_config(
        "tap-systeme"), stdout="one-line"), ("output was closed",)),
    Case("output-disk-full", against_sandbox("tap-systeme", sandbox_config("tap-systeme"),
                                             stdout="full"), ("no space left",)),
    Case("output-stdout-closed", against_sandbox("tap-systeme", sandbox_config("tap-systeme"),
                                                 stdout="closed"), ("stdout", "closed")),
    # odd token answers
    Case("token-expires-in-not-a-number", against_fake(token_answer(
        {"access_token": FAKE_TOKEN, "expires_in": "soon", "token_type": "Bearer"})),
         ("expires_in", "not a number")),
    Case("token-access-token-null", against_fake(token_answer(
        {"access_token": None, "expires_in": 3600})), ("access_token", "null")),
    Case("token-too-deep", against_fake(token_answer(DEEP.encode())), ("token", "too deep")),
    # URLs and header values, before any request
    Case("api-url-bad-port", against_fake(FAKES["tap-systeme"]("html"), {
        "api_url": "http://127.0.0.1:99999/api"}), ("'api_url'", "port"), no_request=True),
    Case("api-url-port-not-a-number", against_fake(FAKES["tap-systeme"]("html"), {
        "api_url": "http://127.0.0.1:api/api"}), ("'api_url'", "port"), no_request=True),
    Case("api-url-query-string", against_fake(FAKES["tap-systeme"]("html"), {
        "api_url": lambda url: url + "/api?region=eu"}), ("'api_url'", "query string"),
         no_request=True),
    Case("user-agent-line-break", against_fake(FAKES["tap-systeme"]("html"), {
        "user_agent": "acme-elt/1.0\r\nX-Injected: yes"}), ("'user_agent'", "line break"),
         no_request=True),
    # JSON deeper than the decoder allows, in an answer of the API
    Case("answer-too-deep", against_fake(deep_answer()), ("contacts", "too deep")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_failure_is_one_line_without_a_traceback(sandbox, tmp_path, case):
    one = case.launch(tmp_path)
    assert one.returncode != 0, f"exit 0\n{one.stderr[-2000:]}"
    assert "Traceback" not in one.stderr, one.stderr[-3000:]
    assert len(one.error_lines) == 1, one.stderr[-3000:]
    line = one.error_lines[0]
    for word in case.words:
        assert word in line, f"{word!r} not in the error line: {line}"
    assert_no_secrets([one.stdout, one.stderr], [*ALL_SECRETS, FAKE_TOKEN])
    if case.no_request:
        assert not one.requests, f"requests were sent: {one.requests}"
