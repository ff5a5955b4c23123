"""Fake systeme.io public API (``/systeme/api``).

Faithful to the documented behaviour: the key in ``X-API-Key`` (401 otherwise), ``limit`` between
10 and 100 (400 outside), ``order=asc|desc`` (default ``desc``, by id), ``startingAfter=<key of the
last item>``, answers ``{"items": [...], "hasMore": bool}``, and a quota shared by the account:
``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Refill`` on every answer and a
429 once it is used up. Contact fields have no id: they are ordered by an internal one and their
cursor is the ``slug``. Filters: ``/school/enrollments`` by ``course`` and ``contact``,
``/community/memberships`` by ``community`` and ``contact`` (ids; 400 when not one), and
``/payment/subscriptions`` lists the subscriptions of one contact: ``contact`` is required (400
without it). Records carry nulls, unicode and nested objects as the API reference describes them.

``configure`` knobs: ``rate_limit`` (requests per window), ``refill_seconds`` (the window),
``retry_after`` (whether a 429 carries ``Retry-After``; the docs do not say) and
``refill_format`` (``X-RateLimit-Refill`` as a unix ``timestamp`` or as ``seconds`` to wait).
"""

from __future__ import annotations

import bisect
import math
import re
import time
from typing import Any

from sandbox.apis.base import Answer, FakeAPI, Request, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import LAST, WORDS, email, moment, person, rng, sentence

API_KEY = CREDENTIALS["tap-systeme"]["api_key"]
#: path -> (collection, key field)
ROUTES = {"/api/community/communities": ("communities", "id"), "/api/contacts": ("contacts", "id"),
          "/api/tags": ("tags", "id"), "/api/contact_fields": ("contact_fields", "slug"),
          "/api/school/courses": ("course_resources", "id"),
          "/api/school/enrollments": ("enrollments", "id"),
          "/api/community/memberships": ("memberships", "id"),
          "/api/mailing/newsletters": ("newsletters", "id"),
          "/api/payment/subscriptions": ("subscriptions", "id")}
#: collection -> query parameter -> the record field it filters on (an id).
FILTERS: dict[str, dict[str, str]] = {
    "enrollments": {"course": "_course", "contact": "_contact"},
    "memberships": {"community": "_community", "contact": "_contact"},
    "subscriptions": {"contact": "_contact"},
}
#: collection -> the filter the API requires.
REQUIRED = {"subscriptions": "contact"}
ACCESS_TYPES = ["full_access", "full_access", "partial_access", "dripping_content"]
SUBSCRIPTION_STATUSES = ["active", "active", "cancelled", "completed", "in_charge", "incomplete",
                         "incomplete_expired"]
CURRENCIES = ["eur", "usd", "gbp", "chf", "pln"]
#: Built-in contact fields of every systeme.io account (label, slug).
STANDARD_FIELDS = [("First name", "first_name"), ("Surname", "surname"),
                   ("Phone number", "phone_number"), ("Country", "country"),
                   ("Street address", "street_address"), ("City", "city"),
                   ("Postcode", "postcode"), ("State", "state"), ("Company name", "company_name"),
                   ("Website", "website")]
LOCALES = ["en", "fr", "de", "es", "it", "pt", "ru", "ja", "pl", "nl", "tr"]
DOMAINS = ["academy.example.com", "école.example.fr", "learn.example.org"]
DEFAULTS: dict[str, Any] = {"rate_limit": 100_000, "refill_seconds": 60.0, "retry_after": True,
                            "refill_format": "timestamp"}


def problem(status: int, title: str, detail: str, **extra: Any) -> Answer:
    """An API Platform style error body."""
    return json_answer({"type": "https://tools.ietf.org/html/rfc2616#section-10", "title": title,
                        "status": status, "detail": detail, **extra}, status)


