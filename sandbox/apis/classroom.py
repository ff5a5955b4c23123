"""Fake Google Classroom API v1 (``/classroom``) with Google's OAuth token endpoint.

Faithful to the documented behaviour the tap relies on: refresh-token grant, Bearer on every
call, ``pageSize``/``pageToken``/``nextPageToken`` (tokens bound to the other parameters), the
list key omitted on an empty page (and a full last page followed by an empty one),
``courseStates`` defaulting to everything but SUSPENDED, ``orderBy=updateTime desc|asc``,
PUBLISHED-only defaults, and the ``-`` course-work wildcard for student submissions.

Also topics, course-work materials, aliases, invitations, guardians and guardian invitations
(the last two answer 403 PERMISSION_DENIED to a token that is not a domain administrator's: one
granted from :data:`NON_ADMIN_REFRESH_TOKEN`, or any after ``configure(domain_admin=False)``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sandbox.apis.base import (
    Answer,
    FakeAPI,
    OAuthFakeAPI,
    Request,
    int_arg,
    json_answer,
    read_cursor,
    signed_cursor,
)
from sandbox.credentials import CREDENTIALS, SECOND_TENANT
from sandbox.data import WORDS, email, iso, moment, now, person, rng, sentence

CREDS = CREDENTIALS["tap-classroom"]
DEFAULT_STATES = ("ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED")
#: A second refresh token the fake accepts: it grants a teacher's token, not an administrator's.
NON_ADMIN_REFRESH_TOKEN = "sbx-classroom-teacher-refresh-51d0e8"
ROUTES = [
    (re.compile(r"^/v1/courses$"), "courses"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/teachers$"), "teachers"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/students$"), "students"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/announcements$"), "announcements"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/courseWork$"), "courseWork"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/courseWork/(?P<work>[^/]+)/studentSubmissions$"),
     "studentSubmissions"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/topics$"), "topic"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/courseWorkMaterials$"), "courseWorkMaterial"),
    (re.compile(r"^/v1/courses/(?P<course>[^/]+)/aliases$"), "aliases"),
    (re.compile(r"^/v1/invitations$"), "invitations"),
    (re.compile(r"^/v1/userProfiles/(?P<student>[^/]+)/guardians$"), "guardians"),
    (re.compile(r"^/v1/userProfiles/(?P<student>[^/]+)/guardianInvitations$"),
     "guardianInvitations"),
]
#: The state filters of the lists that have one: parameter, the API's enum, its default.
STATE_FILTERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "courses": ("courseStates", (*DEFAULT_STATES, "SUSPENDED"), DEFAULT_STATES),
    "announcements": ("announcementStates", ("PUBLISHED", "DRAFT", "DELETED"), ("PUBLISHED",)),
    "courseWork": ("courseWorkStates", ("PUBLISHED", "DRAFT", "DELETED"), ("PUBLISHED",)),
    "courseWorkMaterial": ("courseWorkMaterialStates", ("PUBLISHED", "DRAFT", "DELETED"),
                           ("PUBLISHED",)),
    "guardianInvitations": ("states", ("PENDING", "COMPLETE"), ("PENDING",)),
}


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


def gem_or_notebook(r: Any, n: int) -> dict:
    """The two read-only material kinds Classroom added later: a Gemini Gem, a NotebookLM book."""
    if r.random() < 0.5:
        return {"gem": {"id": f"gem{n}x", "title": "Tuteur « algèbre » ✨",
                        "url": f"https://gemini.google.com/gem/gem{n}x"}}
    return {"notebook": {"id": f"nb-{n}", "title": r.choice(["Carnet 📓", None]),
                         "url": f"https://notebooklm.google.com/notebook/nb-{n}"}}


def attachment(r: Any, n: int) -> dict:
    """A student's attachment: unlike a material, a Drive file is flat (no share mode) and the
    video is ``youTubeVideo``; only the id and link are sure to be there."""
    kind = r.randrange(4)
    if kind == 0:
        drive = {"id": f"1StU{n}", "alternateLink": f"https://drive.google.com/file/d/1StU{n}"}
        if r.random() < 0.7:
            drive["title"] = f"Mon devoir {n} — final.docx"
            drive["thumbnailUrl"] = f"https://drive.google.com/thumbnail?id=1StU{n}"
        return {"driveFile": drive}
    if kind == 1:
        return {"youTubeVideo": {"id": f"yt{n:06d}", "title": "Présentation 🎬",
                                 "alternateLink": f"https://www.youtube.com/watch?v=yt{n:06d}",
                                 "thumbnailUrl": f"https://i.ytimg.com/vi/yt{n:06d}/0.jpg"}}
    if kind == 2:
        return {"link": {"url": f"https://example.org/portfolio/{n}", "title": "Portfolio",
                         "thumbnailUrl": None}}
    return {"form": {"formUrl": f"https://docs.google.com/forms/d/f{n}/viewform",
                     "responseUrl": f"https://docs.google.com/spreadsheets/d/r{n}",
                     "title": "Auto-évaluation", "thumbnailUrl": None}}


def rubric_grades(r: Any, criteria: list[str], partial: bool) -> dict[str, dict]:
    """A map of criterion id to grade; a grade may have points but no level, or the reverse."""
    grades = {}
    for criterion in criteria:
        if partial and r.random() < 0.4:
            continue
        level = r.randrange(3)
        grade: dict[str, Any] = {"criterionId": criterion}
        if r.random() < 0.9:
            grade["levelId"] = f"{criterion}-l{level}"
        if r.random() < 0.8:
            grade["points"] = float(4 - 2 * level)
        grades[criterion] = grade
    return grades


def google_error(status: int, code: str, message: str) -> Answer:
    return json_answer({"error": {"code": status, "message": message, "status": code}}, status)


class ClassroomAPI(OAuthFakeAPI):
    prefix = "classroom"
    token_ttl = 3599
    #: The OAuth client and refresh token this tenant accepts.
    credentials: dict[str, Any] = CREDS

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.courses: list[dict] = []
        self.per_course: dict[str, dict[str, list[dict]]] = {}
        for index in range(max(2, round(volume / 125))):
            self._make_course(index)
            self._add_coverage(index, self.courses[-1]["id"])
        self.courses.sort(key=lambda c: c["creationTime"], reverse=True)
        self._make_guardians()
        self.domain_admin = True  # configure(domain_admin=False): every token is a teacher's
        self.non_admin_tokens: set[str] = set()

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
                "state": "DRAFT" if n % 9 == 8 else "DELETED" if n % 9 == 4 else "PUBLISHED",
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
                "state": "DRAFT" if n % 7 == 6 else "DELETED" if n % 7 == 3 else "PUBLISHED",
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

    # -- drafts, deletions, real shapes and the six newer lists (issues 13 and 16) ---------------
    def _add_coverage(self, index: int, course_id: str) -> None:
        """One course's topics, course-work materials, aliases and invitations, and what its
        older lists lacked (gem and notebook materials, grading periods, student attachments of
        every kind, rubric grades), from a generator of their own so older data stays as it is."""
        r = rng(self.seed, "coverage", index)
        course, lists = self.courses[-1], self.per_course[course_id]
        topics = [{"courseId": course_id, "topicId": str(1100000000 + index * 100 + n),
                   "name": r.choice(["Unité", "Kapitel", "Тема", "Unit"]) + f" {n + 1} — "
                   + sentence(r, 2)[:-1], "updateTime": iso(moment(r), r.random() > 0.2)}
                  for n in range(r.randint(0, 5))]
        lists["topic"] = topics
        lists["courseWorkMaterial"] = [self._material_post(r, index, n, course, topics, lists)
                                       for n in range(r.randint(0, 9))]
        lists["aliases"] = [{"alias": alias} for alias in dict.fromkeys(
            r.choice([f"d:{r.choice(WORDS).split()[0]}_{index}", f"p:sis-{index:05d}-{n}"])
            for n in range(r.randint(0, 3)))]
        lists["invitations"] = [
            {"id": str(300000000000 + index * 100 + n), "courseId": course_id,
             "userId": str(120000000000000000000 + index * 100 + n),
             "role": r.choice(["STUDENT", "STUDENT", "STUDENT", "TEACHER", "OWNER"])}
            for n in range(r.randint(0, 4))]
        for post in lists["announcements"] + lists["courseWork"]:
            if post["state"] != "PUBLISHED":
                post.pop("alternateLink", None)  # only published posts have a link
            if lists["students"] and r.random() < 0.15:
                post["assigneeMode"] = "INDIVIDUAL_STUDENTS"
                post["individualStudentsOptions"] = {"studentIds": [
                    s["userId"] for s in r.sample(lists["students"], 1)]}
            if post.get("materials") and r.random() < 0.5:
                post["materials"].append(gem_or_notebook(r, int(post["id"][-4:])))
        rubrics: dict[str, list[str]] = {}
        for work in lists["courseWork"]:
            if "topicId" in work:
                if topics:
                    work["topicId"] = r.choice(topics)["topicId"]
                else:
                    del work["topicId"]
            if r.random() < 0.5:
                work["gradingPeriodId"] = r.choice(["gp-2024-s1", "gp-2024-s2", ""])
            if work["workType"] == "ASSIGNMENT":
                work["assignment"] = {"studentWorkFolder": {
                    "id": f"swf-{work['id']}", "title": f"{work['title']} (réponses)",
                    "alternateLink": f"https://drive.google.com/drive/folders/swf-{work['id']}"}}
                if r.random() < 0.5:
                    rubrics[work["id"]] = [f"c{work['id'][-4:]}{k}" for k in range(3)]
        for n, sub in enumerate(lists["studentSubmissions"]):
            if "assignmentSubmission" in sub and sub["state"] != "NEW":
                sub["assignmentSubmission"]["attachments"] = [
                    attachment(r, index * 100000 + n * 10 + k) for k in range(r.randint(0, 3))]
            criteria = rubrics.get(sub["courseWorkId"])
            if criteria and sub["state"] in ("TURNED_IN", "RETURNED", "RECLAIMED_BY_STUDENT"):
                sub["draftRubricGrades"] = rubric_grades(r, criteria, sub["state"] != "RETURNED")
                if sub["state"] == "RETURNED":
                    sub["assignedRubricGrades"] = dict(sub["draftRubricGrades"])

    @staticmethod
    def _material_post(r: Any, index: int, n: int, course: dict, topics: list[dict],
                       lists: dict[str, list[dict]]) -> dict:
        """One course-work material: published, or a draft, or deleted."""
        created = moment(r)
        state = "DRAFT" if n % 5 == 3 else "DELETED" if n % 6 == 5 else "PUBLISHED"
        post: dict[str, Any] = {
            "courseId": course["id"], "id": str(850000000000 + index * 1000 + n),
            "title": sentence(r, 3)[:-1] + (" — lecture 📚" if n % 4 == 0 else ""),
            "state": state, "creationTime": iso(created),
            "updateTime": iso(created + timedelta(hours=r.randrange(300)), r.random() > 0.2),
            "creatorUserId": course["ownerId"], "assigneeMode": "ALL_STUDENTS"}
        if state == "PUBLISHED":
            post["alternateLink"] = f"https://classroom.google.com/c/{course['id']}/m/{n}"
        elif r.random() < 0.5:
            post["scheduledTime"] = iso(created + timedelta(days=30))
        if r.random() < 0.6:
            post["description"] = sentence(r, 9)
        if r.random() < 0.7:
            post["materials"] = materials(r, n) + (
                [gem_or_notebook(r, n)] if r.random() < 0.4 else [])
        if topics and r.random() < 0.6:
            post["topicId"] = r.choice(topics)["topicId"]
        if lists["students"] and r.random() < 0.2:
            post["assigneeMode"] = "INDIVIDUAL_STUDENTS"
            post["individualStudentsOptions"] = {"studentIds": [
                s["userId"] for s in r.sample(lists["students"], 2)]}
        return post

    def _make_guardians(self) -> None:
        """Guardians of the domain's students (siblings share some) and their invitations."""
        r = rng(self.seed, "guardians")
        self.student_ids = sorted({s["userId"] for lists in self.per_course.values()
                                   for s in lists["students"]})
        self.guardians: list[dict] = []
        self.guardian_invitations: list[dict] = []
        profiles: list[dict] = []
        for n, student in enumerate(self.student_ids):
            roll = r.random()
            for _ in range(r.randint(1, 2) if roll < 0.3 else 0):
                if profiles and r.random() < 0.3:
                    profile = r.choice(profiles)  # a guardian of a sibling too
                else:
                    first, last = person(r)
                    gid = str(130000000000000000000 + len(profiles))
                    profile = {"id": gid, "name": {"givenName": first, "familyName": last,
                                                   "fullName": f"{first} {last}"},
                               "emailAddress": email(first, last, len(profiles), "example.com")}
                    if r.random() < 0.3:
                        profile["photoUrl"] = f"https://lh3.googleusercontent.com/a/{gid}"
                    profiles.append(profile)
                if any(g["studentId"] == student and g["guardianId"] == profile["id"]
                       for g in self.guardians[-2:]):
                    continue
                self.guardians.append({"studentId": student, "guardianId": profile["id"],
                                       "guardianProfile": profile,
                                       "invitedEmailAddress": profile["emailAddress"]})
                self._invite(r, student, profile["emailAddress"], "COMPLETE")
            if 0.3 <= roll < 0.45:
                self._invite(r, student, f"parent.{n}@example.com", "PENDING")

    def _invite(self, r: Any, student: str, address: str, state: str) -> None:
        self.guardian_invitations.append({
            "studentId": student, "invitationId": f"gi-{len(self.guardian_invitations):06d}",
            "invitedEmailAddress": address, "state": state, "creationTime": iso(moment(r))})

    def _is_admin(self, request: Request) -> bool:
        return self.domain_admin and request.bearer() not in self.non_admin_tokens

    def _outside_courses(self, request: Request, kind: str, ids: dict,
                         states: list[str] | None) -> list[dict] | Answer:
        """Invitations (by ``courseId`` or ``userId``) and the guardian lists (by student, or
        ``-``: every student, for a domain administrator only)."""
        if kind == "invitations":
            course, user = request.arg("courseId"), request.arg("userId")
            if not course and not user:
                return google_error(400, "INVALID_ARGUMENT",
                                    "Either courseId or userId must be specified.")
            if course and course not in self.per_course:
                return google_error(404, "NOT_FOUND", "Requested entity was not found.")
            pool = ([self.per_course[course]] if course else list(self.per_course.values()))
            return [i for lists in pool for i in lists["invitations"]
                    if not user or i["userId"] == user]
        student, address = ids["student"], request.arg("invitedEmailAddress")
        if (student == "-" or address) and not self._is_admin(request):
            return google_error(403, "PERMISSION_DENIED", "The caller does not have permission")
        if student != "-" and student not in self.student_ids:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        records = (self.guardians if kind == "guardians" else
                   [i for i in self.guardian_invitations if i["state"] in (states or ())])
        return [x for x in records if student in ("-", x["studentId"])
                and (not address or x["invitedEmailAddress"] == address)]

    def _states(self, request: Request, kind: str) -> list[str] | Answer | None:
        """The states a list is filtered by (its default unless asked), or 400 for a bad one."""
        if kind not in STATE_FILTERS:
            return None
        param, allowed, default = STATE_FILTERS[kind]
        asked = request.args(param)
        wrong = [state for state in asked if state not in allowed]
        if wrong:
            return google_error(400, "INVALID_ARGUMENT",
                                f"Invalid value at '{param}' ({wrong[0]!r})")
        return asked or list(default)

    def _coverage_truth(self, listed: list[dict]) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {"topics": [], "courseworkmaterials": [], "aliases": [],
                                      "invitations": []}
        for course in listed:
            lists = self.per_course[course["id"]]
            out["topics"] += lists["topic"]
            out["courseworkmaterials"] += [x for x in lists["courseWorkMaterial"]
                                           if x["state"] == "PUBLISHED"]
            out["aliases"] += [{**a, "courseId": course["id"]} for a in lists["aliases"]]
            out["invitations"] += lists["invitations"]
        out["guardians"] = list(self.guardians)
        out["guardian_invitations"] = list(self.guardian_invitations)
        return out

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        super().configure(options)
        if "domain_admin" in options:
            self.domain_admin = bool(options["domain_admin"])
        self._configure_visibility(options)

    def handle(self, request: Request) -> Answer:
        if (other := self._other_tenant(request)) is not None:
            return other.handle(request)
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

    # -- tenants: the second one (see the end of this file) --------------------------------------
    def _other_tenant(self, request: Request) -> ClassroomAPI | None:
        """The second tenant when ``request`` carries its client id or one of its tokens."""
        if request.path == "/token":
            asked = request.form().get("client_id") == SECOND["client_id"]
            return second_tenant(self) if asked else None
        built = self.__dict__.get("second_tenant")
        return built if built is not None and built.tokens.valid(request.bearer()) else None

    def tenant(self, name: str | None) -> FakeAPI:
        return second_tenant(self) if name == "second" else super().tenant(name)

    def _token(self, request: Request) -> Answer:
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return json_answer({"error": "unsupported_grant_type",
                                "error_description": "Invalid grant_type: "}, 400)
        if form.get("client_id") != self.credentials["client_id"] or form.get(
                "client_secret") != self.credentials["client_secret"]:
            return json_answer({"error": "invalid_client", "error_description": "Unauthorized"},
                               401)
        if form.get("refresh_token") not in (self.credentials["refresh_token"],
                                             NON_ADMIN_REFRESH_TOKEN):
            return json_answer({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
        token, ttl = self.tokens.issue()
        if form.get("refresh_token") == NON_ADMIN_REFRESH_TOKEN:
            self.non_admin_tokens.add(token)
        return json_answer({"access_token": token, "expires_in": ttl, "token_type": "Bearer",
                            "scope": "https://www.googleapis.com/auth/classroom.courses.readonly"})

    def _records(self, request: Request, kind: str, ids: dict) -> list[dict] | Answer:
        states = self._states(request, kind)
        if isinstance(states, Answer):
            return states
        if kind == "courses":
            return [c for c in self.visible_courses() if c["courseState"] in (states or ())]
        if "course" not in ids:
            return self._outside_courses(request, kind, ids, states)
        lists = self.per_course.get(ids["course"])
        if lists is None or ids["course"] in self.hidden:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        records = lists[kind]
        if states is not None:  # posts: drafts and deleted ones only when asked for
            records = [x for x in records if x["state"] in states]
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
                                      "studentsubmissions": [], **self._coverage_truth(listed)}
        for course in listed:
            lists = self.per_course[course["id"]]
            out["teachers"] += lists["teachers"]
            out["students"] += lists["students"]
            out["announcements"] += [x for x in lists["announcements"] if x["state"] == "PUBLISHED"]
            out["coursework"] += [x for x in lists["courseWork"] if x["state"] == "PUBLISHED"]
            out["studentsubmissions"] += lists["studentSubmissions"]
        return out

    def touch(self, stream: str, count: int) -> list[Any]:
        kind = {"announcements": "announcements", "coursework": "courseWork",
                "courseworkmaterials": "courseWorkMaterial"}.get(stream)
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


# -- a second tenant (issue 19: many accounts) -----------------------------------------------------
SECOND = SECOND_TENANT["tap-classroom"]
#: Added to the second tenant's course ids, so no course id is the same in both tenants.
SECOND_ID_OFFSET = 50_000_000_000


class SecondTenantAPI(ClassroomAPI):
    """Another Workspace domain behind the same endpoints: its own OAuth client, tokens and
    courses (another seed, half the volume, course ids offset by :data:`SECOND_ID_OFFSET`).
    Served through :class:`ClassroomAPI`, which hands it every request of its client or tokens."""

    prefix = ""  # no prefix of its own
    credentials = SECOND

    def _make_course(self, index: int) -> None:
        super()._make_course(index)
        course = self.courses[-1]
        old, new = course["id"], str(int(course["id"]) + SECOND_ID_OFFSET)
        course["id"] = new
        self.per_course[new] = self.per_course.pop(old)
        for records in self.per_course[new].values():
            for record in records:
                if record.get("courseId") == old:
                    record["courseId"] = new

    def _other_tenant(self, request: Request) -> ClassroomAPI | None:
        return None  # it is the other tenant

    def tenant(self, name: str | None) -> FakeAPI:
        return FakeAPI.tenant(self, name)


def second_tenant(api: ClassroomAPI) -> SecondTenantAPI:
    """The second tenant of ``api``, built on first use; it shares ``api``'s lock."""
    if "second_tenant" not in api.__dict__:
        tenant = SecondTenantAPI(api.seed + 1000, max(250, api.volume // 2))
        tenant.lock = api.lock
        api.__dict__["second_tenant"] = tenant
    return api.__dict__["second_tenant"]


# -- /second tenant --------------------------------------------------------------------------------
