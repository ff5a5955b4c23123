"""Fake Primetric API (``/primetric``): django-oauth-toolkit token endpoint and DRF list pages.

Faithful to the documented behaviour the tap relies on:

- ``POST /auth/token/`` with ``grant_type=client_credentials`` and the client credentials in the
  form body or in HTTP Basic answers ``{access_token, expires_in, token_type, scope}``; tokens
  really expire (``configure({"token_ttl": n})``) and ``revoke`` drops one early.
- ``GET /beta/assignments``, ``/beta/employees``, ``/beta/hash_tags`` (with or without the trailing
  slash) need ``Authorization: Bearer``; a missing, expired or revoked token gets DRF's 401.
- Pages are DRF ``PageNumberPagination``: ``{"count", "next", "previous", "results"}`` where
  ``next``/``previous`` are absolute URLs built from the request (other query parameters kept,
  ``page`` replaced) or null. ``page`` starts at 1; a page out of range or not a number is
  DRF's 404 ``{"detail": "Invalid page."}``. The page size is 100 unless ``page_size`` asks for
  another (1..1000; inferred: Primetric does not document it) or ``configure({"page_size": n})``
  changes the server default.
- 429 on excess is left to the server's fault injection.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sandbox.apis.base import Answer, OAuthFakeAPI, Request, int_arg, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import WORDS, email, iso, moment, person, rng, sentence

CREDS = CREDENTIALS["tap-primetric"]
TOKEN_PATH = "/auth/token/"
ROUTES = {"assignments": "assignments", "employees": "employees", "hash_tags": "hashtags"}
LIST_PATH = re.compile(r"^/beta/(?P<kind>assignments|employees|hash_tags)/?$")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLORS = ("#4A90E2", "#7ED321", "#F5A623", "#D0021B", "#9013FE", None)
NATIONALITIES = ("PL", "DE", "FR", "ES", "VN", "JP", "NG", "BR", None)
HASHTAG_WORDS = ("python", "django", "react", "devops", "ux", "qa", "bench", "senior", "remote",
                 "onsite", "kraków", "münchen", "são-paulo", "東京", "ai", "data", "cloud",
                 "mobile")
UNAUTHENTICATED = {"detail": "Authentication credentials were not provided."}
MAX_PAGE_SIZE = 1000


def fake_uuid(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def drf_error(detail: str, status: int, headers: dict[str, str] | None = None) -> Answer:
    return json_answer({"detail": detail}, status, headers)


class PrimetricAPI(OAuthFakeAPI):
    prefix = "primetric"
    token_ttl = 3600
    token_path = TOKEN_PATH

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.page_size = 100
        n_tags = max(3, volume // 40)
        n_employees = max(3, volume // 8)
        n_assignments = max(3, volume - n_tags - n_employees)
        r = rng(seed, "primetric", "ids")
        self.hashtags = [self._hashtag(i) for i in range(n_tags)]
        self.projects = [fake_uuid(r) for _ in range(max(2, n_assignments // 15))]
        self.org = {k: [fake_uuid(r) for _ in range(5)]
                    for k in ("seniority", "team", "department", "position", "role", "phase")}
        self.employees: list[dict] = []
        for i in range(n_employees):
            self.employees.append(self._employee(i))
        self.assignments = [self._assignment(i) for i in range(n_assignments)]

    # -- data ----------------------------------------------------------------------------------
    def _hashtag(self, index: int) -> dict:
        r = rng(self.seed, "hashtag", index)
        word = HASHTAG_WORDS[index % len(HASHTAG_WORDS)]
        return {"uuid": fake_uuid(r), "text": word if index < len(HASHTAG_WORDS)
                else f"{word}-{index}"}

    def _tags(self, r: random.Random, most: int) -> list[str]:
        return [t["uuid"] for t in r.sample(self.hashtags, r.randint(0, min(most,
                                                                            len(self.hashtags))))]

    @staticmethod
    def _custom_attributes(r: random.Random) -> list[dict]:
        attrs = [{"slug": "cost-center", "value": [r.choice(["CC-100", "CC-200", "CC-Łódź"])]}]
        if r.random() < 0.4:
            attrs.append({"slug": "languages", "value": r.sample(["en", "pl", "de", "日本語"], 2)})
        if r.random() < 0.2:
            attrs.append({"slug": "clearance", "value": []})
        return attrs

    def _employee(self, index: int) -> dict:
        r = rng(self.seed, "employee", index)
        first, last = person(r)
        managers = [e["uuid"] for e in self.employees[:5]]
        return {
            "uuid": fake_uuid(r), "nick": f"{first[:1]}{last[:3]}".lower() + str(index),
            "name": f"{first} {last}", "email": email(first, last, index, "example.com"),
            "summary": r.choice([None, sentence(r, 8), f"{first} — {sentence(r, 4)}"]),
            "nationality": r.choice(NATIONALITIES), "note": r.choice([None, "", sentence(r, 5)]),
            "assigned_manager_id": r.choice(managers) if managers else None,
            "assigned_finance_manager_ids": r.sample(managers, min(len(managers),
                                                                   r.randint(0, 2))),
            "seniority_id": r.choice([*self.org["seniority"], None]),
            "team_id": r.choice([*self.org["team"], None]),
            "department_id": r.choice(self.org["department"]),
            "position_id": r.choice([*self.org["position"], None]),
            "hash_tag_ids": self._tags(r, 3),
            "custom_attributes": self._custom_attributes(r),
        }

    def _assignment(self, index: int) -> dict:
        r = rng(self.seed, "assignment", index)
        created = moment(r)
        start = created.date() + timedelta(days=r.randrange(60))
        length = r.randint(1, 30)
        end = start + timedelta(days=length - 1)
        per_day = r.choice([240, 360, 480])
        work_on = {d: i < 5 or r.random() < 0.05 for i, d in enumerate(DAYS)}
        scheduled = [per_day if work_on[DAYS[(start + timedelta(days=k)).weekday()]] else 0
                     for k in range(length)]
        tracked = [max(0, s + r.choice([-60, 0, 0, 30])) if r.random() < 0.7 else 0
                   for s in scheduled]
        record = {
            "uuid": fake_uuid(r), "created_at": iso(created),
            "updated_at": iso(created + timedelta(hours=r.randrange(500)), r.random() < 0.7),
            "starts_at": f"{start.isoformat()}T00:00:00Z",
            "ends_at": f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z",
            "start_local_date": start.isoformat(), "end_local_date": end.isoformat(),
            "status": r.choice([0, 1, 1, 2]),
            "employee_id": r.choice(self.employees)["uuid"] if r.random() < 0.95 else None,
            "project_id": r.choice(self.projects),
            "project_role_id": r.choice([*self.org["role"], None]),
            "project_phase_id": r.choice([self.org["phase"][0], None, None]),
            "label": r.choice([None, f"{r.choice(WORDS)} sprint", "Wdrożenie 🚀"]),
            "note": r.choice([None, "", sentence(r, 7)]), "color": r.choice(COLORS),
            "billable": r.random() < 0.8, "affects_capacity": r.random() < 0.9,
            "is_settled": r.random() < 0.3, "background": r.random() < 0.05,
            "scheduling_mode": r.choice([1, 2, 3]),
            "total_tracked": float(sum(tracked)), "total_scheduled": float(sum(scheduled)),
            "hash_tag_ids": self._tags(r, 2),
            "daily_data": {"start": start.isoformat(), "end": end.isoformat(),
                           "tracked": tracked, "scheduled": scheduled},
            "custom_attributes": self._custom_attributes(r) if r.random() < 0.5 else [],
            "volatile_work_settings": r.random() < 0.1, "only_billable_work": False,
            "scheduling_time_frame": r.choice([None, 1, 2]),
            "scheduled_work_per_time_frame": r.choice([None, per_day * 5]),
            "adjust_scheduling_to_time_off": True, "reduce_utilization_by_time_off": True,
            "adjust_scheduling_to_public_holidays": r.random() < 0.8,
            "reduce_utilization_by_public_holidays": r.random() < 0.8,
            "capacity_based_load": r.choice([None, 50, 100]),
            "use_billable_capacity": r.random() < 0.5,
        }
        for day in DAYS:
            record[f"work_per_{day}"] = per_day if work_on[day] else 0
            record[f"work_on_{day}"] = work_on[day]
            record[f"work_by_capacity_per_{day}"] = (100 if work_on[day] else 0) if (
                record["capacity_based_load"]) else None
        record.update(self._financials(r, tracked, scheduled))
        return record

    @staticmethod
    def _financials(r: random.Random, tracked: list[int], scheduled: list[int]) -> dict:
        """The ``financial_*`` fields; null when the project has no financial settings."""
        if r.random() < 0.3:
            return {"financial_budget_mode": None, "financial_client_currency": None,
                    "financial_client_currency_exchange_rate": None,
                    "financial_hour_rate": None, "financial_total_scheduled_income": None,
                    "financial_total_scheduled_cost": None,
                    "financial_total_tracked_income": None, "financial_total_tracked_cost": None,
                    "financial_settled_income": None, "financial_settled_cost": None,
                    "financial_contractor_hour_cost": None,
                    "financial_employee_default_hour_cost": None,
                    "financial_use_default_hour_cost": None,
                    "financial_default_hour_rate_source": None,
                    "financial_total_work_for_cost": None, "financial_total_work_for_income": None}
        currency = r.choice(["EUR", "PLN", "USD"])
        rate, cost = round(r.uniform(60, 160), 2), round(r.uniform(30, 80), 2)
        exchange = {"EUR": 1.0, "PLN": 0.2312, "USD": 0.9187}[currency]

        def money(amount: float) -> dict:
            return {"amount": round(amount, 2), "currency": currency, "exchange_rate": exchange}

        hours_tracked, hours_scheduled = sum(tracked) / 60, sum(scheduled) / 60
        settled = r.random() < 0.3
        return {
            "financial_budget_mode": r.choice([1, 2]), "financial_client_currency": currency,
            "financial_client_currency_exchange_rate": f"{exchange:.4f}",
            "financial_hour_rate": money(rate),
            "financial_total_scheduled_income": money(rate * hours_scheduled),
            "financial_total_scheduled_cost": money(cost * hours_scheduled),
            "financial_total_tracked_income": money(rate * hours_tracked),
            "financial_total_tracked_cost": money(cost * hours_tracked),
            "financial_settled_income": money(rate * hours_tracked) if settled else None,
            "financial_settled_cost": money(cost * hours_tracked) if settled else None,
            "financial_contractor_hour_cost": money(cost) if r.random() < 0.1 else None,
            "financial_employee_default_hour_cost": money(cost),
            "financial_use_default_hour_cost": r.random() < 0.7,
            "financial_default_hour_rate_source": r.choice([1, 2, 3]),
            "financial_total_work_for_cost": sum(tracked),
            "financial_total_work_for_income": sum(tracked),
        }

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        super().configure(options)
        if "page_size" in options:
            self.page_size = max(1, int(options["page_size"]))

    def handle(self, request: Request) -> Answer:
        if request.path in (TOKEN_PATH, TOKEN_PATH.rstrip("/")):
            return self._token(request)
        match = LIST_PATH.match(request.path)
        if match is None:
            return drf_error("Not found.", 404)
        if request.method != "GET":
            return drf_error(f'Method "{request.method}" not allowed.', 405)
        if not self.tokens.valid(request.bearer()):
            return json_answer(UNAUTHENTICATED, 401, {"WWW-Authenticate": 'Bearer realm="api"'})
        return self._list(request, ROUTES[match["kind"]])

    def _token(self, request: Request) -> Answer:
        if request.method != "POST" or request.path != TOKEN_PATH:
            # Django cannot redirect a POST to the slash URL, and the view only takes POST.
            return drf_error(f'Method "{request.method}" not allowed.', 405) if (
                request.path == TOKEN_PATH) else drf_error("Not found.", 404)
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return json_answer({"error": "unsupported_grant_type"}, 400)
        client_id, client_secret = request.basic() or (form.get("client_id"),
                                                       form.get("client_secret"))
        if client_id != CREDS["client_id"] or client_secret != CREDS["client_secret"]:
            return json_answer({"error": "invalid_client"}, 401)
        token, ttl = self.tokens.issue()
        return json_answer({"access_token": token, "expires_in": ttl, "token_type": "Bearer",
                            "scope": "read write"}, headers={"Cache-Control": "no-store",
                                                             "Pragma": "no-cache"})

    def _list(self, request: Request, stream: str) -> Answer:
        records = self.truth()[stream]
        size = int_arg(request, "page_size", self.page_size)
        size = self.page_size if size is None or size < 1 else min(size, MAX_PAGE_SIZE)
        pages = max(1, math.ceil(len(records) / size))
        raw = request.arg("page", "1")
        number = pages if raw == "last" else int_arg(request, "page", 1)
        if number is None or not 1 <= number <= pages:
            return drf_error("Invalid page.", 404)
        return json_answer({
            "count": len(records),
            "next": self._page_url(request, number + 1) if number < pages else None,
            "previous": self._page_url(request, number - 1) if number > 1 else None,
            "results": records[(number - 1) * size: number * size],
        })

    @staticmethod
    def _page_url(request: Request, number: int) -> str:
        """DRF's links: the request's absolute URL with ``page`` replaced (removed for page 1)."""
        query = [(k, v) for k, values in request.query.items() if k != "page" for v in values]
        if number > 1:
            query.append(("page", str(number)))
        url = request.base_url + request.path
        return f"{url}?{urlencode(query)}" if query else url

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        return {"assignments": self.assignments, "employees": self.employees,
                "hashtags": self.hashtags}

