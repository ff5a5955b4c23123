"""Fake Basecamp 3/4 API (``/basecamp``) with Basecamp's Launchpad token endpoint.

Faithful to the documented behaviour the tap relies on: the refresh-token grant at
``/launchpad/authorization/token`` (standard ``grant_type=refresh_token`` and the legacy
``type=refresh``, in the form body or the query string), two-week Bearer tokens, a 400 without a
``User-Agent`` naming a contact (an email address or a URL), bare JSON arrays, geared pages (15,
30, 50, then 100) linked by ``Link: <absolute URL>; rel="next"`` with ``X-Total-Count``, every
``url`` in a body on the API's own host (the one the request came to), projects newest first
(active unless ``status=archived|trashed``), project docks with tools of every kind (some
disabled, some projects with a second schedule), the Schedule resources the docks point at,
schedule entries, ``/people.json``, Campfires (``/chats.json``) and their lines, and
``/projects/recordings.json`` that needs a valid ``type`` (else 400) and takes ``bucket``,
``status``, ``sort`` and ``direction``, over to-dos (completed ones with their ``completion``),
messages, comments, documents, uploads, to-do lists, vaults, check-in answers and card-table
cards with their steps. A 404 carries ``Reason: Account Inactive`` when the account is configured
inactive, and an optional rate limit answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sandbox.apis.base import Answer, OAuthFakeAPI, Request, json_answer
from sandbox.credentials import CREDENTIALS
from sandbox.data import EPOCH, WORDS, email, iso, moment, now, person, rng, sentence

CREDS = CREDENTIALS["tap-basecamp"]
ACCOUNT = str(CREDS["account_id"])
TOKEN_PATH = "/launchpad/authorization/token"
TWO_WEEKS = 14 * 24 * 3600
#: Geared pagination: page 1 has 15 records, page 2 30, page 3 50, every later page 100.
GEARS = (15, 30, 50)
LATER_PAGES = 100
RECORDING_TYPES = ("Comment", "Document", "Kanban::Card", "Kanban::Step", "Message",
                   "Question::Answer", "Schedule::Entry", "Todo", "Todolist", "Upload", "Vault")
DOCK = [("message_board", "Message Board", "message_boards"), ("todoset", "To-dos", "todosets"),
        ("vault", "Docs & Files", "vaults"), ("chat", "Chat", "chats"),
        ("schedule", "Schedule", "schedules"), ("questionnaire", "Automatic Check-ins",
                                                "questionnaires"),
        ("inbox", "Email Forwards", "inboxes"), ("kanban_board", "Card Table", "card_tables")]
COMPANIES = [{"id": 1033447817, "name": "Honcho Design"}, {"id": 1033447818, "name": "Leto Brand"},
             {"id": 1033447819, "name": "Ñandú & Søn GmbH"}]
CATEGORIES = [{"id": 823758531, "name": "Announcement", "icon": "📢"},
              {"id": 823758532, "name": "FYI", "icon": "✨"},
              {"id": 823758533, "name": "Pitch", "icon": "💡"}]
#: What Basecamp wants in a User-Agent besides the app's name: an email address or a URL.
CONTACT = re.compile(r"@|https?://", re.IGNORECASE)
#: The API host every ``url`` of the data is written with; answers put the request's host there.
API_HOST = "https://3.basecampapi.com"
#: Recording streams of the tap and the ``type`` each one asks for.
RECORDING_STREAMS = {"todos": "Todo", "messages": "Message", "comments": "Comment",
                     "documents": "Document", "uploads": "Upload", "todolists": "Todolist",
                     "vaults": "Vault", "question_answers": "Question::Answer",
                     "card_table_cards": "Kanban::Card"}
#: Ids of the records added for the coverage streams: far from the first counter's range, so
#: adding them left every earlier record as it was.
COVERAGE_IDS = 1169479000
UPLOADS = [("company-logo.png", "image/png", (164, 39)), ("Präsentation Q3.pdf",
                                                          "application/pdf", None),
           ("données 2024.csv", "text/csv", None), ("スクリーンショット.jpg", "image/jpeg",
                                                    (1280, 800))]
ROUTES = [
    (re.compile(r"^/projects\.json$"), "projects"),
    (re.compile(r"^/projects/(?P<project>\d+)\.json$"), "project"),
    (re.compile(r"^/buckets/(?P<project>\d+)/schedules/(?P<schedule>\d+)\.json$"), "schedule"),
    (re.compile(r"^/schedules/(?P<schedule>\d+)\.json$"), "schedule"),
    (re.compile(r"^/people\.json$"), "people"),
    (re.compile(r"^/chats\.json$"), "chats"),
    (re.compile(r"^/buckets/(?P<project>\d+)/chats/(?P<chat>\d+)/lines\.json$"), "lines"),
    (re.compile(r"^/chats/(?P<chat>\d+)/lines\.json$"), "lines"),
    (re.compile(r"^/buckets/(?P<project>\d+)/schedules/(?P<schedule>\d+)/entries\.json$"),
     "entries"),
    (re.compile(r"^/schedules/(?P<schedule>\d+)/entries\.json$"), "entries"),
    (re.compile(r"^/projects/recordings\.json$"), "recordings"),
]


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return json_answer({"status": status, "error": message}, status, headers)


def gear_slice(page: int) -> tuple[int, int]:
    """Offsets of geared page ``page`` (1-based)."""
    if page <= len(GEARS):
        start = sum(GEARS[: page - 1])
        return start, start + GEARS[page - 1]
    start = sum(GEARS) + (page - len(GEARS) - 1) * LATER_PAGES
    return start, start + LATER_PAGES


class BasecampAPI(OAuthFakeAPI):
    prefix = "basecamp"
    token_ttl = TWO_WEEKS
    token_path = TOKEN_PATH

    def __init__(self, seed: int, volume: int) -> None:
        super().__init__(seed, volume)
        self.api_root = f"{API_HOST}/{ACCOUNT}"
        self.app_root = f"https://3.basecamp.com/{ACCOUNT}"
        self.next_id = 1069479000
        self.next_coverage_id = COVERAGE_IDS
        self.people = [self._person(n) for n in range(max(6, min(40, volume // 60)))]
        #: Everyone ``/people.json`` lists: the people above (who create and are assigned
        #: things) and more who never did anything yet.
        self.everyone = self.people + [self._person(n) for n in range(
            len(self.people), len(self.people) + max(4, volume // 25))]
        self.projects: list[dict] = []
        self.entries: dict[int, list[dict]] = {}  # schedule id -> entries
        self.schedules: dict[int, dict] = {}  # schedule id -> the Schedule resource
        self.schedule_project: dict[int, int] = {}  # schedule id -> project id
        self.recordings: list[dict] = []  # every recording type but schedule entries
        self.campfires: list[dict] = []
        self.lines: dict[int, list[dict]] = {}  # campfire id -> its lines, newest first
        for index in range(max(3, round(volume / 22))):
            self._make_project(index)
        self.projects.sort(key=lambda p: p["created_at"], reverse=True)
        self.inactive = False
        self.rate_limit: tuple[int, float] | None = None
        self._window: tuple[float, int] = (0.0, 0)

    # -- data ----------------------------------------------------------------------------------
    def _id(self) -> int:
        self.next_id += 1 + self.next_id % 3
        return self.next_id

    def _person(self, n: int) -> dict:
        r = rng(self.seed, "person", n)
        first, last = person(r)
        created = moment(r)
        company = None if n % 7 == 3 else COMPANIES[n % len(COMPANIES)]
        record = {
            "id": 1049715900 + n, "attachable_sgid": f"BAh7BkkiC19yYWlscwY6BkVU{n:04d}--sgid",
            "name": f"{first} {last}", "email_address": email(first, last, n, "honchodesign.com"),
            "personable_type": "Client" if company and company["id"] == 1033447818 else "User",
            "title": r.choice(["Chief Strategist", "Designer", "Développeuse", None]),
            "bio": r.choice([None, "Don’t let your dreams be dreams", "Ich mag Kaffee ☕"]),
            "location": r.choice([None, "Chicago, IL", "São Paulo", "東京"]),
            "created_at": iso(created),
            "updated_at": iso(created + timedelta(days=r.randrange(30))),
            "admin": n == 0, "owner": n == 0, "client": bool(company and company["id"] ==
                                                            1033447818),
            "employee": n % 5 != 4, "time_zone": r.choice(["America/Chicago", "Europe/Berlin",
                                                           "Asia/Tokyo"]),
            "avatar_url": f"{self.api_root}/people/BAhpB{n:04d}=--avatar/avatar?v=1",
            "can_ping": True, "can_manage_projects": n % 3 == 0, "can_manage_people": n == 0,
            "can_access_timesheet": n % 2 == 0, "can_access_hill_charts": True,
        }
        if company:
            record["company"] = dict(company)
        return record

    def _make_project(self, index: int) -> None:
        r = rng(self.seed, "project", index)
        pid = 2085958500 + index * 11
        created = moment(r, days=300)
        status = "trashed" if index % 13 == 7 else "archived" if index % 8 == 5 else "active"
        client = r.random() < 0.3
        project = {
            "id": pid, "status": status, "created_at": iso(created),
            "updated_at": iso(created + timedelta(days=r.randrange(90),
                                                  seconds=r.randrange(86400))),
            "name": f"{sentence(r, 2)[:-1]} #{index}",
            "description": r.choice([None, "", sentence(r, 8),
                                     "Lancement du produit — phase 2 🚀"]),
            "purpose": "company_hq" if index == 0 else r.choice(["topic", "team"]),
            "clients_enabled": client, "timesheet_enabled": r.random() < 0.4,
            "color": r.choice([None, "#ff6d4d", "#2d9cdb"]),
            "last_needle_color": r.choice([None, "green", "red"]),
            "last_needle_position": r.choice([None, 34, 78]), "previous_needle_position": None,
            "bookmark_url": f"{self.api_root}/my/bookmarks/BAh7{pid}--bm.json",
            "url": f"{self.api_root}/projects/{pid}.json",
            "app_url": f"{self.app_root}/projects/{pid}",
            "dock": [], "bookmarked": r.random() < 0.2,
        }
        if client:
            project["client_company"] = {"id": 1033447818, "name": "Leto Brand"}
            project["clientside"] = {"url": f"{self.api_root}/buckets/{pid}/client/board.json",
                                     "app_url": f"{self.app_root}/buckets/{pid}/client/board"}
        tools = {}
        for position, (name, title, segment) in enumerate(DOCK, start=1):
            enabled = name in ("message_board", "todoset") or r.random() < 0.7
            tool_id = self._id()
            tools[name] = tool_id
            project["dock"].append({
                "id": tool_id, "title": title, "name": name, "enabled": enabled,
                "position": position if enabled else None,
                "url": f"{self.api_root}/buckets/{pid}/{segment}/{tool_id}.json",
                "app_url": f"{self.app_root}/buckets/{pid}/{segment}/{tool_id}"})
        if index % 6 == 2:  # Basecamp 4 lets a project clone a tool: a second schedule
            tool_id = self._id()
            project["dock"].append({
                "id": tool_id, "title": "Launch calendar", "name": "schedule",
                "enabled": index % 12 != 8, "position": len(DOCK) + 1,
                "url": f"{self.api_root}/buckets/{pid}/schedules/{tool_id}.json",
                "app_url": f"{self.app_root}/buckets/{pid}/schedules/{tool_id}"})
        self.projects.append(project)
        bucket = {"id": pid, "name": project["name"], "type": "Project"}
        for tool in project["dock"]:
            if tool["name"] == "schedule":
                parent = self._parent(tool, "Schedule")
                self.schedule_project[tool["id"]] = pid
                self.entries[tool["id"]] = [self._entry(r, bucket, parent)
                                            for _ in range(r.randint(0, 12))]
        board = next(t for t in project["dock"] if t["name"] == "message_board")
        todolists = [{"id": self._id(), "title": sentence(r, 2)[:-1], "name": "todolist"}
                     for _ in range(r.randint(1, 3))]
        for lst in todolists:
            lst["url"] = f"{self.api_root}/buckets/{pid}/todolists/{lst['id']}.json"
            lst["app_url"] = f"{self.app_root}/buckets/{pid}/todolists/{lst['id']}"
        todos = []
        for n in range(r.randint(8, 24)):
            todo = self._todo(r, bucket, self._parent(r.choice(todolists), "Todolist"), n)
            if n % 9 == 4:  # edited in the same millisecond as the previous one: a tie
                todo["created_at"] = todo["updated_at"] = self.recordings[-1]["updated_at"]
            self._complete(todo)
            self.recordings.append(todo)
            todos.append(todo)
        messages = [self._message(r, bucket, self._parent(board, "Message::Board"))
                    for _ in range(r.randint(2, 10))]
        self.recordings += messages
        self._add_coverage(project, bucket, todolists, todos + messages)

    @staticmethod
    def _parent(tool: dict, kind: str) -> dict:
        return {"id": tool["id"], "title": tool["title"], "type": kind, "url": tool["url"],
                "app_url": tool["app_url"]}

    def _recording(self, r: Any, kind: str, segment: str, bucket: dict, parent: dict,
                   title: str, rid: int | None = None) -> dict:
        rid = self._id() if rid is None else rid
        created = moment(r)
        updated = created + timedelta(hours=r.randrange(2000), milliseconds=r.randrange(1000))
        pid = bucket["id"]
        return {
            "id": rid,
            "status": "trashed" if r.random() < 0.04 else "archived" if r.random() < 0.05
            else "active",
            "visible_to_clients": r.random() < 0.2, "created_at": iso(created),
            "updated_at": iso(updated), "title": title, "inherits_status": True, "type": kind,
            "url": f"{self.api_root}/buckets/{pid}/{segment}/{rid}.json",
            "app_url": f"{self.app_root}/buckets/{pid}/{segment}/{rid}",
            "bookmark_url": f"{self.api_root}/my/bookmarks/BAh7{rid}--bm.json",
            "subscription_url": f"{self.api_root}/recordings/{rid}/subscription.json",
            "comments_count": r.choice([0, 0, 1, 3, 12]),
            "comments_url": f"{self.api_root}/recordings/{rid}/comments.json",
            "boosts_count": r.choice([0, 0, 2]),
            "boosts_url": f"{self.api_root}/buckets/{pid}/recordings/{rid}/boosts.json",
            "parent": dict(parent), "bucket": dict(bucket),
            "creator": dict(r.choice(self.people)),
        }

    def _entry(self, r: Any, bucket: dict, parent: dict) -> dict:
        summary = r.choice(["Team Meeting", "Kickoff", "Réunion d'équipe", "Launch 🚀",
                            sentence(r, 3)[:-1]])
        entry = self._recording(r, "Schedule::Entry", "schedule_entries", bucket, parent, summary)
        starts = moment(r, days=500)
        all_day = r.random() < 0.25
        if all_day:
            starts = starts.replace(hour=0, minute=0, second=0, microsecond=0)
        entry.update({
            "description": r.choice(["", "<div>Time to synergize!</div>", None]),
            "summary": summary, "all_day": all_day, "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(days=1) if all_day else
                           starts + timedelta(minutes=30 * r.randint(1, 8))),
            "participants": [dict(p) for p in r.sample(self.people, r.randint(0, 3))],
        })
        if r.random() < 0.1:
            entry["recurrence_schedule"] = {"frequency": "every_week", "days": [1], "hour": 10,
                                            "minute": 30, "week_instance": None,
                                            "start_date": starts.date().isoformat(),
                                            "end_date": None}
        return entry

    def _todo(self, r: Any, bucket: dict, parent: dict, n: int) -> dict:
        content = r.choice(["Design it", "Program it", "Relire le contrat", "テストを書く",
                            sentence(r, 4)[:-1]])
        todo = self._recording(r, "Todo", "todos", bucket, parent, content)
        start = EPOCH.date() + timedelta(days=r.randrange(400))
        completed = r.random() < 0.35
        todo.update({
            "position": n + 1,
            "description": r.choice(["", "<div><em>Try that new language!</em></div>", None]),
            "completed": completed, "content": content,
            "starts_on": start.isoformat() if r.random() < 0.2 else None,
            "due_on": (start + timedelta(days=r.randint(1, 30))).isoformat()
            if r.random() < 0.5 else None,
            "assignees": [dict(p) for p in r.sample(self.people, r.randint(0, 2))],
            "completion_subscribers": [dict(p) for p in r.sample(self.people, r.randint(0, 1))],
            "completion_url": f"{self.api_root}/buckets/{bucket['id']}/todos/{todo['id']}/"
                              "completion.json",
        })
        return todo

    def _message(self, r: Any, bucket: dict, parent: dict) -> dict:
        subject = r.choice(["We won Leto!", "Kickoff", "Nouvelles de l'équipe",
                            f"{r.choice(WORDS).capitalize()} update"])
        message = self._recording(r, "Message", "messages", bucket, parent, subject)
        message.update({"content": f"<div>{sentence(r, 14)}</div><br><div>— {subject}</div>",
                        "subject": subject})
        if r.random() < 0.4:
            message["category"] = {**r.choice(CATEGORIES), "created_at": iso(EPOCH),
                                   "updated_at": iso(EPOCH)}
        return message

    # -- coverage beyond the seeds -------------------------------------------------------------
    # Every record below comes from its own random generator and id counter, so the records
    # above are exactly what they were before these were added.
    def _coverage_id(self) -> int:
        self.next_coverage_id += 1 + self.next_coverage_id % 3
        return self.next_coverage_id

    def _complete(self, todo: dict) -> None:
        """A completed to-do carries ``completion``: when it was completed and by whom."""
        if not todo["completed"]:
            return
        r = rng(self.seed, "completion", todo["id"])
        created = datetime.fromisoformat(todo["created_at"])
        updated = datetime.fromisoformat(todo["updated_at"])
        todo["completion"] = {"created_at": iso(created + (updated - created) * r.random()),
                              "creator": dict(r.choice(self.people))}

    @staticmethod
    def _strip(record: dict, *keys: str) -> dict:
        """``record`` without ``keys`` (fields a resource type does not have)."""
        for key in keys:
            record.pop(key, None)
        return record

    def _add_coverage(self, project: dict, bucket: dict, todolists: list[dict],
                      commentable: list[dict]) -> None:
        """The project's schedules, to-do lists, vaults, documents, uploads, check-in answers,
        cards, Campfire and comments."""
        r = rng(self.seed, "coverage", project["id"])
        for tool in project["dock"]:
            if tool["name"] == "schedule":
                self.schedules[tool["id"]] = self._new_schedule(r, project, tool, bucket)
        todoset = next(t for t in project["dock"] if t["name"] == "todoset")
        todos = [x for x in commentable if x["type"] == "Todo"]
        for position, stub in enumerate(todolists, start=1):
            self.recordings.append(self._new_todolist(
                r, stub, bucket, self._parent(todoset, "Todoset"), position,
                [t for t in todos if t["parent"]["id"] == stub["id"]]))
        enabled = {t["name"]: t for t in project["dock"] if t["enabled"]}
        commentable = list(commentable)
        if "vault" in enabled:
            commentable += self._new_vault_tree(r, enabled["vault"], bucket)
        if "questionnaire" in enabled:
            commentable += self._new_answers(r, enabled["questionnaire"], bucket)
        if "kanban_board" in enabled:
            commentable += self._new_cards(r, enabled["kanban_board"], bucket)
        if "chat" in enabled:
            self._new_campfire(r, enabled["chat"], bucket)
        for _ in range(r.randint(2, 14)):
            self.recordings.append(self._new_comment(r, r.choice(commentable), bucket))

    def _new_schedule(self, r: Any, project: dict, tool: dict, bucket: dict) -> dict:
        created = datetime.fromisoformat(project["created_at"]) + timedelta(
            seconds=r.randrange(3600))
        return {
            "id": tool["id"], "status": "active", "visible_to_clients": r.random() < 0.2,
            "created_at": iso(created),
            "updated_at": iso(created + timedelta(days=r.randrange(60),
                                                  milliseconds=r.randrange(1000))),
            "title": tool["title"], "inherits_status": True, "type": "Schedule",
            "url": tool["url"], "app_url": tool["app_url"],
            "bookmark_url": f"{self.api_root}/my/bookmarks/BAh7{tool['id']}--bm.json",
            "position": tool["position"], "bucket": dict(bucket),
            "creator": dict(r.choice(self.people)),
            "include_due_assignments": r.random() < 0.7,
            "entries_count": sum(e["status"] == "active" for e in self.entries[tool["id"]]),
            "entries_url": f"{self.api_root}/schedules/{tool['id']}/entries.json",
        }

    def _new_todolist(self, r: Any, stub: dict, bucket: dict, parent: dict, position: int,
                      todos: list[dict]) -> dict:
        todolist = self._recording(r, "Todolist", "todolists", bucket, parent, stub["title"],
                                   rid=stub["id"])
        done = sum(t["completed"] for t in todos)
        base = f"buckets/{bucket['id']}/todolists/{stub['id']}"
        todolist.update({
            "position": position,
            "description": r.choice(["", None, "<div>Everything for the launch ✈️</div>"]),
            "completed": bool(todos) and done == len(todos),
            "completed_ratio": f"{done}/{len(todos)}", "name": stub["title"],
            "color": r.choice([None, None, "blue", "green", "pink"]),
            "groups_url": f"{self.api_root}/{base}/groups.json",
            "todos_url": f"{self.api_root}/{base}/todos.json",
            "app_todos_url": f"{self.app_root}/{base}/todos",
            "comments_app_url": f"{self.app_root}/{base}#comments",
        })
        return todolist

    def _new_vault_tree(self, r: Any, tool: dict, bucket: dict) -> list[dict]:
        """The project's top vault (the dock's ``vault`` tool), folders in it, documents and
        uploads; returns the documents and uploads (they take comments)."""
        top = self._new_vault(r, tool["title"], bucket, None, tool["id"], 1)
        folders = [self._new_vault(r, r.choice(["Contracts", "Maquettes", "資料", "Archive"]),
                                   bucket, top, self._coverage_id(), n)
                   for n in range(1, r.randint(0, 2) + 1)]
        vaults = [top, *folders]
        files = [self._new_document(r, r.choice(vaults), bucket, n)
                 for n in range(1, r.randint(0, 4) + 1)]
        files += [self._new_upload(r, r.choice(vaults), bucket, n)
                  for n in range(1, r.randint(0, 4) + 1)]
        for vault in vaults:
            inside = [x for x in [*folders, *files] if x.get("parent", {}).get("id") == vault["id"]]
            for kind, name in (("Document", "documents"), ("Upload", "uploads"),
                               ("Vault", "vaults")):
                vault[f"{name}_count"] = sum(x["type"] == kind for x in inside)
        self.recordings += [*vaults, *files]
        return files

    def _new_vault(self, r: Any, title: str, bucket: dict, parent: dict | None, rid: int,
                   position: int) -> dict:
        vault = self._recording(r, "Vault", "vaults", bucket,
                                self._parent(parent, "Vault") if parent else {}, title, rid=rid)
        self._strip(vault, "subscription_url", "comments_count", "comments_url",
                    "boosts_count", "boosts_url")
        if parent is None:  # the top vault has no parent: the field is absent
            del vault["parent"]
            vault["status"] = "active"
        base = f"{self.api_root}/buckets/{bucket['id']}/vaults/{rid}"
        vault.update({"position": position, "documents_url": f"{base}/documents.json",
                      "uploads_url": f"{base}/uploads.json", "vaults_url": f"{base}/vaults.json"})
        return vault

    def _new_document(self, r: Any, vault: dict, bucket: dict, position: int) -> dict:
        title = r.choice(["Project brief", "Compte rendu de réunion", "議事録", "Style guide 🎨",
                          sentence(r, 3)[:-1]])
        document = self._recording(r, "Document", "documents", bucket,
                                   self._parent(vault, "Vault"), title, rid=self._coverage_id())
        document.update({"position": position,
                         "content": r.choice(["", f"<div>{sentence(r, 12)}</div>",
                                              "<div><strong>Ziel:</strong> schöner Start</div>"])})
        return document

    def _new_upload(self, r: Any, vault: dict, bucket: dict, position: int) -> dict:
        filename, content_type, size = r.choice(UPLOADS)
        upload = self._recording(r, "Upload", "uploads", bucket, self._parent(vault, "Vault"),
                                 filename, rid=self._coverage_id())
        download = (f"{self.api_root}/buckets/{bucket['id']}/uploads/{upload['id']}/download/"
                    f"{quote(filename)}")
        upload.update({"position": position,
                       "description": r.choice([None, "", "<div>Check out the new logo</div>"]),
                       "content_type": content_type, "byte_size": r.randint(900, 5_000_000),
                       "filename": filename, "download_url": download,
                       "app_download_url": download})
        if size:  # images only
            upload["width"], upload["height"] = size
        return upload

    def _new_answers(self, r: Any, tool: dict, bucket: dict) -> list[dict]:
        questions = []
        for title in r.sample(["What did you work on today?", "Qu'avez-vous appris ?",
                               "今週のハイライトは？"], r.randint(1, 3)):
            qid = self._coverage_id()
            path = f"buckets/{bucket['id']}/questions/{qid}"
            questions.append({"id": qid, "title": title, "url": f"{self.api_root}/{path}.json",
                              "app_url": f"{self.app_root}/{path}"})
        answers = []
        for _ in range(r.randint(0, 6)):
            question = r.choice(questions)
            answer = self._recording(r, "Question::Answer", "question_answers", bucket,
                                     self._parent(question, "Question"),
                                     f"Answer to “{question['title']}”", rid=self._coverage_id())
            answer.update({"content": f"<div>{sentence(r, 8)}</div>",
                           "group_on": answer["created_at"][:10]})
            answers.append(answer)
        self.recordings += answers
        return answers

    def _new_cards(self, r: Any, tool: dict, bucket: dict) -> list[dict]:
        columns = []
        for title, kind in (("Triage", "Kanban::Triage"), ("In progress", "Kanban::Column"),
                            ("Terminé ✅", "Kanban::DoneColumn")):
            cid = self._coverage_id()
            path = f"buckets/{bucket['id']}/card_tables/columns/{cid}"
            columns.append(({"id": cid, "title": title, "url": f"{self.api_root}/{path}.json",
                             "app_url": f"{self.app_root}/{path}"}, kind))
        cards = []
        for position in range(1, r.randint(0, 8) + 1):
            column, kind = r.choice(columns)
            content = r.choice(["New and fancy UI", "Fix the login bug 🐛", "Traduire l'aide",
                                sentence(r, 3)[:-1]])
            card = self._recording(r, "Kanban::Card", "card_tables/cards", bucket,
                                   self._parent(column, kind), content, rid=self._coverage_id())
            card.update({
                "position": position, "description": r.choice(["", None, f"<div>{content}</div>"]),
                "completed": kind == "Kanban::DoneColumn", "content": content,
                "due_on": r.choice([None, (EPOCH.date() + timedelta(days=r.randrange(400)))
                                    .isoformat()]),
                "assignees": [dict(p) for p in r.sample(self.people, r.randint(0, 2))],
                "completion_subscribers": [dict(p) for p in r.sample(self.people,
                                                                     r.randint(0, 1))],
                "completion_url": f"{self.api_root}/buckets/{bucket['id']}/todos/{card['id']}/"
                                  "completion.json",
                "comment_count": card["comments_count"],
            })
            card["steps"] = [self._new_step(r, card, bucket, n)
                             for n in range(1, r.choice([0, 0, 1, 3]) + 1)]
            self.recordings += [card, *card["steps"]]
            cards.append(card)
        return cards

    def _new_step(self, r: Any, card: dict, bucket: dict, position: int) -> dict:
        step = self._recording(r, "Kanban::Step", "card_tables/steps", bucket,
                               self._parent(card, "Kanban::Card"),
                               r.choice(["Draft", "Review", "Relecture", "出荷"]),
                               rid=self._coverage_id())
        self._strip(step, "subscription_url", "comments_count", "comments_url", "boosts_count",
                    "boosts_url")
        step.update({"position": position, "completed": r.random() < 0.4,
                     "due_on": r.choice([None, card["due_on"]]),
                     "assignees": [dict(p) for p in r.sample(self.people, r.randint(0, 1))],
                     "completion_url": f"{self.api_root}/buckets/{bucket['id']}/todos/"
                                       f"{step['id']}/completion.json"})
        return step

    def _new_comment(self, r: Any, on: dict, bucket: dict) -> dict:
        comment = self._recording(r, "Comment", "comments", bucket, self._parent(on, on["type"]),
                                  f"Re: {on['title']}", rid=self._coverage_id())
        self._strip(comment, "subscription_url", "comments_count", "comments_url")
        comment["content"] = r.choice(["<div>Yeah! Great job everyone! Super excited 🎉</div>",
                                       "<div>D'accord, je m'en occupe.</div>",
                                       "<div>了解です</div>",
                                       f"<div>{sentence(r, 10)}</div>"])
        return comment

    def _new_campfire(self, r: Any, tool: dict, bucket: dict) -> None:
        """The project's Campfire (the dock's ``chat`` tool) and its lines."""
        campfire = self._recording(r, "Chat::Transcript", "chats", bucket, {}, tool["title"],
                                   rid=tool["id"])
        self._strip(campfire, "parent", "comments_count", "comments_url", "boosts_count",
                    "boosts_url")
        path = f"{self.api_root}/buckets/{bucket['id']}/chats/{tool['id']}"
        campfire.update({"status": "active", "position": tool["position"],
                         "topic": r.choice([tool["title"], "Water cooler ☕", "Lagerfeuer"]),
                         "lines_url": f"{path}/lines.json", "files_url": f"{path}/uploads.json"})
        self.campfires.append(campfire)
        lines = [self._new_line(r, campfire, bucket) for _ in range(r.randint(0, 16))]
        self.lines[campfire["id"]] = sorted(lines, key=lambda x: (x["created_at"], x["id"]),
                                            reverse=True)

    def _new_line(self, r: Any, campfire: dict, bucket: dict) -> dict:
        kind = r.choice(["Chat::Lines::Text", "Chat::Lines::Text", "Chat::Lines::RichText",
                         "Chat::Lines::Upload"])
        text = r.choice(["Good morning ☀️", "Bonjour à tous !", "お疲れさまです",
                         sentence(r, 6)])
        line = self._recording(r, kind, f"chats/{campfire['id']}/lines", bucket,
                               self._parent(campfire, "Chat::Transcript"), text,
                               rid=self._coverage_id())
        self._strip(line, "subscription_url", "comments_count", "comments_url")
        if kind == "Chat::Lines::Text":
            line["content"] = text
        elif kind == "Chat::Lines::RichText":
            line["content"] = f"<div><strong>{text}</strong></div>"
        else:  # an upload line has attachments, no content
            filename, content_type, _ = r.choice(UPLOADS)
            blob = hashlib.sha1(f"{self.seed}:{line['id']}".encode()).hexdigest()
            line["title"] = filename
            line["attachments"] = [{
                "title": filename, "url": f"{self.api_root}/blobs/{blob}/previews/full",
                "filename": filename, "content_type": content_type,
                "byte_size": r.randint(900, 900_000),
                "download_url": f"https://storage.3.basecamp.com/{ACCOUNT}/blobs/{blob}/download/"
                                f"{quote(filename)}"}]
        return line

    # -- HTTP ----------------------------------------------------------------------------------
    def configure(self, options: dict[str, Any]) -> None:
        """``token_ttl`` (s), ``account_inactive`` (bool), ``rate_limit`` ([requests, seconds])."""
        super().configure(options)
        if "account_inactive" in options:
            self.inactive = bool(options["account_inactive"])
        if "rate_limit" in options:
            limit = options["rate_limit"]
            self.rate_limit = (int(limit[0]), float(limit[1])) if limit else None
            self._window = (0.0, 0)

    def handle(self, request: Request) -> Answer:
        if request.path == TOKEN_PATH:
            return self._token(request)
        if not CONTACT.search(request.header("user-agent")):
            return error(400, "Bad Request: include a User-Agent header naming your application "
                              "and a link or email address to contact you")
        if limited := self._rate_limited():
            return limited
        if not self.tokens.valid(request.bearer()):
            return Answer(401, b"OAuth token expired (old age)",
                          {"Content-Type": "text/plain; charset=utf-8",
                           "WWW-Authenticate": 'Bearer realm="Basecamp"'})
        account, _, rest = request.path.lstrip("/").partition("/")
        if account != ACCOUNT:
            return error(404, "Not Found")
        if self.inactive:
            return error(404, "Not Found", {"Reason": "Account Inactive"})
        if request.method != "GET":
            return error(405, "Only GET is faked")
        for pattern, kind in ROUTES:
            match = pattern.match("/" + rest)
            if match:
                return getattr(self, f"_{kind}")(request, **match.groupdict())
        return error(404, "Not Found")

    def _rate_limited(self) -> Answer | None:
        if not self.rate_limit:
            return None
        limit, window = self.rate_limit
        started, count = self._window
        clock = time.monotonic()
        if clock - started >= window:
            started, count = clock, 0
        self._window = (started, count + 1)
        if count < limit:
            return None
        wait = max(1, math.ceil(window - (clock - started)))
        return error(429, "Too Many Requests", {"Retry-After": str(wait)})

    def _token(self, request: Request) -> Answer:
        if request.method != "POST":
            return error(404, "Not Found")
        params = {k: v[-1] for k, v in request.query.items()}
        params.update(request.form())
        if params.get("grant_type") != "refresh_token" and params.get("type") != "refresh":
            return json_answer({"error": "unsupported_grant_type"}, 400)
        if params.get("client_id") != CREDS["client_id"] or params.get(
                "client_secret") != CREDS["client_secret"]:
            return json_answer({"error": "invalid_client"}, 401)
        if params.get("refresh_token") != CREDS["refresh_token"]:
            return json_answer({"error": "authorization_expired"}, 400)
        token, ttl = self.tokens.issue()
        return json_answer({"access_token": token, "token_type": "Bearer", "expires_in": ttl,
                            "refresh_token": CREDS["refresh_token"]})

    def _page(self, request: Request, records: list[dict]) -> Answer:
        """One geared page of ``records``, with ``Link`` (absolute) and ``X-Total-Count``."""
        try:
            page = max(1, int(request.arg("page", "1") or 1))
        except ValueError:
            page = 1
        start, end = gear_slice(page)
        body = records[start:end]
        headers = {"X-Total-Count": str(len(records)),
                   "ETag": 'W/"' + hashlib.md5(repr(body).encode()).hexdigest() + '"'}
        if end < len(records):
            query = {k: v[-1] for k, v in request.query.items() if k != "page"}
            query["page"] = str(page + 1)
            headers["Link"] = f'<{request.base_url}{request.path}?{urlencode(query)}>; rel="next"'
        return self._json(request, body, headers)

    @staticmethod
    def _json(request: Request, body: Any, headers: dict[str, str] | None = None) -> Answer:
        """A JSON answer whose URLs point at the host the request came to, as the real API's
        point at its own host (``https://3.basecampapi.com/<account>/...``)."""
        answer = json_answer(body, headers=headers)
        answer.body = answer.body.replace(API_HOST.encode() + b"/",
                                          request.base_url.encode() + b"/")
        return answer

    def _projects(self, request: Request) -> Answer:
        status = request.arg("status") or "active"
        if status not in ("active", "archived", "trashed"):
            status = "active"
        return self._page(request, [p for p in self.projects if p["status"] == status])

    def _project(self, request: Request, project: str) -> Answer:
        found = self._find_project(int(project))
        if found is None or found["status"] == "trashed":
            return error(404, "Not Found")
        return self._json(request, found)

    def _schedule(self, request: Request, schedule: str, project: str | None = None) -> Answer:
        found = self.schedules.get(int(schedule))
        owner = self._find_project(self.schedule_project.get(int(schedule), 0))
        if found is None or owner is None or owner["status"] == "trashed" or (
                project and owner["id"] != int(project)):
            return error(404, "Not Found")
        return self._json(request, found)

    def _people(self, request: Request) -> Answer:
        return self._page(request, self.everyone)

    def _chats(self, request: Request) -> Answer:
        return self._page(request, self.memoized(("chats",), self._listed_campfires))

    def _lines(self, request: Request, chat: str, project: str | None = None) -> Answer:
        campfire = next((c for c in self.campfires if c["id"] == int(chat)), None)
        owner = self._find_project(campfire["bucket"]["id"]) if campfire else None
        if owner is None or owner["status"] == "trashed" or (
                project and owner["id"] != int(project)):
            return error(404, "Not Found")
        return self._page(request, self.memoized(("lines", int(chat)), lambda: [
            x for x in self.lines[int(chat)] if x["status"] == "active"]))

    def _listed_campfires(self) -> list[dict]:
        """What ``/chats.json`` lists: the active Campfires of active projects."""
        ids = {p["id"] for p in self.projects if p["status"] == "active"}
        return [c for c in self.campfires if c["status"] == "active" and c["bucket"]["id"] in ids]

    def _entries(self, request: Request, schedule: str, project: str | None = None) -> Answer:
        entries = self.entries.get(int(schedule))
        if entries is None or (project and self.schedule_project[int(schedule)] != int(project)):
            return error(404, "Not Found")
        status = request.arg("status") or "active"
        return self._page(request, [e for e in entries if e["status"] == status])

    def _recordings(self, request: Request) -> Answer:
        kind = request.arg("type")
        if kind not in RECORDING_TYPES:
            return error(400, "Bad Request: type must be one of " + ", ".join(RECORDING_TYPES))
        if request.arg("bucket"):
            try:
                buckets = {int(b) for b in str(request.arg("bucket")).split(",") if b}
            except ValueError:
                return error(400, "Bad Request: bucket must be project ids")
        else:
            buckets = {p["id"] for p in self.projects if p["status"] == "active"}
        status = request.arg("status") or "active"
        sort = request.arg("sort") if request.arg("sort") in ("created_at", "updated_at") \
            else "created_at"
        descending = request.arg("direction") != "asc"

        def select() -> list[dict]:
            pool = [e for es in self.entries.values() for e in es] \
                if kind == "Schedule::Entry" else self.recordings
            found = [x for x in pool if x["type"] == kind and x["status"] == status
                     and x["bucket"]["id"] in buckets]
            return sorted(found, key=lambda x: (x[sort], x["id"]), reverse=descending)

        key = ("recordings", kind, tuple(sorted(buckets)), status, sort, descending)
        return self._page(request, self.memoized(key, select))

    def _find_project(self, pid: int) -> dict | None:
        return next((p for p in self.projects if p["id"] == pid), None)

    # -- test support ----------------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict]]:
        active = [p for p in self.projects if p["status"] == "active"]
        ids = {p["id"] for p in active}
        schedules = [{**self.schedules[tool["id"]], "project_id": p["id"]} for p in active
                     for tool in p["dock"] if tool["name"] == "schedule" and tool["enabled"]]
        campfires = self._listed_campfires()
        out = {
            "projects": active,
            "schedules": schedules,
            "schedule_entries": [e for s in schedules for e in self.entries[s["id"]]
                                 if e["status"] == "active"],
            "people": self.everyone,
            "campfires": campfires,
            "campfire_lines": [x for c in campfires for x in self.lines[c["id"]]
                               if x["status"] == "active"],
        }
        for stream, kind in RECORDING_STREAMS.items():
            out[stream] = [x for x in self.recordings if x["type"] == kind
                           and x["status"] == "active" and x["bucket"]["id"] in ids]
        return out

    def touch(self, stream: str, count: int) -> list[Any]:
        kind = RECORDING_STREAMS.get(stream)
        if kind is None:
            return super().touch(stream, count)
        pool = self.truth()[stream]
        r = rng(self.seed, "touch", stream, now().timestamp())
        touched = r.sample(pool, min(count, len(pool)))
        stamp: datetime = now()
        for n, record in enumerate(touched):
            record["updated_at"] = iso(stamp + timedelta(milliseconds=n))
            record["title"] = f"{record['title']} (edited)"
            if kind == "Todo":
                record["content"] = record["title"]
            elif kind == "Message":
                record["subject"] = record["title"]
        return [x["id"] for x in touched]
