"""Fake Thrive Learning REST API v1 (``/thrive/rest/v1``).

Faithful to the documented behaviour the tap relies on: HTTP Basic auth (tenant id and API key,
401 otherwise), ``page`` (from 1) and ``perPage`` (up to 1000, or 100 for ``/assignments`` and
``/assignments/{id}/enrolments``; 400 above), answers ``{"results": [...], "pagination":
{totalResults, totalPages, page, perPage}}`` except ``/assignments``, their enrolments and
``/learning/completions``, which answer a bare array. Time filters, all inclusive and answered
with 400 when malformed: ``updatedSince`` (ISO 8601; ``/contents``, ``/users``, ``/audiences``,
``/assignments``, ``/cpdRequirementSummaries``, where a record without ``updatedAt`` never
matches), ``updatedAtFrom``/``updatedAtTo`` (ISO 8601, the second only with the first) on
enrolments, and ``YYYY-MM-DD hh:mm:ss`` for ``timestampFrom``/``timestampTo`` (activities),
``completedDateRangeStart``/``End`` and ``entryDateFrom``/``To``. Other filters: activities'
``actions``, ``omitActions``, ``contentIds``, ``contentType``; audiences' ``apiControlled``;
assignments' ``audienceId``; enrolments' ``status``; completions' ``userId``, ``contentId``,
``isRPL``. Documented default page sizes (20, 100 for users, assignments and enrolments, 1000 for
completions); timestamps as ISO 8601 with milliseconds and ``Z``. Records come in id order: ids
are MongoDB-style ObjectIds whose first 4 bytes are the creation second, so the order is creation
order, not ``updatedAt`` order (an edited record stays where it is; an event recorded late sorts
after newer events). An unknown audience or assignment id is a 404.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Any

from sandbox.apis.base import Answer, FakeAPI, Request, int_arg, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import WORDS, email, iso, moment, now, person, rng, sentence

CREDS = CREDENTIALS["tap-thrive"]
MAX_PER_PAGE = 1000
SPACED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
CONTENT_TYPES = ["article", "video", "file", "link", "scorm", "pathway", "event", "quiz"]
ACTIONS = ["viewed", "launched", "completed", "progressed", "liked", "commented", "answered",
           "searched"]
ZONES = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Africa/Lagos",
         "Australia/Sydney", None]
LANGUAGES = ["en-GB", "en-US", "fr-FR", "de-DE", "es-ES", "ja-JP", "pl-PL"]
ENROLMENT_STATUSES = ["open", "open", "complete", "complete", "overdue", "scheduled", "archived",
                      "unassigned"]
CPD_CATEGORIES = ["Formal learning", "Apprentissage informel", "Konferenz & Seminar",
                  "Mentoring 🤝", "研修", "Reading", "Webinar", "Peer review"]
#: Events are new records; every other incremental table has records edited in place.
EVENTS = {"activities": "date", "completions": "completedAt", "cpd_entries": "entryDate"}
EDITED = ("content", "users", "audiences", "assignments", "enrolments", "cpd_requirements")
#: The id field of the tables not keyed by ``id``.
KEYS = {"cpd_entries": "logEntryId", "cpd_categories": "categoryId",
        "cpd_requirements": "audienceRequirementId"}


@dataclass(frozen=True)
class Bound:
    """A time filter: records whose ``field`` is ``>=`` (or ``<=``) the parameter's value."""

    param: str
    field: str
    upper: bool = False
    spaced: bool = False  #: ``YYYY-MM-DD hh:mm:ss`` rather than ISO 8601
    needs: str | None = None  #: a parameter this one is only valid with


@dataclass(frozen=True)
class Endpoint:
    """One list of the API: its records, envelope, page sizes and filters."""

    table: str
    bare: bool = False
    default_per_page: int = 20
    max_per_page: int = MAX_PER_PAGE
    bounds: tuple[Bound, ...] = ()
    equals: tuple[tuple[str, str], ...] = ()  #: (parameter, field) exact-match filters
    parent: str | None = None  #: table of the parent, for ``/{parent}/{id}/...`` paths