def stamp(value: Any) -> str:
    """``2024-03-01T12:34:56+00:00``, the API's date-time format."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00")


class SystemeAPI(FakeAPI):
    prefix = "systeme"

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.options = dict(DEFAULTS)
        self.tokens, self.refill_at = 0, 0.0  # the first request opens the first window
        self.throttled = 0
        self.data: dict[str, list[dict]] = {}
        self._make_fields(max(12, round(volume * 0.05)))
        self._make_tags(max(3, round(volume * 0.12)))
        self._make_contacts(max(5, round(volume * 0.71)))
        self._make_communities(max(2, round(volume * 0.04)))
        self._make_courses(max(2, round(volume * 0.08)))
        self._make_school_and_community(max(4, round(volume * 0.1)), max(3, round(volume * 0.06)))
        self._make_newsletters(max(3, round(volume * 0.02)))
        self._make_subscriptions()

    # -- data ----------------------------------------------------------------------------------
    def _make_fields(self, count: int) -> None:
        r = rng(self.seed, "systeme", "fields")
        fields = [{"_order": n + 1, "fieldName": label, "slug": slug}
                  for n, (label, slug) in enumerate(STANDARD_FIELDS)]
        for n in range(len(fields), count):
            word = r.choice(WORDS)
            label = f"{word.capitalize()} {n}"
            slug = re.sub(r"[^a-z0-9]+", "_", word.lower()).strip("_") or "custom"
            fields.append({"_order": n + 1, "fieldName": label, "slug": f"{slug}_{n}"})
        self.data["contact_fields"] = fields

    def _make_tags(self, count: int) -> None:
        r = rng(self.seed, "systeme", "tags")
        self.data["tags"] = [{"id": 40000 + n * 3, "name": f"{r.choice(WORDS)} #{n}",
                              "createdAt": stamp(moment(r))} for n in range(count)]

    def _make_contacts(self, count: int) -> None:
        r = rng(self.seed, "systeme", "contacts")
        tags, fields = self.data["tags"], self.data["contact_fields"]
        contacts = []
        for n in range(count):
            first, last = person(r)
            values = {"first_name": first, "surname": last,
                      "phone_number": f"+33 6 {r.randrange(10**7, 10**8)}" if n % 3 else None,
                      "country": r.choice(["FR", "DE", "US", "JP", None]),
                      "city": r.choice(["Zürich", "Kraków", "São Paulo", "Tōkyō", None])}
            contacts.append({
                "id": 9_000_000 + n * 7 + r.randrange(5), "email": email(first, last, n,
                                                                          "example.com"),
                "registeredAt": stamp(moment(r, 600)), "locale": r.choice([*LOCALES, None]),
                "sourceURL": r.choice([None, f"https://{r.choice(DOMAINS)}/optin-{n % 7}"]),
                "unsubscribed": r.random() < 0.08, "bounced": r.random() < 0.03,
                "needsConfirmation": r.random() < 0.1,
                "fields": [{"fieldName": f["fieldName"], "slug": f["slug"],
                            "value": values.get(f["slug"], r.choice([None, None, sentence(r, 2)]))}
                           for f in fields[: 6 + n % 4]],
                "tags": [{"id": t["id"], "name": t["name"]}
                         for t in r.sample(tags, min(len(tags), r.randrange(4)))],
            })
        self.data["contacts"] = contacts

    def _make_communities(self, count: int) -> None:
        r = rng(self.seed, "systeme", "communities")
        self.data["communities"] = [{
            "id": 3100 + n * 11, "name": f"{r.choice(LAST)} community {n} ✨",
            "domainName": r.choice(DOMAINS), "path": f"community-{n}"} for n in range(count)]

    def _make_courses(self, count: int) -> None:
        r = rng(self.seed, "systeme", "courses")
        courses = []
        for n in range(count):
            about = rng(self.seed, "systeme", "course-description", n)
            courses.append({
                "id": 52000 + n * 13, "name": sentence(r, 3)[:-1],
                "description": about.choice([None, "", sentence(about, 12) + " 🎓 Über-cours"]),
                "domainName": r.choice(DOMAINS),
                "path": f"course-{n}", "locale": r.choice(LOCALES), "active": r.random() < 0.8,
                "modules": [{"id": 700000 + n * 100 + m,
                             "name": f"Module {m + 1}: {r.choice(WORDS)}"}
                            for m in range(r.randrange(0, 5))],
            })
        self.data["course_resources"] = courses

    def _make_school_and_community(self, enrollments: int, memberships: int) -> None:
        """Enrollments (a contact in a course) and memberships (a contact in a community)."""
        r = rng(self.seed, "systeme", "enrollments")
        contacts, courses = self.data["contacts"], self.data["course_resources"]
        rows = []
        for n in range(enrollments):
            contact, course = r.choice(contacts), r.choice(courses)
            rows.append({
                "id": 610000 + n * 9 + r.randrange(7), "_contact": contact["id"],
                "_course": course["id"],
                "contact": {k: contact[k] for k in ("id", "email", "registeredAt", "locale",
                                                    "sourceURL", "unsubscribed", "bounced",
                                                    "needsConfirmation")},
                "course": {k: course[k] for k in ("id", "locale", "path", "active", "name")},
                "accessType": r.choice(ACCESS_TYPES), "active": r.random() < 0.85,
            })
        self.data["enrollments"] = rows
        r = rng(self.seed, "systeme", "memberships")
        communities = self.data["communities"]
        self.data["memberships"] = [{
            "id": 720000 + n * 5 + r.randrange(4), "_contact": contact["id"],
            "_community": community["id"], "community": dict(community),
            "contact": {"id": contact["id"]},
        } for n, (contact, community) in enumerate(
            (r.choice(contacts), r.choice(communities)) for _ in range(memberships))]

    def _make_newsletters(self, count: int) -> None:
        r = rng(self.seed, "systeme", "newsletters")
        self.data["newsletters"] = [{
            "id": 83000 + n * 17, "type": "regular",
            "content": {
                "subject": f"{sentence(r, 4)[:-1]} — n°{n} ✉️",
                "previewText": r.choice([None, sentence(r, 6)]),
                "editorType": r.choice(["classic", "visual"]),
                "bodyHtml": r.choice([None, f"<p style=\"margin-top: 0\">{sentence(r, 14)}</p>"]),
                "senderEmail": r.choice([None, f"news{n % 3}@academy.example.com"]),
                "senderName": r.choice([None, f"{r.choice(LAST)} Académie"]),
            },
            "state": {"isSent": r.random() < 0.7},
        } for n in range(count)]

    def _make_subscriptions(self) -> None:
        """About one contact in seven pays a subscription (or two, or three)."""
        r = rng(self.seed, "systeme", "subscriptions")
        rows: list[dict] = []
        for contact in self.data["contacts"]:
            for _ in range(r.choice([0] * 12 + [1, 1, 2, 3])):
                created = moment(r, 500)
                status = r.choice(SUBSCRIPTION_STATUSES)
                recurring = r.random() < 0.8
                rows.append({
                    "id": 930000 + len(rows) * 11 + r.randrange(9), "_contact": contact["id"],
                    "createdAt": stamp(created), "status": status,
                    "completedAt": stamp(moment(r, 600)) if status == "completed" else None,
                    "cancelledAt": stamp(moment(r, 600)) if status == "cancelled" else None,
                    "pricePlan": {
                        "id": 4400 + r.randrange(40),
                        "name": f"{r.choice(WORDS).capitalize()} plan",
                        "innerName": r.choice([None, f"plan-{r.randrange(99)}"]),
                        "statementDescriptor": r.choice([None, "SYSTEME*ACADEMY"]),
                        "amount": r.choice([900, 1900, 4900, 9900]),
                        "currency": r.choice(CURRENCIES),
                        "type": "subscription" if recurring else "one_shot",
                        "recurringOptions": {
                            "id": 5500 + r.randrange(80), "trialPeriod": r.choice([0, 7, 14]),
                            "trialInterval": "day", "interval": r.choice(["month", "year"]),
                            "intervalCount": 1, "limitOfPayments": r.choice([None, 3, 12]),
                        } if recurring else None,
                    } if r.random() < 0.95 else None,
                })
        self.data["subscriptions"] = rows

    # -- quota -----------------------------------------------------------------------------------
    def _refill(self, now: float) -> None:
        """A full quota, and the next window opening ``refill_seconds`` from now."""
        self.tokens = int(self.options["rate_limit"])
        self.refill_at = now + float(self.options["refill_seconds"])

    def _quota_headers(self, now: float) -> dict[str, str]:
        wait = max(0.0, self.refill_at - now)
        refill = (str(math.ceil(self.refill_at)) if self.options["refill_format"] == "timestamp"
                  else str(math.ceil(wait)))
        return {"X-RateLimit-Limit": str(self.options["rate_limit"]),
                "X-RateLimit-Remaining": str(self.tokens), "X-RateLimit-Refill": refill}

    def configure(self, options: dict[str, Any]) -> None:
        unknown = set(options) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown systeme options {sorted(unknown)}")
        self.options.update(options)
        self.tokens, self.refill_at = 0, 0.0

    # -- HTTP ----------------------------------------------------------------------------------
    def handle(self, request: Request) -> Answer:
        now = time.time()
        if now >= self.refill_at:
            self._refill(now)
        if self.tokens <= 0:
            self.throttled += 1
            answer = problem(429, "Too Many Requests", "Rate limit exceeded. Try again later.")
            if self.options["retry_after"]:
                answer.headers["Retry-After"] = str(max(1, math.ceil(self.refill_at - now)))
        else:
            self.tokens -= 1
            answer = self._answer(request)
        answer.headers.update(self._quota_headers(now))
        return answer

    def _answer(self, request: Request) -> Answer:
        if request.header("x-api-key") != API_KEY:
            return problem(401, "Unauthorized", "Invalid API key")
        if request.method != "GET":
            return problem(405, "Method Not Allowed", "Only GET is faked.")
        route = ROUTES.get(request.path.rstrip("/"))
        if route is None:
            return problem(404, "Not Found", f"No route found for \"GET {request.path}\"")
        return self._list(request, *route)

    def _list(self, request: Request, kind: str, key: str) -> Answer:
        limit_text = request.arg("limit", "10") or "10"
        if not limit_text.lstrip("-").isdigit() or not 10 <= int(limit_text) <= 100:
            return problem(400, "An error occurred", "limit: This value should be between 10 "
                           "and 100.", violations=[{"propertyPath": "limit", "message":
                                                    "This value should be between 10 and 100."}])
        order = request.arg("order", "desc")
        if order not in ("asc", "desc"):
            return problem(400, "An error occurred", "order: The value you selected is not a "
                           "valid choice.")
        filters = self._filters(request, kind)
        if isinstance(filters, Answer):
            return filters
        records = self._ordered(kind, order, filters)
        after = request.arg("startingAfter")
        start = 0
        if after:
            found = self._after(kind, records, key, after, order, filters)
            if found is None:
                return problem(400, "An error occurred", f"startingAfter: {after!r} is not a "
                               f"valid {key}.")
            start = found
        end = start + int(limit_text)
        return json_answer({"items": [self._public(x) for x in records[start:end]],
                            "hasMore": len(records) > end})

    @staticmethod
    def _filters(request: Request, kind: str) -> tuple[tuple[str, int], ...] | Answer:
        """The id filters of the request, as ``(record field, id)`` pairs, or a 400."""
        pairs = []
        for param, field in FILTERS.get(kind, {}).items():
            value = request.arg(param)
            if not value:
                if REQUIRED.get(kind) == param:
                    return problem(400, "An error occurred", f"{param}: This value should not "
                                   "be blank.", violations=[{"propertyPath": param, "message":
                                                            "This value should not be blank."}])
                continue
            if not value.isdigit():
                return problem(400, "An error occurred", f"{param}: {value!r} is not a valid "
                               "identifier.")
            pairs.append((field, int(value)))
        return tuple(pairs)

    def _ordered(self, kind: str, order: str,
                 filters: tuple[tuple[str, int], ...] = ()) -> list[dict]:
        sort_key = "_order" if kind == "contact_fields" else "id"
        if not filters:
            return self.memoized(("ordered", kind, order), lambda: sorted(
                self.data[kind], key=lambda x: x[sort_key], reverse=order == "desc"))
        (field, value), rest = filters[0], filters[1:]
        return [x for x in self._grouped(kind, order, field).get(value, [])
                if all(x[f] == v for f, v in rest)]

    def _grouped(self, kind: str, order: str, field: str) -> dict[int, list[dict]]:
        """The ordered records of ``kind`` by their ``field`` (one pass, not one per value)."""
        def group() -> dict[int, list[dict]]:
            out: dict[int, list[dict]] = {}
            for record in self._ordered(kind, order):
                out.setdefault(record[field], []).append(record)
            return out
        return self.memoized(("grouped", kind, order, field), group)

    def _after(self, kind: str, records: list[dict], key: str, value: str,
               order: str, filters: tuple[tuple[str, int], ...] = ()) -> int | None:
        """Where the records after the cursor start: ids compare as numbers (the item may be
        gone since); a slug must name an existing field, whose internal position is the cursor."""
        if key == "id":
            if not value.isdigit():
                return None
            sign = -1 if order == "desc" else 1
            ids = self.memoized(("ids", kind, order, filters),
                                lambda: [sign * x["id"] for x in records])
            return bisect.bisect_right(ids, sign * int(value))
        for n, record in enumerate(records):
            if record[key] == value:
                return n + 1
        return None

    @staticmethod
    def _public(record: dict) -> dict:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        """Every stream in the tap's order; subscriptions (opt-in) as a run that selects them
        emits them: contact by contact, each with ``contactId``."""
        out = {kind: [self._public(x) for x in self._ordered(kind, "desc")]
               for kind in self.data if kind != "subscriptions"}
        out["subscriptions"] = [
            {**self._public(x), "contactId": contact["id"]} for contact in out["contacts"]
            for x in self._ordered("subscriptions", "desc", (("_contact", contact["id"]),))]
        return out
