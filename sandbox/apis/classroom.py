"""Fake Google Classroom API v1 (``/classroom``) with Google's OAuth token endpoint.

Faithful to the documented behaviour the tap relies on: refresh-token grant, Bearer on every
call, ``pageSize``/``pageToken``/``nextPageToken`` (tokens bound to the other parameters), the
list key omitted on an empty page (and a full last page followed by an empty one),
``courseStates`` defaulting to everything but SUSPENDED, ``orderBy=updateTime desc|asc``,
PUBLISHED-only defaults, and the ``-`` course-work wildcard for student submissions.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sandbox.apis.base import (
    Answer,
    OAuthFakeAPI,
    Request,
    int_arg,
    json_answer,
    read_cursor,
    signed_cursor,
)
from sandbox.credentials import CREDENTIALS
from sandbox.data import email, iso, moment, now, person, rng, sentence

CREDS = CREDENTIALS["tap-classroom"]
DEFAULT_STATES = ("ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED")
ROUTES = [
    (re.compile(r"^/v1/courses$"), "courses"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/teachers$"), "teachers"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/students$"), "students"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/announcements$"), "announcements"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/courseWork$"), "courseWork"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/courseWork/(?P<work>[^/]+)/studentSubmissions$"),
     "studentSubmissions"),
]


def materials(r: Any, n: int) -> list[dict]:
    """Attached materials of the kinds Classroom returns (Drive file, link, video, form)."""
    kinds = [
        {"driveFile": {"driveFile": {"id": f"1AbC{n}", "title": f"Worksheet {n}.pdf",
                                     "alternateLink": f"https://drive.google.com/file/d/{n}",
                                     "thumbnailUrl": None}, "shareMode": "VIEW"}},
        {"link": {"url": f"https://example.org/reading/{n}", "title": "Lecture « notes »",
                  "thumbnailUrl": None}},
        {"youtubeVideo": {"id": f"dQw4w9{n}", "title": "Explainer",
                          "alternateLink": f"https://www.youtube.com/watch?v={n}",
                          "thumbnailUrl": "https://i.ytimg.com/vi/x/default.jpg"}},
        {"form": {"formUrl": f"https://docs.google.com/forms/d/{n}", "title": "Quiz",
                  "responseUrl": None, "thumbnailUrl": None}},
    ]
    return r.sample(kinds, r.randint(1, 2))


def google_error(status: int, code: str, message: str) -> Answer:
    return json_answer({"error": {"code": status, "message": message, "status": code}}, status)


class ClassroomAPI(OAuthFakeAPI):
    prefix = "classroom"
    token_ttl = 3599

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.courses: list[dict] = []
        self.per_course: dict[str, dict[str, list[dict]]] = {}
        for index in range(max(2, round(volume / 125))):
            self._make_course(index)
        self.courses.sort(key=lambda c: c["creationTime"], reverse=True)

    # -- data ----------------------------------------------------------------------------------
    def _make_course(self, index: int) -> None:
        r = rng(self.seed, "course", index)
        course_id = str(600000000000 + index * 7919)
        created = moment(r)
        state = "SUSPENDED" if index % 17 == 5 else r.choice(
            ["ACTIVE"] * 6 + ["ARCHIVED", "PROVISIONED", "DECLINED"])
        owner = str(100000000000000000000 + index)
        self.courses.append({
            "id": course_id, "name": f"{sentence(r, 2)[:-1]} {index}",
            "section": r.choice([None, "Period 1", "Période 2", "B"]),
            "descriptionHeading": f"Welcome to course {index}", "room": r.choice(["101", None]),
            "description": r.choice([None, sentence(r, 15)]),
            "ownerId": owner, "creationTime": iso(created),
            "updateTime": iso(created + timedelta(days=r.randrange(60))),
            "enrollmentCode": f"e{index:05d}x", "courseState": state,
            "alternateLink": f"https://classroom.google.com/c/{course_id}",
            "teacherGroupEmail": f"course_{index}_teachers@example.edu",
            "courseGroupEmail": f"course_{index}@example.edu",
            "teacherFolder": {"id": f"folder-{course_id}", "title": f"Course {index} Folder",
                              "alternateLink": f"https://drive.google.com/drive/folders/{index}"},
            "guardiansEnabled": r.random() < 0.3, "calendarId": f"c_{course_id}@group.calendar",
            "gradebookSettings": {"calculationType": "TOTAL_POINTS",
                                  "displaySetting": "SHOW_OVERALL_GRADE", "gradeCategories": []},
        })
        lists: dict[str, list[dict]] = {k: [] for k, _ in
                                        [("teachers", 0), ("students", 0), ("announcements", 0),
                                         ("courseWork", 0), ("studentSubmissions", 0)]}
        people = {"teachers": r.randint(1, 3), "students": r.randint(8, 22)}
        for role, count in people.items():
            for n in range(count):
                first, last = person(r)
                user_id = str(110000000000000000000 + index * 1000 + n + (500 if role ==
                                                                           "students" else 0))
                member = {"courseId": course_id, "userId": user_id, "profile": {
                    "id": user_id, "name": {"givenName": first, "familyName": last,
                                            "fullName": f"{first} {last}"},
                    "emailAddress": email(first, last, n) if r.random() < 0.9 else None,
                    "permissions": [{"permission": "CREATE_COURSE"}] if role == "teachers" else [],
                }}
                if role == "students" and r.random() < 0.7:
                    member["studentWorkFolder"] = {"id": f"wf-{user_id}", "title": None,
                                                   "alternateLink": "https://drive.google.com/"}
                lists[role].append(member)
        for n in range(r.randint(4, 20)):
            created = moment(r)
            lists["announcements"].append({
                "courseId": course_id, "id": str(700000000000 + index * 1000 + n),
                "text": sentence(r, 10) + (" ✓ émoji 🎓" if n % 5 == 0 else ""),
                "state": "DRAFT" if n % 9 == 8 else "PUBLISHED",
                "alternateLink": f"https://classroom.google.com/c/{course_id}/p/{n}",
                "creationTime": iso(created),
                "updateTime": iso(created + timedelta(hours=r.randrange(200)), r.random() > 0.2),
                "creatorUserId": owner, "assigneeMode": "ALL_STUDENTS",
            })
            if n % 3 == 0:
                lists["announcements"][-1]["materials"] = materials(r, n)
        for n in range(r.randint(2, 8)):
            created = moment(r)
            work_type = r.choice(
                ["ASSIGNMENT", "SHORT_ANSWER_QUESTION", "MULTIPLE_CHOICE_QUESTION"])
            work = {
                "courseId": course_id, "id": str(800000000000 + index * 1000 + n),
                "title": sentence(r, 3)[:-1], "description": r.choice([None, sentence(r, 12)]),
                "state": "DRAFT" if n % 7 == 6 else "PUBLISHED",
                "alternateLink": f"https://classroom.google.com/c/{course_id}/a/{n}",
                "creationTime": iso(created),
                "updateTime": iso(created + timedelta(hours=r.randrange(100)), r.random() > 0.2),
                "maxPoints": r.choice([None, 10, 100]), "workType": work_type,
                "creatorUserId": owner, "assigneeMode": "ALL_STUDENTS",
                "submissionModificationMode": "MODIFIABLE_UNTIL_TURNED_IN",
            }
            if r.random() < 0.5:
                work["materials"] = materials(r, n)
                work["topicId"] = str(900000 + n)
                work["gradeCategory"] = {"id": "gc-1", "name": "Homework", "weight": 400000,
                                         "defaultGradeDenominator": 100}
            if work_type == "MULTIPLE_CHOICE_QUESTION":
                work["multipleChoiceQuestion"] = {"choices": ["A", "B", "C — ¿otra?"]}
            if r.random() < 0.6:
                work["dueDate"] = {"year": 2024, "month": r.randint(1, 12), "day": r.randint(1, 28)}
                work["dueTime"] = {"hours": 23, "minutes": 59}
            lists["courseWork"].append(work)
            if work["state"] != "PUBLISHED":
                continue
            for s, student in enumerate(lists["students"]):
                lists["studentSubmissions"].append(self._submission(r, work, student, s))
        self.per_course[course_id] = lists

    @staticmethod
    def _submission(r: Any, work: dict, student: dict, s: int) -> dict:
        state = r.choice(["NEW", "CREATED", "TURNED_IN", "RETURNED", "RECLAIMED_BY_STUDENT"])
        created = moment(r)
        sub = {
            "courseId": work["courseId"], "courseWorkId": work["id"],
            "id": f"Cg4I{work['id'][-6:]}{s:04d}", "userId": student["userId"],
            "creationTime": iso(created), "state": state, "late": r.random() < 0.1,
            "courseWorkType": work["workType"],
            "alternateLink": f"https://classroom.google.com/c/{work['courseId']}/sa/{s}",
            "submissionHistory": [{"stateHistory": {"state": "CREATED",
                                                    "stateTimestamp": iso(created),
                                                    "actorUserId": student["userId"]}}],
        }
        if state != "NEW":
            sub["updateTime"] = iso(created + timedelta(hours=r.randrange(48)))
        if state == "RETURNED" and work.get("maxPoints"):
            grade = round(r.uniform(0, work["maxPoints"]), 1)
            sub["assignedGrade"] = sub["draftGrade"] = grade
            sub["submissionHistory"].append({"gradeHistory": {
                "pointsEarned": grade, "maxPoints": work["maxPoints"],
                "gradeTimestamp": sub["updateTime"], "actorUserId": "teacher",
                "gradeChangeType": "ASSIGNED_GRADE_POINTS_EARNED_CHANGE"}})
        if work["workType"] == "ASSIGNMENT":
            sub["assignmentSubmission"] = {"attachments": []}
        elif work["workType"] == "SHORT_ANSWER_QUESTION":
            sub["shortAnswerSubmission"] = {"answer": "42 — la réponse"}
        else:
            sub["multipleChoiceSubmission"] = {"answer": "B"}
        return sub

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        super().configure(options)
        self._configure_visibility(options)

    def handle(self, request: Request) -> Answer:
        if request.path == "/token":
            return self._token(request)
        if not self.tokens.valid(request.bearer()):
            return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication "
                                "credentials. Expected OAuth 2 access token.")
        if request.method != "GET":
            return google_error(405, "METHOD_NOT_ALLOWED", "Only GET is faked.")
        for pattern, kind in ROUTES:
            match = pattern.match(request.path)
            if match:
                return self._list(request, kind, match.groupdict())
        return google_error(404, "NOT_FOUND", "Requested entity was not found.")

    def _token(self, request: Request) -> Answer:
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return json_answer({"error": "unsupported_grant_type",
                                "error_description": "Invalid grant_type: "}, 400)
        if form.get("client_id") != CREDS["client_id"] or form.get(
                "client_secret") != CREDS["client_secret"]:
            return json_answer({"error": "invalid_client", "error_description": "Unauthorized"},
                               401)
        if form.get("refresh_token") != CREDS["refresh_token"]:
            return json_answer({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
        token, ttl = self.tokens.issue()
        return json_answer({"access_token": token, "expires_in": ttl, "token_type": "Bearer",
                            "scope": "https://www.googleapis.com/auth/classroom.courses.readonly"})

    def _records(self, request: Request, kind: str, ids: dict) -> list[dict] | Answer:
        if kind == "courses":
            states = request.args("courseStates") or list(DEFAULT_STATES)
            return [c for c in self.visible_courses() if c["courseState"] in states]
        lists = self.per_course.get(ids["course"])
        if lists is None or ids["course"] in self.hidden:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        records = lists[kind]
        if kind in ("announcements", "courseWork"):
            states = request.args(f"{kind[:-1] if kind == 'announcements' else kind}States")
            records = [x for x in records if x["state"] in (states or ["PUBLISHED"])]
            order = request.arg("orderBy", "updateTime desc")
            if order not in ("updateTime desc", "updateTime asc", "updateTime"):
                return google_error(400, "INVALID_ARGUMENT", f"Invalid orderBy: {order}")
            records = sorted(records, key=lambda x: (x["updateTime"].replace("Z", ".000Z")
                                                     if len(x["updateTime"]) == 20
                                                     else x["updateTime"]),
                             reverse=order.endswith("desc"))
        if kind == "studentSubmissions" and ids["work"] != "-":
            records = [x for x in records if x["courseWorkId"] == ids["work"]]
        return records

    def _list(self, request: Request, kind: str, ids: dict) -> Answer:
        records = self._records(request, kind, ids)
        if isinstance(records, Answer):
            return records
        size = int_arg(request, "pageSize", 30 if kind in ("teachers", "students") else 100)
        if size is None or size < 0:
            return google_error(400, "INVALID_ARGUMENT", "Invalid pageSize")
        size = min(size or 100, 1000)
        offset = 0
        if token := request.arg("pageToken"):
            cursor = read_cursor(token, request, ("pageToken",))
            if cursor is None:
                return google_error(400, "INVALID_ARGUMENT", "Invalid page token.")
            offset = int(cursor["o"])
        page = records[offset: offset + size]
        body: dict[str, Any] = {kind: page} if page else {}
        if page and len(page) == size:  # a full last page is followed by an empty one
            body["nextPageToken"] = signed_cursor({"o": offset + size}, request, ("pageToken",))
        return json_answer(body)

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        listed = [c for c in self.visible_courses() if c["courseState"] in DEFAULT_STATES]
        out: dict[str, list[dict]] = {"courses": listed, "teachers": [], "students": [],
                                      "announcements": [], "coursework": [],
                                      "studentsubmissions": []}
        for course in listed:
            lists = self.per_course[course["id"]]
            out["teachers"] += lists["teachers"]
            out["students"] += lists["students"]
            out["announcements"] += [x for x in lists["announcements"] if x["state"] == "PUBLISHED"]
            out["coursework"] += [x for x in lists["courseWork"] if x["state"] == "PUBLISHED"]
            out["studentsubmissions"] += lists["studentSubmissions"]
        return out

    def touch(self, stream: str, count: int) -> list[Any]:
        kind = {"announcements": "announcements", "coursework": "courseWork"}.get(stream)
        if kind is None:
            return super().touch(stream, count)
        pool = [x for c in self.courses if c["courseState"] in DEFAULT_STATES
                for x in self.per_course[c["id"]][kind] if x["state"] == "PUBLISHED"]
        r = rng(self.seed, "touch", stream, now().timestamp())
        touched = r.sample(pool, min(count, len(pool)))
        stamp = now()
        for n, record in enumerate(touched):
            record["updateTime"] = iso(stamp + timedelta(milliseconds=n))
            record["text" if kind == "announcements" else "title"] = f"edited {stamp.isoformat()}"
        return [[x["courseId"], x["id"]] for x in touched]

    # -- test support: courses the caller cannot see (yet) ----------------------------------------
    #: Ids of courses hidden from the caller, as if it were not (yet) a teacher of them:
    #: ``configure(hidden_courses=[...])`` hides them, ``configure(hidden_courses=[])`` shows
    #: them again. A hidden course is not listed, its lists answer 404, and truth leaves it out.
    hidden: frozenset[str] = frozenset()

    def _configure_visibility(self, options: dict[str, Any]) -> None:
        if "hidden_courses" in options:
            self.hidden = frozenset(str(c) for c in options["hidden_courses"])

    def visible_courses(self) -> list[dict]:
        return [c for c in self.courses if c["id"] not in self.hidden]