UPDATED_SINCE = (Bound("updatedSince", "updatedAt"),)
ENDPOINTS: dict[str, Endpoint] = {
    "contents": Endpoint("content", bounds=UPDATED_SINCE),
    "users": Endpoint("users", default_per_page=100, bounds=UPDATED_SINCE),
    "activities": Endpoint("activities", bounds=(
        Bound("timestampFrom", "date", spaced=True),
        Bound("timestampTo", "date", upper=True, spaced=True))),
    "audiences": Endpoint("audiences", bounds=UPDATED_SINCE,
                          equals=(("apiControlled", "apiControlled"),)),
    "audiences/members": Endpoint("audience_members", parent="audiences"),
    "assignments": Endpoint("assignments", bare=True, default_per_page=100, max_per_page=100,
                            bounds=UPDATED_SINCE, equals=(("audienceId", "audienceId"),)),
    "assignments/enrolments": Endpoint(
        "enrolments", bare=True, default_per_page=100, max_per_page=100, parent="assignments",
        bounds=(Bound("updatedAtFrom", "updatedAt"),
                Bound("updatedAtTo", "updatedAt", upper=True, needs="updatedAtFrom")),
        equals=(("status", "status"),)),
    "learning/completions": Endpoint(
        "completions", bare=True, default_per_page=1000, bounds=(
            Bound("completedDateRangeStart", "completedAt", spaced=True),
            Bound("completedDateRangeEnd", "completedAt", upper=True, spaced=True)),
        equals=(("userId", "userId"), ("contentId", "contentId"), ("isRPL", "isRPL"))),
    "cpdEntries": Endpoint("cpd_entries", bounds=(
        Bound("entryDateFrom", "entryDate", spaced=True),
        Bound("entryDateTo", "entryDate", upper=True, spaced=True))),
    "cpdCategories": Endpoint("cpd_categories"),
    "cpdRequirementSummaries": Endpoint("cpd_requirements", bounds=UPDATED_SINCE),
    "tags": Endpoint("tags"),
}
ROUTE = re.compile(r"^/rest/v1/(?P<list>[A-Za-z/]+?)(?:/(?P<id>[0-9a-f]{24})/(?P<sub>[a-z]+))?/?$")


def error(status: int, message: str) -> Answer:
    return json_answer({"status": status, "message": message}, status)


def parse_iso(value: str) -> datetime:
    """An aware UTC datetime from ISO 8601 (``Z``, offsets, fractions, date only)."""
    moment_ = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment_.replace(tzinfo=timezone.utc) if moment_.tzinfo is None else moment_


def key_of(record: dict) -> str:
    """A record's id, whatever its table calls it."""
    return record.get("id") or next(record[k] for k in KEYS.values() if k in record)


