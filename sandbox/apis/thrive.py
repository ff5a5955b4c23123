"""Fake Thrive Learning REST API v1 (``/thrive/rest/v1``).

Faithful to the documented behaviour the tap relies on: HTTP Basic auth (tenant id and API key,
401 otherwise), ``page`` (from 1) and ``perPage`` (up to 1000, 400 above) with the ``pagination``
object ``{totalResults, totalPages, page, perPage}``, ``updatedSince`` (ISO 8601, inclusive) on
``/contents`` and ``/users``, ``timestampFrom``/``timestampTo`` (``YYYY-MM-DD hh:mm:ss``, inclusive,
400 when malformed) plus ``actions``, ``omitActions``, ``contentIds`` and ``contentType`` on
``/activities``, documented default page sizes (20, 100 for users), and activity ``date``
as ISO 8601 with milliseconds and ``Z``. Records come in id order: ids are MongoDB-style ObjectIds
whose first 4 bytes are the creation second, so the order is creation order, not ``updatedAt``
order (an edited record stays where it is; an event recorded late sorts after newer events).
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Any

from sandbox.apis.base import Answer, FakeAPI, Request, int_arg, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import WORDS, email, iso, moment, now, person, rng, sentence

CREDS = CREDENTIALS["tap-thrive"]
ROUTES = {"/rest/v1/contents": "content", "/rest/v1/users": "users",
          "/rest/v1/activities": "activities"}
DEFAULT_PER_PAGE = {"content": 20, "users": 100, "activities": 20}  # as documented
MAX_PER_PAGE = 1000
SPACED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CONTENT_TYPES = ["article", "video", "file", "link", "scorm", "pathway", "event", "quiz"]
ACTIONS = ["viewed", "launched", "completed", "progressed", "liked", "commented", "answered",
           "searched"]
ZONES = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Africa/Lagos",
         "Australia/Sydney", None]
LANGUAGES = ["en-GB", "en-US", "fr-FR", "de-DE", "es-ES", "ja-JP", "pl-PL"]


def error(status: int, message: str) -> Answer:
    return json_answer({"status": status, "message": message}, status)


def parse_iso(value: str) -> datetime:
    """An aware UTC datetime from ISO 8601 (``Z``, offsets, fractions, date only)."""
    moment_ = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment_.replace(tzinfo=timezone.utc) if moment_.tzinfo is None else moment_


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
        self.tables = {"content": self.content, "users": self.users,
                       "activities": self.activities}
        for table in self.tables.values():
            table.sort(key=lambda x: x["id"])

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

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        """``max_per_page``; ``stamp: {stream, at, count}`` sets ``count`` content/users records'
        ``updatedAt`` to exactly ``at``, or records ``count`` new activities dated ``at``."""
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
        kind = ROUTES.get(request.path.rstrip("/"))
        if kind is None:
            return error(404, f"Cannot GET {request.path}")
        page = int_arg(request, "page", 1)
        per_page = int_arg(request, "perPage", DEFAULT_PER_PAGE[kind])
        if page is None or page < 1:
            return error(400, "page must be an integer greater than or equal to 1")
        if per_page is None or not 1 <= per_page <= self.max_per_page:
            return error(400, f"perPage must be an integer from 1 to {self.max_per_page}")
        records = self._filtered(request, kind)
        if isinstance(records, Answer):
            return records
        start = (page - 1) * per_page
        return json_answer({"results": records[start: start + per_page], "pagination": {
            "totalResults": len(records), "totalPages": math.ceil(len(records) / per_page),
            "page": page, "perPage": per_page}})

    def _filtered(self, request: Request, kind: str) -> list[dict] | Answer:
        """The records the request's filters select, worked out once per walk (not per page)."""
        key = (kind, tuple(sorted((k, tuple(v)) for k, v in request.query.items()
                                  if k not in ("page", "perPage"))))
        return self.memoized(key, lambda: self._select(request, kind))

    def _select(self, request: Request, kind: str) -> list[dict] | Answer:
        records = self.tables[kind]
        if kind != "activities":
            since = request.arg("updatedSince")
            if since is None:
                return records
            try:
                floor = parse_iso(since)
            except ValueError:
                return error(400, "updatedSince must be an ISO 8601 date-time")
            return [x for x in records if parse_iso(x["updatedAt"]) >= floor]
        bounds = []
        for name in ("timestampFrom", "timestampTo"):
            value = request.arg(name)
            if value is not None and not SPACED.match(value):
                return error(400, f"{name} must be formatted YYYY-MM-DD hh:mm:ss")
            bounds.append(parse_iso(value) if value else None)
        low, high = bounds
        listed = {name: {a for v in request.args(name) for a in v.split(",") if a}
                  for name in ("actions", "omitActions", "contentIds")}
        content_type = request.arg("contentType")
        return [x for x in records
                if (low is None or parse_iso(x["date"]) >= low)
                and (high is None or parse_iso(x["date"]) <= high)
                and (not listed["actions"] or x["type"] in listed["actions"])
                and x["type"] not in listed["omitActions"]
                and (not listed["contentIds"] or x["contextId"] in listed["contentIds"])
                and (not content_type or x["contentType"] == content_type)]

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        low = parse_iso(CREDS["start_date"])
        high = now().replace(microsecond=0)
        return {"content": list(self.content), "users": list(self.users),
                "activities": [x for x in self.activities if low <= parse_iso(x["date"]) <= high]}

    def touch(self, stream: str, count: int) -> list[Any]:
        """Edit ``count`` content/users records now, or record ``count`` new activities dated a
        few seconds ago; their ids."""
        if stream not in self.tables:
            return super().touch(stream, count)
        stamp = now() - timedelta(seconds=5 if stream == "activities" else 0)
        return self._stamp(stream, stamp, count, spread=True)

    def _stamp(self, stream: str, at: datetime, count: int, spread: bool = False) -> list[str]:
        r = rng(self.seed, "touch", stream, next(self._touches))
        if stream == "activities":
            new = [self._activity(r, at + timedelta(milliseconds=n if spread else 0), now())
                   for n in range(count)]
            self.activities.extend(new)
            self.activities.sort(key=lambda x: x["id"])
            return [x["id"] for x in new]
        table = self.tables[stream]
        pool = [x for x in table if parse_iso(x["updatedAt"]) != at]
        touched = r.sample(pool, min(count, len(pool)))
        for n, record in enumerate(touched):
            record["updatedAt"] = iso(at + timedelta(milliseconds=n if spread else 0))
            if stream == "content":
                record["title"] = f"{record['title'].split(' (edited')[0]} (edited {n})"
            else:
                record["lastLogin"] = record["updatedAt"]
        return [x["id"] for x in touched]
