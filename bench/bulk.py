"""A Classroom fake in bulk shapes the regular sandbox cannot hold: many courses (the per-record
path, goal 1) or a few courses with very many submissions each (bounded memory, goal 3).

``python -m bench.bulk serve --courses N --submissions M [--latency-ms L]`` serves
``/classroom/token`` and ``/classroom/v1/courses`` (N courses) and each course's
``courseWork/-/studentSubmissions`` (M each), every other list empty. Records are copies of the
regular fake's (new ids), made page by page, so the fake stays small whatever N and M.
``python -m bench.bulk loop URL STREAM`` is the bare loop over one of those lists (the lean
loop of bench/limit: one session, msgspec decode, msgspec-encoded RECORD lines).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from bench.limit.common import Client, RecordWriter
from sandbox.apis.base import Answer, Request, json_answer
from sandbox.apis.classroom import ClassroomAPI
from sandbox.client import SandboxClient, sandbox_process
from sandbox.server import Sandbox, SandboxServer

ROOT = Path(__file__).resolve().parent.parent
encode = msgspec.json.Encoder().encode


class BulkClassroomAPI(ClassroomAPI):
    """``courses`` courses with ``submissions`` student submissions each; other lists empty."""

    def __init__(self, seed: int, courses: int, submissions: int) -> None:
        super().__init__(seed, 250)  # two real courses: the templates
        self.count = {"courses": courses, "studentSubmissions": submissions}
        self.course_template = copy.deepcopy(self.courses[0])
        self.course_template["courseState"] = "ACTIVE"
        subs = [s for lists in self.per_course.values() for s in lists["studentSubmissions"]]
        self.submission_templates = subs[:50]

    def course_id(self, index: int) -> str:
        return str(600000000000 + index * 7919)

    def _encoded(self, kind: str, ids: dict) -> list[bytes]:
        """The records of ``kind`` as JSON with a placeholder for the id (encoded once)."""
        if kind == "courses":
            templates = [dict(self.course_template, id="@ID@", name="Bulk course @ID@")]
        else:
            templates = [dict(t, id="bulk@ID@", courseId=ids["course"])
                         for t in self.submission_templates]
        return [encode(t) for t in templates]

    def _list(self, request: Request, kind: str, ids: dict) -> Answer:
        total = self.count.get(kind)
        if total is None or (kind == "studentSubmissions" and ids.get("work") != "-"):
            return json_answer({})
        size = min(int(request.arg("pageSize") or 100), 1000)
        offset = int(request.arg("pageToken") or 0)
        end = min(total, offset + size)
        templates = self._encoded(kind, ids)
        ident = self.course_id if kind == "courses" else (lambda i: f"{i:08d}")
        page = b",".join(templates[i % len(templates)].replace(b"@ID@", ident(i).encode())
                         for i in range(offset, end))
        body = b'{"' + kind.encode() + b'":[' + page + b"]"
        if end < total:
            body += b',"nextPageToken":"' + str(end).encode() + b'"'
        return Answer(200, body + b"}", {"Content-Type": "application/json; charset=utf-8"})

    def truth(self) -> dict[str, list[dict]]:
        return {"courses": [], "studentsubmissions": []}  # counted, not listed: see count()


def serve(courses: int, submissions: int, latency_ms: float) -> None:
    sandbox = Sandbox(1, 250, latency_ms, only=["classroom"])
    sandbox.apis["classroom"] = BulkClassroomAPI(1, courses, submissions)
    sandbox.reset_counters()
    SandboxServer(sandbox, "127.0.0.1", 0).serve_until_stopped({"apis": ["classroom"],
                                                                  "volume": 0})


@contextlib.contextmanager
def bulk_sandbox(courses: int, submissions: int, latency_ms: float = 0.0
                 ) -> Iterator[SandboxClient]:
    """The bulk fake in a subprocess (its control endpoints are the sandbox's)."""
    with sandbox_process("bench.bulk", "serve", "--courses", str(courses), "--submissions",
                         str(submissions), "--latency-ms", str(latency_ms)) as client:
        yield client

def loop(url: str, stream: str, writer: RecordWriter) -> None:
    """The bare loop over ``courses`` (or every course's submissions): pages of 1,000."""
    client = Client("tap-classroom")
    client.refresh_token_grant(f"{url}/classroom/token")
    api = f"{url}/classroom/v1"

    def pages(path: str, key: str) -> Iterator[list[dict]]:
        query: dict[str, Any] = {"pageSize": 1000}
        while True:
            body, _ = client.get(api + path, query)
            yield body.get(key) or []
            if not body.get("nextPageToken"):
                return
            query = {"pageSize": 1000, "pageToken": body["nextPageToken"]}

    for courses in pages("/courses", "courses"):
        if stream == "courses":
            writer.write("courses", courses)
            continue
        for course in courses:
            for subs in pages(f"/courses/{course['id']}/courseWork/-/studentSubmissions",
                              "studentSubmissions"):
                writer.write("studentsubmissions", subs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    served = sub.add_parser("serve")
    served.add_argument("--courses", type=int, required=True)
    served.add_argument("--submissions", type=int, default=0)
    served.add_argument("--latency-ms", type=float, default=0.0)
    looped = sub.add_parser("loop")
    looped.add_argument("url")
    looped.add_argument("stream", choices=["courses", "studentsubmissions"])
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.courses, args.submissions, args.latency_ms)
        return 0
    writer = RecordWriter(sys.stdout.buffer)
    loop(args.url.rstrip("/"), args.stream, writer)
    sys.stdout.buffer.flush()
    print(f"{writer.count} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