def matches(value: Any, wanted: str) -> bool:
    """Whether a record value equals a query parameter (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return wanted.lower() == str(value).lower()
    return str(value) == wanted


class ThriveAPI(FakeAPI):
    prefix = "thrive"

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.max_per_page = MAX_PER_PAGE
        self._counter = itertools.count(0x1F0000 + seed)
        self._touches = itertools.count()
        self.users: list[dict] = []
        for i in range(max(3, round(volume * 0.25))):
            self.users.append(self._user(i))
        self.content = [self._content(i) for i in range(max(3, round(volume * 0.15)))]
        count = max(5, volume - len(self.users) - len(self.content))
        self.activities = [self._activity(rng(seed, "activity", i), moment(rng(seed, "when", i))
                                          + timedelta(milliseconds=i * 37 % 1000))
                           for i in range(count)]
        self.tables: dict[str, list[dict]] = {"content": self.content, "users": self.users,
                                              "activities": self.activities}
        self._make_learning_records(volume)
        for table in self.tables.values():
            table.sort(key=key_of)

    # -- data ----------------------------------------------------------------------------------
    def _oid(self, when: datetime, r: Random) -> str:
        """A MongoDB ObjectId: creation second, 5 random bytes, a 3-byte counter."""
        return f"{int(when.timestamp()):08x}{r.getrandbits(40):010x}{next(self._counter):06x}"

    def _user(self, i: int) -> dict:
        r = rng(self.seed, "user", i)
        first, last = person(r)
        created = moment(r, 300)
        updated = created + timedelta(days=r.randrange(90), milliseconds=r.randrange(1000))
        first_login = created + timedelta(hours=r.randrange(1, 200)) if r.random() < 0.85 else None
        manager = self.users[r.randrange(i)] if i and r.random() < 0.8 else None
        status = r.choice(["active"] * 8 + ["pending", "suspended"])
        return {
            "id": self._oid(created, r), "ref": f"EMP-{100000 + i}",
            "email": email(first, last, i, "thrive.example.com") if r.random() < 0.95 else None,
            "firstName": first, "lastName": last,
            "role": r.choice(["learner"] * 6 + ["manager", "admin", "author"]),
            "status": status, "deleted": status == "suspended" and r.random() < 0.5,
            "onboarded": first_login is not None, "singleSignOn": r.random() < 0.6,
            "hasPicture": r.random() < 0.4,
            "agreedTerms": r.choice([True, True, False, None]),
            "compliance": round(r.uniform(0, 100), 2), "level": r.randint(1, 12),
            "relevancy": round(r.random(), 3),
            "firstLogin": iso(first_login) if first_login else None,
            "lastLogin": iso(first_login + timedelta(days=r.randrange(60))) if first_login
            else None,
            "createdAt": iso(created), "updatedAt": iso(updated),
            "timeZone": r.choice(ZONES), "languageCode": r.choice(LANGUAGES),
            "summary": r.choice([None, "", sentence(r, 8) + " — ça va ✓"]),
            "additionalFields": {
                "department": r.choice(["Ventes", "Engineering", "人事", "Operations"]),
                "location": r.choice(["London", "Kraków", "São Paulo", None]),
                "employmenttype": r.choice(["full-time", "part-time", "contractor"]),
                "onleave": r.choice(["no", "no", "yes"]),
            } if r.random() < 0.9 else None,
            "positions": [{
                "id": self._oid(created, r), "title": r.choice(["Analyst", "Engineer",
                                                                "Responsable RH", None]),
                "ouId": f"ou-{r.randrange(20):03d}" if r.random() < 0.7 else None,
                "isActive": True, "startDate": iso(created), "endDate": None,
                "createdAt": iso(created), "updatedAt": iso(updated),
                "manager": {"id": manager["id"], "ref": manager["ref"],
                            "name": f"{manager['firstName']} {manager['lastName']}"}
                if manager else None,
            }],
            "tags": {"skills": r.sample(WORDS, r.randint(0, 3))},
            "audiences": [f"aud-{r.randrange(12):04d}" for _ in range(r.randint(0, 3))],
            "rank": {"currentCategory": r.randint(0, 4), "currentLevel": r.randint(0, 9)},
            "usersFollowing": [], "tagsFollowing": r.sample(WORDS, r.randint(0, 2)),
        }

    def _content(self, i: int) -> dict:
        r = rng(self.seed, "content", i)
        created = moment(r, 380)
        updated = created + timedelta(days=r.randrange(60), milliseconds=r.randrange(1000))
        author = r.choice(self.users)["id"] if r.random() < 0.9 else None
        history = [{"action": "created", "timestamp": iso(created),
                    "performedBy": {"type": "user" if author else "system",
                                    "value": author or "import"}}]
        if updated > created:
            history.append({"action": "updated", "timestamp": iso(updated),
                            "performedBy": history[0]["performedBy"]})
        minutes = r.choice([None, 3, 5, 12, 30, 45, 90])
        return {
            "id": self._oid(created, r), "title": f"{sentence(r, 3)[:-1]} #{i}",
            "type": r.choice(CONTENT_TYPES),
            "description": r.choice([None, f"<p>{sentence(r, 12)}</p><ul><li>émoji 🎓</li></ul>"]),
            "author": author, "isOfficial": r.random() < 0.3,
            "tags": r.sample(WORDS, r.randint(0, 4)),
            "createdAt": iso(created), "updatedAt": iso(updated),
            "duration": {"value": minutes, "unit": "minutes"} if minutes else None,
            "contentHistory": history,
        }

    def _activity(self, r: Random, when: datetime, recorded: datetime | None = None) -> dict:
        action = r.choice(ACTIONS)
        user = r.choice(self.users)
        content = r.choice(self.content)
        data: dict[str, Any] = {"version": 1}
        if action == "completed":
            data.update(completion=True, success=r.random() < 0.9, completedDate=iso(when),
                        score=r.choice([None, r.randint(0, 100)]), completiontype="manual")
        elif action == "progressed":
            data.update(progresspercentage=r.choice([r.randint(1, 99), "50"]),
                        duration=f"PT{r.randint(1, 59)}M")
        elif action == "answered":
            data.update(interactionType="choice", response=r.choice(["a", "b", "c"]),
                        minScore=0, maxScore=1, scaled=r.choice([0, 1]),
                        name={"en-GB": sentence(r, 4)}, choices=[
                            {"id": c, "description": {"en-GB": f"Option {c}"}} for c in "abc"])
        elif action == "searched":
            data.update(search=r.choice(WORDS), searchresults=str(r.randrange(40)))
        elif action == "commented":
            data.update(comment=sentence(r, 9) + " 👍")
        return {
            "id": self._oid(recorded or when, r), "date": iso(when), "type": action,
            "name": content["title"] if action != "searched" else None,
            "user": user["id"], "contextId": None if action == "searched" else content["id"],
            "contextType": "search" if action == "searched" else "content",
            "contentType": None if action == "searched" else content["type"],
            "data": data,
            "with": {"audienceId": r.choice(user["audiences"])} if user["audiences"] and
            r.random() < 0.3 else None,
        }

    # -- data: audiences, assignments, completions, CPD and tags --------------------------------
    def _make_learning_records(self, volume: int) -> None:
        """The collections beyond content, users and activities, scaled by ``volume``."""
        seed = self.seed
        self.tables["cpd_categories"] = [self._cpd_category(n) for n in range(len(CPD_CATEGORIES))]
        audiences: list[dict] = []
        self.tables["audiences"] = audiences
        for n in range(max(3, round(volume * 0.02))):
            audiences.append(self._audience(n))
        self.members = {a["id"]: self._members(rng(seed, "members", n)) if n % 6 != 2 else []
                        for n, a in enumerate(audiences)}  # some audiences have no members
        self.tables["assignments"] = [self._assignment(n)
                                      for n in range(max(3, round(volume * 0.03)))]
        self.enrolments = {}
        for n, assignment in enumerate(self.tables["assignments"]):
            count = rng(seed, "enrolled", n).randint(0, 24)
            self.enrolments[assignment["id"]] = sorted(
                (self._enrolment(rng(seed, "enrolment", n, k), assignment) for k in range(count)),
                key=key_of)
        self.tables["completions"] = [
            self._completion(rng(seed, "completion", n), moment(rng(seed, "completed", n)))
            for n in range(max(5, round(volume * 0.2)))]
        self.tables["cpd_entries"] = [
            self._cpd_entry(rng(seed, "cpd-entry", n), moment(rng(seed, "logged", n)))
            for n in range(max(5, round(volume * 0.15)))]
        self.tables["cpd_requirements"] = [self._cpd_requirement(n)
                                           for n in range(max(3, round(volume * 0.02)))]
        self.tables["tags"] = [self._tag(n) for n in range(max(3, round(volume * 0.03)))]

    def _audience(self, n: int) -> dict:
        r = rng(self.seed, "audience", n)
        created = moment(r, 300)
        parent = r.choice(self.tables["audiences"]) if n and r.random() < 0.4 else None
        return {
            "id": self._oid(created, r), "name": f"{r.choice(WORDS).capitalize()} — équipe {n}",
            "reference": f"AUD-{n:04d}" if r.random() < 0.8 else None,
            "apiControlled": r.random() < 0.3, "category": r.choice(["audience", "structure"]),
            "type": r.choice(["manual", "smart"]),
            "parent": {"id": parent["id"], "name": parent["name"],
                       "reference": parent["reference"]} if parent else None,
            "createdAt": iso(created),
            "updatedAt": iso(created + timedelta(days=r.randrange(100),
                                                 milliseconds=r.randrange(1000))),
        }

    def _members(self, r: Random) -> list[dict]:
        """An audience's members: ``{userId, reference, email}`` (the API adds nothing else)."""
        chosen = r.sample(self.users, r.randint(0, min(40, len(self.users))))
        return [{"userId": u["id"], "reference": u["ref"], "email": u["email"]}
                for u in sorted(chosen, key=lambda u: u["id"])]

    def _assignment(self, n: int) -> dict:
        r = rng(self.seed, "assignment", n)
        created = moment(r, 250)
        deleted = r.random() < 0.1
        updated = created + timedelta(days=r.randrange(120), milliseconds=r.randrange(1000))
        return {
            "id": self._oid(created, r), "audienceId": r.choice(self.tables["audiences"])["id"],
            "primaryContentId": r.choice(self.content)["id"],
            "alternativeContentIds": [c["id"] for c in r.sample(self.content, r.randint(0, 2))],
            "hideAlternativeContent": r.random() < 0.5,
            "completionPeriod": r.choice([7, 14, 30, 90]),
            "recurrence": r.choice([None, None, 365, 730]),
            "isActive": not deleted and r.random() < 0.9, "isDeleted": deleted,
            "createdAt": iso(created), "deletedAt": iso(updated) if deleted else None,
            "updatedAt": iso(updated),
        }

    def _enrolment(self, r: Random, assignment: dict) -> dict:
        created = parse_iso(assignment["createdAt"]) + timedelta(hours=r.randrange(1, 500))
        updated = created + timedelta(days=r.randrange(200), milliseconds=r.randrange(1000))
        status = r.choice(ENROLMENT_STATUSES)
        completion = self._oid(updated, r) if status == "complete" else None
        return {
            "id": self._oid(created, r), "userId": r.choice(self.users)["id"],
            "assignmentId": assignment["id"], "audienceId": assignment["audienceId"],
            "primaryContentId": assignment["primaryContentId"], "status": status,
            "availableDate": iso(created),
            "dueDate": iso(created + timedelta(days=assignment["completionPeriod"])),
            "lastCompletedAt": iso(updated) if completion else None,
            "history": [{"type": "statusChange", "completionId": completion,
                         "previousStatus": "open", "nextStatus": status,
                         "createdAt": iso(updated), "updatedAt": iso(updated)}]
            if status != "open" else [],
            "updatedAt": iso(updated),
        }

    def _completion(self, r: Random, when: datetime, recorded: datetime | None = None) -> dict:
        content = r.choice(self.content)
        return {
            "id": self._oid(recorded or when, r), "userId": r.choice(self.users)["id"],
            "contentId": content["id"], "contentVersion": r.randint(1, 4),
            "skills": r.sample(WORDS, r.randint(0, 2)),
            "completionType": r.choice(["manual", "scorm", "xapi", "rpl"]),
            "hadDueDate": r.random() < 0.4, "isRPL": r.random() < 0.1, "completedAt": iso(when),
            "activeUntil": iso(when + timedelta(days=365)) if r.random() < 0.3 else None,
        }

    def _cpd_category(self, n: int) -> dict:
        r = rng(self.seed, "cpd-category", n)
        return {"categoryId": self._oid(moment(r, 30), r), "name": CPD_CATEGORIES[n]}

    def _cpd_entry(self, r: Random, when: datetime, recorded: datetime | None = None) -> dict:
        category = r.choice(self.tables["cpd_categories"])
        verified = r.random() < 0.5
        content = r.choice(self.content)
        return {
            "logEntryId": self._oid(recorded or when, r), "userId": r.choice(self.users)["id"],
            "activity": {"type": content["type"], "name": content["title"]} if verified
            else {"type": "external", "name": sentence(r, 4)},
            "category": {"categoryId": category["categoryId"], "name": category["name"]},
            "entryDate": iso(when), "durationMinutes": r.choice([15, 30, 45, 60, 90, 120]),
            "description": r.choice([None, sentence(r, 10) + " ✍️"]), "isVerified": verified,
        }

    def _cpd_requirement(self, n: int) -> dict:
        r = rng(self.seed, "cpd-requirement", n)
        created = moment(r, 300)
        edited = r.random() < 0.7  # never edited: no updatedAt
        return {
            "audienceRequirementId": self._oid(created, r),
            "audienceId": r.choice(self.tables["audiences"])["id"],
            "requiredMinutes": r.choice([60, 120, 600, 1200]), "createdAt": iso(created),
            "updatedAt": iso(created + timedelta(days=r.randrange(1, 60),
                                                 milliseconds=r.randrange(1000)))
            if edited else None,
        }

    def _tag(self, n: int) -> dict:
        r = rng(self.seed, "tag", n)
        return {
            "id": self._oid(moment(r, 300), r), "tag": f"{WORDS[n % len(WORDS)]}-{n}",
            "contents": [c["id"] for c in r.sample(self.content, r.randint(0, 3))],
            "campaigns": [self._oid(moment(r), r) for _ in range(r.randint(0, 1))],
            "interests": [u["id"] for u in r.sample(self.users, r.randint(0, 3))],
            "skills": [u["id"] for u in r.sample(self.users, r.randint(0, 2))],
        }

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        """``max_per_page``; ``stamp: {stream, at, count}`` sets ``count`` records' ``updatedAt``
        to exactly ``at`` (content, users, audiences, assignments, enrolments,
        cpd_requirements), or records ``count`` new events dated ``at`` (activities,
        completions, cpd_entries)."""
        if "max_per_page" in options:
            self.max_per_page = int(options["max_per_page"])
        if stamp := options.get("stamp"):
            self._stamp(str(stamp["stream"]), parse_iso(str(stamp["at"])),
                        int(stamp.get("count", 1)))

    def handle(self, request: Request) -> Answer:
        if request.basic() != (CREDS["username"], CREDS["password"]):
            answer = error(401, "Unauthorized")
            answer.headers["WWW-Authenticate"] = 'Basic realm="Thrive API"'
            return answer
        if request.method != "GET":
            return error(405, "Method Not Allowed")
        route = ROUTE.match(request.path)
        name = route and (f"{route['list']}/{route['sub']}" if route["sub"] else route["list"])
        endpoint = ENDPOINTS.get(name or "")
        if endpoint is None or (endpoint.parent is None) != (route["id"] is None):
            return error(404, f"Cannot GET {request.path}")
        page = int_arg(request, "page", 1)
        per_page = int_arg(request, "perPage", endpoint.default_per_page)
        most = min(endpoint.max_per_page, self.max_per_page)
        if page is None or page < 1:
            return error(400, "page must be an integer greater than or equal to 1")
        if per_page is None or not 1 <= per_page <= most:
            return error(400, f"perPage must be an integer from 1 to {most}")
        records = self._filtered(request, endpoint, route["id"])
        if isinstance(records, Answer):
            return records
        start = (page - 1) * per_page
        results = records[start: start + per_page]
        if endpoint.bare:
            return json_answer(results)
        return json_answer({"results": results, "pagination": {
            "totalResults": len(records), "totalPages": math.ceil(len(records) / per_page),
            "page": page, "perPage": per_page}})

    def _filtered(self, request: Request, endpoint: Endpoint,
                  parent: str | None) -> list[dict] | Answer:
        """The records the request's filters select, worked out once per walk (not per page)."""
        key = (request.path, tuple(sorted((k, tuple(v)) for k, v in request.query.items()
                                          if k not in ("page", "perPage"))))
        return self.memoized(key, lambda: self._select(request, endpoint, parent))

    def _records(self, endpoint: Endpoint, parent: str | None) -> list[dict] | None:
        if endpoint.table == "audience_members":
            return self.members.get(parent or "")
        if endpoint.table == "enrolments":
            return self.enrolments.get(parent or "")
        return self.tables[endpoint.table]

    def _select(self, request: Request, endpoint: Endpoint,
                parent: str | None) -> list[dict] | Answer:
        records = self._records(endpoint, parent)
        if records is None:
            return error(404, f"{endpoint.parent[:-1]} {parent} not found")
        for bound in endpoint.bounds:
            value = request.arg(bound.param)
            if value is None:
                continue
            if bound.needs and request.arg(bound.needs) is None:
                return error(400, f"{bound.param} requires {bound.needs}")
            pattern, shape = (SPACED, "YYYY-MM-DD hh:mm:ss") if bound.spaced else (
                ISO_8601, "an ISO 8601 date-time")
            if not pattern.match(value):
                return error(400, f"{bound.param} must be formatted as {shape}")
            limit = parse_iso(value)
            records = [x for x in records if x.get(bound.field) and (
                parse_iso(x[bound.field]) <= limit if bound.upper
                else parse_iso(x[bound.field]) >= limit)]
        for param, field in endpoint.equals:
            if (wanted := request.arg(param)) is not None:
                records = [x for x in records if matches(x.get(field), wanted)]
        if endpoint.table == "activities":
            records = self._activity_filters(request, records)
        return records

    @staticmethod
    def _activity_filters(request: Request, records: list[dict]) -> list[dict]:
        listed = {name: {a for v in request.args(name) for a in v.split(",") if a}
                  for name in ("actions", "omitActions", "contentIds")}
        content_type = request.arg("contentType")
        return [x for x in records
                if (not listed["actions"] or x["type"] in listed["actions"])
                and x["type"] not in listed["omitActions"]
                and (not listed["contentIds"] or x["contextId"] in listed["contentIds"])
                and (not content_type or x["contentType"] == content_type)]

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        """Current-state tables in full; events from ``start_date`` to now."""
        low = parse_iso(CREDS["start_date"])
        high = now().replace(microsecond=0)

        def window(records: list[dict], field: str) -> list[dict]:
            return [x for x in records if x.get(field) and low <= parse_iso(x[field]) <= high]

        out = {name: list(table) for name, table in self.tables.items() if name not in EVENTS}
        out.update({name: window(self.tables[name], field) for name, field in EVENTS.items()})
        out["audience_members"] = [{**m, "audienceId": audience}
                                   for audience, members in self.members.items()
                                   for m in members]
        out["enrolments"] = window([e for rows in self.enrolments.values() for e in rows],
                                   "updatedAt")
        return out

    def touch(self, stream: str, count: int) -> list[Any]:
        """Edit ``count`` records of a current-state table (or enrolments) now, or record
        ``count`` new events dated a few seconds ago; their keys."""
        if stream not in EVENTS and stream not in EDITED:
            return super().touch(stream, count)
        # events and enrolments (filtered by time windows) a few seconds back, so a truth taken
        # within the same second (its window ends at a whole second) still holds them
        stamp = now() - timedelta(seconds=5 if stream in EVENTS or stream == "enrolments" else 0)
        return self._stamp(stream, stamp, count, spread=True)

    def _stamp(self, stream: str, at: datetime, count: int, spread: bool = False) -> list[str]:
        r = rng(self.seed, "touch", stream, next(self._touches))
        if stream in EVENTS:
            make = {"activities": self._activity, "completions": self._completion,
                    "cpd_entries": self._cpd_entry}[stream]
            new = [make(r, at + timedelta(milliseconds=n if spread else 0), now())
                   for n in range(count)]
            self.tables[stream].extend(new)
            self.tables[stream].sort(key=key_of)
            return [key_of(x) for x in new]
        table = ([e for rows in self.enrolments.values() for e in rows] if stream == "enrolments"
                 else self.tables[stream])
        pool = [x for x in table if x["updatedAt"] is None or parse_iso(x["updatedAt"]) != at]
        if stream == "cpd_requirements":  # never-edited records first: they gain an updatedAt
            pool.sort(key=lambda x: x["updatedAt"] is not None)
            touched = pool[:count]
        else:
            touched = r.sample(pool, min(count, len(pool)))
        for n, record in enumerate(touched):
            record["updatedAt"] = iso(at + timedelta(milliseconds=n if spread else 0))
            if stream == "content":
                record["title"] = f"{record['title'].split(' (edited')[0]} (edited {n})"
            elif stream == "users":
                record["lastLogin"] = record["updatedAt"]
        return [key_of(x) for x in touched]
