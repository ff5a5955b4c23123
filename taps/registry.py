"""The suite's taps: one entry per tap, read by plugins/generate.py, the sandbox (credentials,
``make demo``), the benchmark and the tests. Data only; the kit (``tapkit``) never reads it.

Adding a tap: its distribution ``taps/tap-<name>/`` (pyproject.toml, package
``tap_<name>/``), its fake in ``sandbox/apis/<name>.py`` (a
``FakeAPI`` with ``prefix = "<name>"``) and one :class:`Tap` line below (README, "Adding a tap").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Tap:
    """One tap of the suite (compared and hashed by identity: each entry is one tap)."""

    name: str  #: executable, Meltano plugin name and settings prefix: ``tap-classroom``
    tap_class: str  #: ``module:Class`` of its SDK ``Tap``
    fake: str  #: prefix of its fake API in the sandbox (``sandbox/apis``): ``/classroom/...``
    label: str  #: the service's name, for Meltano Hub
    domain: str  #: the service's home page
    description: str  #: one line: what the tap extracts
    #: The settings the sandbox's fake accepts (secrets included: they are the fake's own).
    credentials: dict[str, Any]
    #: URL settings, relative to the sandbox's root.
    urls: dict[str, str]
    oauth: bool  #: authenticates through an OAuth token endpoint (``token_url``)
    #: Config that makes the sandbox answer in small pages (tests: more requests, more faults).
    small_pages: dict[str, Any] = field(default_factory=dict)
    #: Sandbox ``configure`` options for the same, where the tap has no page size setting.
    sandbox_options: dict[str, Any] = field(default_factory=dict)


TAPS: tuple[Tap, ...] = (
    Tap("tap-classroom", "tap_classroom.tap:TapClassroom", "classroom", "Google Classroom",
        "https://classroom.google.com",
        "Courses, rosters, announcements, course work, submissions, topics, materials, "
        "invitations and guardians",
        credentials={"client_id": "sandbox-classroom-client",
                     "client_secret": "sbx-classroom-secret-4f9a1c",
                     "refresh_token": "sbx-classroom-refresh-7c2e9d"},
        urls={"api_url": "/classroom/v1", "token_url": "/classroom/token"},
        oauth=True, small_pages={"page_size": 5}),
    Tap("tap-thrive", "tap_thrive.tap:TapThrive", "thrive", "Thrive Learning",
        "https://thrivelearning.com",
        "Learning content, users, activity, audiences, assignments, completions and CPD",
        credentials={"username": "eu-west-000042", "password": "sbx-thrive-apikey-91be0c",
                     "start_date": "2024-01-01T00:00:00Z"},
        urls={"api_url": "/thrive/rest/v1"},
        oauth=False, small_pages={"page_size": 10}),
    Tap("tap-primetric", "tap_primetric.tap:TapPrimetric", "primetric", "Primetric",
        "https://www.primetric.com",
        "Resource planning: people, projects, assignments, time off, worklogs, skills and the "
        "organization's lists",
        credentials={"client_id": "sandbox-primetric-client",
                     "client_secret": "sbx-primetric-secret-5d7e21"},
        urls={"api_url": "/primetric/beta", "token_url": "/primetric/auth/token/"},
        oauth=True, sandbox_options={"page_size": 12}),
    Tap("tap-basecamp", "tap_basecamp.tap:TapBasecamp", "basecamp", "Basecamp",
        "https://basecamp.com",
        "Projects, schedules, people, to-dos, messages, comments, documents, uploads, card "
        "tables and Campfire chats",
        credentials={"account_id": "999999999", "client_id": "sandbox-basecamp-client",
                     "client_secret": "sbx-basecamp-secret-33af8b",
                     "refresh_token": "sbx-basecamp-refresh-c40d17",
                     "user_agent": "tap-basecamp sandbox (sandbox@example.com)"},
        urls={"api_url": "/basecamp/{account_id}",
              "token_url": "/basecamp/launchpad/authorization/token"},
        oauth=True),
    Tap("tap-systeme", "tap_systeme.tap:TapSysteme", "systeme", "systeme.io",
        "https://systeme.io",
        "Contacts, tags, communities, courses, enrollments, memberships, newsletters and "
        "subscriptions",
        credentials={"api_key": "sbx-systeme-apikey-0e6f5a"},
        urls={"api_url": "/systeme/api"},
        oauth=False, small_pages={"page_size": 10}),
)

#: The taps by name.
BY_NAME: dict[str, Tap] = {tap.name: tap for tap in TAPS}
