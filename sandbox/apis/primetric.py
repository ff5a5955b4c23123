"""Fake Primetric API (``/primetric``): django-oauth-toolkit token endpoint and DRF list pages.

Faithful to the documented behaviour the tap relies on:

- ``POST /auth/token/`` with ``grant_type=client_credentials`` and the client credentials in the
  form body or in HTTP Basic answers ``{access_token, expires_in, token_type, scope}``; tokens
  really expire (``configure({"token_ttl": n})``) and ``revoke`` drops one early.
- ``GET /beta/<list>`` (with or without the trailing slash) for the 21 lists of :data:`ROUTES` and
  :data:`BARE_ROUTES` need ``Authorization: Bearer``; a missing, expired or revoked token gets
  DRF's 401.
- ``/beta/organization/identity_providers`` and ``/beta/rag_ratings`` answer a bare JSON array,
  whole, without pagination (query parameters are ignored), as the real API does; they stay small
  whatever the volume.
- Every other list is a DRF ``PageNumberPagination`` page: ``{"count", "next", "previous",
  "results"}`` where ``next``/``previous`` are absolute URLs built from the request (other query
  parameters kept, ``page`` replaced) or null. ``page`` starts at 1; a page out of range or not
  a number is DRF's 404 ``{"detail": "Invalid page."}``. The page size is 100 unless
  ``page_size`` asks for another (1..1000; inferred: Primetric does not document it) or
  ``configure({"page_size": n})`` changes the server default.
- 429 on excess is left to the server's fault injection.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from sandbox.apis.base import Answer, OAuthFakeAPI, Request, int_arg, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import WORDS, email, iso, moment, person, rng, sentence

CREDS = CREDENTIALS["tap-primetric"]
TOKEN_PATH = "/auth/token/"
ORGANIZATION_LISTS = ("clients", "company_groups", "departments", "positions", "rag_scopes",
                      "roles", "seniorities", "tags", "teams", "timeoff_types")
#: Paginated lists: path under ``/beta/`` -> stream.
ROUTES = {"assignments": "assignments", "employees": "employees", "hash_tags": "hashtags",
          **{f"organization/{k}": f"organization_{k}" for k in ORGANIZATION_LISTS},
          "people": "people", "projects": "projects", "projects_vacancies": "projects_vacancies",
          "skills": "skills", "timeoffs": "timeoffs", "worklogs": "worklogs"}
#: Bare arrays, not paginated: path under ``/beta/`` -> stream.
BARE_ROUTES = {"organization/identity_providers": "organization_identity_providers",
               "rag_ratings": "rag_ratings"}
LIST_PATH = re.compile(r"^/beta/(?P<kind>[a-z_]+(?:/[a-z_]+)?)/?$")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLORS = ("#4A90E2", "#7ED321", "#F5A623", "#D0021B", "#9013FE", None)
NATIONALITIES = ("PL", "DE", "FR", "ES", "VN", "JP", "NG", "BR", None)
HASHTAG_WORDS = ("python", "django", "react", "devops", "ux", "qa", "bench", "senior", "remote",
                 "onsite", "kraków", "münchen", "são-paulo", "東京", "ai", "data", "cloud",
                 "mobile")
UNAUTHENTICATED = {"detail": "Authentication credentials were not provided."}
MAX_PAGE_SIZE = 1000
#: The bare ``rag_ratings`` array covers at most this many projects (the real list is short).
MAX_RAG_RATINGS = 40
#: RAG scopes are few in a real organization (each rating lists them all).
MAX_RAG_SCOPES = 12
ORGANIZATION_TEXTS = {
    "clients": ("Acme Sp. z o.o.", "Müller & Söhne GmbH", "Société Générale des Eaux",
                "株式会社サンプル", "Nguyễn Trading", "O'Reilly Ventures"),
    "company_groups": ("Nordics", "DACH", "Benelux", "Iberia", "APAC 🌏", "Polska"),
    "departments": ("Engineering", "Design", "Sales", "Księgowość", "R&D", "Opérations"),
    "positions": ("Backend developer", "Développeur frontend", "QA engineer", "Project manager",
                  "UX designer", "Analityk biznesowy"),
    "rag_scopes": ("Budget", "Schedule", "Scope", "Quality", "Client satisfaction", "Zespół"),
    "roles": ("Developer", "Tech lead", "Tester", "Scrum master", "Architekt rozwiązań",
              "Designer"),
    "seniorities": ("Intern", "Junior", "Mid", "Senior", "Lead", "Główny specjalista"),
    "tags": ("Key account", "Internal", "Fixed price", "Time & material", "Priorität",
             "Nachhaltigkeit"),
    "teams": ("Platform", "Mobile", "Kraków squad", "München crew", "Data", "Team Ω"),
    "timeoff_types": ("Vacation", "Sick leave", "Parental leave", "Urlop na żądanie",
                      "Unpaid leave", "Training"),
}
IDENTITY_PROVIDERS = (("google", "active", "Google Workspace"),
                      ("azure", "active", "Microsoft Entra ID — główny"),
                      ("saml", "inactive", "Okta (test)"))
SKILL_TREE = {"Programming": ("Python", "TypeScript", "Go", "Rust", "C#"),
              "Cloud": ("AWS", "Azure", "GCP"),
              "Languages": ("English", "Deutsch", "Polski", "日本語"),
              "Soft skills": ("Communication", "Mentoring", "Négociation"),
              "Data": ("SQL", "dbt", "Spark")}
SKILL_GRADES = ("basics", "advanced", "expert", "zaawansowany")
CURRENCY_RATES = {"EUR": "1.0000", "PLN": "0.2312", "USD": "0.9187"}
PROJECT_KINDS = ("platform", "migration", "mobile app", "audit", "wdrożenie", "relaunch")


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
        n_organization = max(3, volume // 100)
        r = rng(seed, "primetric", "ids")
        self.hashtags = [self._hashtag(i) for i in range(n_tags)]
        self.organization = {kind: [self._organization_record(kind, i) for i in range(
            min(n_organization, MAX_RAG_SCOPES) if kind == "rag_scopes" else n_organization)]
                             for kind in ORGANIZATION_LISTS}
        self.identity_providers = [self._identity_provider(i)
                                   for i in range(len(IDENTITY_PROVIDERS))]
        self.org = {short: [o["uuid"] for o in self.organization[kind]] for short, kind in (
            ("seniority", "seniorities"), ("team", "teams"), ("department", "departments"),
            ("position", "positions"), ("role", "roles"), ("client", "clients"))}
        self.org["phase"] = [fake_uuid(r) for _ in range(5)]
        self.project_groups = [fake_uuid(r) for _ in range(3)]
        self.employees: list[dict] = []
        for i in range(n_employees):
            self.employees.append(self._employee(i))
        self.people = [self._person(i) for i in range(n_employees + max(2, volume // 200))]
        self.managers = [p["roles"]["manager_id"] for p in self.people
                         if p["roles"] and p["roles"]["manager_id"]]
        self.approvers = [p for p in self.people if p["roles"] and not p["archived"] and (
            p["roles"]["manager_id"] or p["roles"]["administrator_id"])]
        self.projects = [self._project(i) for i in range(max(2, n_assignments // 15))]
        self.assignments = [self._assignment(i) for i in range(n_assignments)]
        self.projects_vacancies = [self._vacancy(i) for i in range(max(3, volume // 25))]
        rated = [p for i, p in enumerate(self.projects) if i % 4 != 3][:MAX_RAG_RATINGS]
        self.rag_ratings = [self._rag_rating(p) for p in rated]
        self.skills = self._skill_tree(max(len(SKILL_TREE) + 1, volume // 20))
        self.timeoffs = [self._timeoff(i) for i in range(max(3, volume // 10))]
        self.worklogs = [self._worklog(i) for i in range(max(3, volume // 3))]

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
            "project_id": r.choice(self.projects)["uuid"],
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

    # -- data: organization, people, projects, skills, time off, work logs -------------------------
    def _organization_record(self, kind: str, index: int) -> dict:
        """One record of ``/organization/<kind>``: ``{uuid, text}`` plus the kind's own fields."""
        r = rng(self.seed, "organization", kind, index)
        texts = ORGANIZATION_TEXTS[kind]
        text = texts[index % len(texts)]
        record: dict[str, Any] = {"uuid": fake_uuid(r), "text": text if index < len(texts)
                                  else f"{text} {index // len(texts) + 1}"}
        if kind == "rag_scopes":
            record.update(order=index, rag_type=r.choice([1, 2]),
                          default_choice=r.choice([1, 2]), allow_undefined=r.random() < 0.5,
                          is_financial=index % len(texts) == 0)
        elif kind == "roles":
            record["default_hour_rate"] = f"{r.uniform(40, 180):.2f}"  # a decimal, as a string
        elif kind == "seniorities":
            record["level"] = index
        return record

    def _identity_provider(self, index: int) -> dict:
        connector, status, name = IDENTITY_PROVIDERS[index]
        return {"uuid": fake_uuid(rng(self.seed, "identity_provider", index)),
                "connector": connector, "status": status, "name": name}

    def _person(self, index: int) -> dict:
        """A user: one per employee (same name and mail), then administrators without one."""
        r = rng(self.seed, "person", index)
        employee = self.employees[index] if index < len(self.employees) else None
        if employee is not None:
            name, mail = employee["name"], employee["email"]
        else:
            first, last = person(r)
            name, mail = f"{first} {last}", email(first, last, 9000 + index, "example.com")
        archived = r.random() < 0.08
        manager = (employee is not None and index < 5) or r.random() < 0.05
        admin = employee is None or r.random() < 0.03
        roles = {"manager_id": fake_uuid(r) if manager else None,
                 "employee_id": employee["uuid"] if employee else None,
                 "administrator_id": fake_uuid(r) if admin else None}
        return {"uuid": fake_uuid(r), "name": name, "mail": mail, "archived": archived,
                "roles": None if archived and r.random() < 0.5 else roles}

    def _project(self, index: int) -> dict:
        r = rng(self.seed, "project", index)
        managers = self.managers
        start = moment(r, 300).date()
        end = None if r.random() < 0.3 else start + timedelta(days=r.randint(30, 400))
        currency = r.choice([*CURRENCY_RATES, None])
        return {
            "uuid": fake_uuid(r),
            "title": None if r.random() < 0.02 else
            f"{r.choice(WORDS).capitalize()} {r.choice(PROJECT_KINDS)}",
            "hash_tag_ids": self._tags(r, 3) if r.random() < 0.9 else None,
            "start_date": start.isoformat(), "end_date": end.isoformat() if end else None,
            "last_date": end.isoformat() if end and r.random() < 0.5 else None,
            "tentative": r.random() < 0.2, "likelihood": r.choice([None, 25, 50, 75, 100]),
            "billing_model": r.choice([None, 1, 2, 3]),
            "hour_rate_source": r.choice([None, 1, 2]),
            "customer_id": r.choice([*self.org["client"], None]), "currency": currency,
            "currency_rate": CURRENCY_RATES.get(currency or ""),
            "project_group_id": r.choice([*self.project_groups, None]),
            "status": r.choice([0, 1, 1, 2, 3]), "color": r.choice(COLORS),
            "description": r.choice([None, "", sentence(r, 10), "Migracja systemu — etap 2 🚧"]),
            "assigned_manager_ids": r.sample(managers, min(len(managers), r.randint(0, 2))),
            "assigned_manager_readonly_ids": r.sample(managers, min(len(managers),
                                                                    r.randint(0, 1))),
            "is_public": r.random() < 0.6,
            "integrations": r.choice([[], ["jira"], ["jira", "harvest"], None]),
            "custom_attributes": self._custom_attributes(r) if r.random() < 0.5 else [],
        }

    def _vacancy(self, index: int) -> dict:
        r = rng(self.seed, "vacancy", index)
        project = r.choice(self.projects)
        start = date.fromisoformat(project["start_date"]) + timedelta(days=r.randrange(90))
        return {
            "uuid": fake_uuid(r), "project_id": project["uuid"],
            "start_date": start.isoformat() if r.random() < 0.9 else None,
            "end_date": (start + timedelta(days=r.randint(14, 180))).isoformat()
            if r.random() < 0.7 else None,
            "seniority_id": r.choice([*self.org["seniority"], None]),
            "position_id": r.choice([*self.org["position"], None]),
            "note": r.choice([None, "", sentence(r, 6), "Wymagany język niemiecki 🇩🇪"]),
            "custom_attributes": self._custom_attributes(r) if r.random() < 0.3 else [],
        }

    def _rag_rating(self, project: dict) -> dict:
        """A project's RAG ratings: one per RAG scope, each possibly unrated (null)."""
        r = rng(self.seed, "rag_rating", project["uuid"])
        return {
            "project_url": f"https://app.primetric.com/projects/{project['uuid']}",
            "project_id": project["uuid"],
            "rag_ratings": [{"rag_scope_uuid": scope["uuid"],
                             "text": r.choice([None, "", sentence(r, 4), "Ryzyko opóźnienia ⚠️"]),
                             "value": r.choice([None, 1, 2, 3])}
                            for scope in self.organization["rag_scopes"]],
        }

    def _skill_tree(self, count: int) -> list[dict]:
        """``count`` skills: abstract categories first, then skills under them, some with
        grades one level deeper; leaves omit ``has_children`` now and then, as live answers may."""
        skills: list[dict] = []
        roots = list(SKILL_TREE)
        paths: Counter[str] = Counter()
        middles: list[dict] = []  # the skills of level 1, which may have grades under them
        for index in range(count):
            r = rng(self.seed, "skill", index)
            if index < len(roots):
                parents, name = [], roots[index]
            elif len(middles) >= 2 * len(roots) and r.random() < 0.3:
                parent = r.choice(middles)
                root = next(s for s in skills[:len(roots)] if s["uuid"] == parent["ancestors"][0])
                parents = [root, parent]
                name = f"{parent['name']} – {r.choice(SKILL_GRADES)}"
            else:
                k = index - len(roots)
                root = skills[k % len(roots)]
                children = SKILL_TREE[root["name"]]
                parents, name = [root], children[(k // len(roots)) % len(children)]
            path = "/".join([*(p["name"] for p in parents), name])
            paths[path] += 1
            if paths[path] > 1:
                name, path = f"{name} {paths[path]}", f"{path} {paths[path]}"
            skills.append({
                "name": name, "uuid": fake_uuid(r), "level": len(parents),
                "desc": r.choice(["", sentence(r, 6), f"Znajomość: {name}"]),
                "abstract": not parents, "path": path,
                "ancestors": [p["uuid"] for p in parents]})
            if len(parents) == 1:
                middles.append(skills[-1])
        parents_of_some = {s["ancestors"][-1] for s in skills if s["ancestors"]}
        for skill in skills:
            has_children = skill["uuid"] in parents_of_some
            if has_children or rng(self.seed, "skill-leaf", skill["uuid"]).random() < 0.7:
                skill["has_children"] = has_children
        return skills

    def _timeoff(self, index: int) -> dict:
        r = rng(self.seed, "timeoff", index)
        approvers = self.approvers
        start = moment(r).date()
        approved = r.random() < 0.7 and bool(approvers)
        approver = r.choice(approvers) if approved else None
        asked = datetime.combine(start, time(9), timezone.utc) - timedelta(
            hours=r.randint(24, 24 * 30))
        return {
            "uuid": fake_uuid(r), "employee_id": r.choice(self.employees)["uuid"],
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=r.randint(0, 14))).isoformat(),
            "approved": approved,
            "approved_by": {"uuid": approver["uuid"], "name": approver["name"]}
            if approver else None,
            "approved_at": iso(asked + timedelta(minutes=r.randrange(2880))) if approved else None,
            "custom_attributes": self._custom_attributes(r) if r.random() < 0.2 else [],
        }

    def _worklog(self, index: int) -> dict:
        r = rng(self.seed, "worklog", index)
        assignment = r.choice(self.assignments) if r.random() < 0.93 else None
        if assignment is not None:
            day = date.fromisoformat(assignment["start_local_date"]) + timedelta(
                days=r.randrange(len(assignment["daily_data"]["scheduled"])))
            project_id = assignment["project_id"]
            developer = assignment["employee_id"] or r.choice(self.employees)["uuid"]
        else:
            day = moment(r).date()
            project_id = r.choice([r.choice(self.projects)["uuid"], None])
            developer = r.choice(self.employees)["uuid"]
        starts = datetime.combine(day, time(7 + r.randrange(10), r.choice([0, 15, 30, 45])),
                                  timezone.utc)
        in_progress = r.random() < 0.03
        return {
            "uuid": fake_uuid(r), "assignment_id": assignment["uuid"] if assignment else None,
            "project_id": project_id, "starts_at": iso(starts, False),
            "created_at": iso(starts + timedelta(seconds=r.randrange(2 * 86400))),
            "work": None if in_progress else r.choice([15, 30, 60, 90, 120, 240, 480]),
            "desc": r.choice([None, "", sentence(r, 5), "Code review — PR #42 ✅"]),
            "in_progress": in_progress, "billable": r.random() < 0.8, "developer_id": developer,
            "custom_attributes": self._custom_attributes(r) if r.random() < 0.3 else [],
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
        kind = match["kind"] if match else ""
        if kind not in ROUTES and kind not in BARE_ROUTES:
            return drf_error("Not found.", 404)
        if request.method != "GET":
            return drf_error(f'Method "{request.method}" not allowed.', 405)
        if not self.tokens.valid(request.bearer()):
            return json_answer(UNAUTHENTICATED, 401, {"WWW-Authenticate": 'Bearer realm="api"'})
        if kind in BARE_ROUTES:  # the whole list, no envelope, no pages
            return json_answer(self.truth()[BARE_ROUTES[kind]])
        return self._list(request, ROUTES[kind])

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
                "hashtags": self.hashtags,
                **{f"organization_{kind}": self.organization[kind] for kind in ORGANIZATION_LISTS},
                "organization_identity_providers": self.identity_providers,
                "people": self.people, "projects": self.projects,
                "projects_vacancies": self.projects_vacancies, "rag_ratings": self.rag_ratings,
                "skills": self.skills, "timeoffs": self.timeoffs, "worklogs": self.worklogs}

