"""The sandbox's Classroom fake answers the newer lists as Google documents (plain HTTP)."""

from __future__ import annotations

import os

import pytest
import requests

from sandbox.apis.classroom import NON_ADMIN_REFRESH_TOKEN
from sandbox.credentials import CREDENTIALS

CREDS = CREDENTIALS["tap-classroom"]
#: The newer lists: path (as the tap asks for it, for the first listed course) and list key.
LISTS = {
    "topics": ("/courses/{course}/topics", "topic"),
    "courseworkmaterials": ("/courses/{course}/courseWorkMaterials", "courseWorkMaterial"),
    "aliases": ("/courses/{course}/aliases", "aliases"),
    "invitations": ("/invitations?courseId={course}", "invitations"),
    "guardians": ("/userProfiles/-/guardians", "guardians"),
    "guardian_invitations": ("/userProfiles/-/guardianInvitations?states=PENDING"
                             "&states=COMPLETE", "guardianInvitations"),
}


def root() -> str:
    return f"{os.environ['SANDBOX_URL']}/classroom"


def bearer(refresh_token: str = CREDS["refresh_token"]) -> dict[str, str]:
    answer = requests.post(f"{root()}/token", timeout=10, data={
        "grant_type": "refresh_token", "client_id": CREDS["client_id"],
        "client_secret": CREDS["client_secret"], "refresh_token": refresh_token})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def get(path: str, auth: dict[str, str], **params) -> requests.Response:
    return requests.get(f"{root()}/v1{path}", headers=auth, params=params, timeout=10)


def walk(path: str, key: str, auth: dict[str, str], **params) -> tuple[list[dict], list[dict]]:
    """Every record of a list, and every page body, following ``nextPageToken``."""
    records, bodies = [], []
    while True:
        answer = get(path, auth, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        bodies.append(body)
        records += body.get(key, [])
        if not body.get("nextPageToken"):
            return records, bodies
        params = {**params, "pageToken": body["nextPageToken"]}


@pytest.fixture
def auth(sandbox) -> dict[str, str]:
    return bearer()


@pytest.fixture
def course_ids(sandbox) -> list[str]:
    return [c["id"] for c in sandbox.truth("classroom")["courses"]]


@pytest.mark.parametrize("stream", list(LISTS))
def test_every_newer_list_pages_like_google(sandbox, auth, course_ids, stream):
    """Per course (or for the domain): the truth in pages of 2, a full last page followed by an
    empty ``{}``, and a page token that is refused once any other parameter changes."""
    template, key = LISTS[stream]
    truth = sandbox.truth("classroom")[stream]
    seen = []
    for course in course_ids if "{course}" in template else [None]:
        records, bodies = walk(template.format(course=course), key, auth, pageSize=2)
        seen += records
        assert all(body.get(key) for body in bodies[:-1])
        if len(records) % 2 == 0:  # a full (or no) last page, then an empty one
            assert bodies[-1] == {}
    want = [{k: v for k, v in r.items() if not (stream == "aliases" and k == "courseId")}
            for r in truth]
    assert sorted(map(repr, seen)) == sorted(map(repr, want))
    busiest = max(course_ids, key=lambda c: sum(r.get("courseId") == c for r in truth))
    path = template.format(course=busiest)
    token = get(path, auth, pageSize=1).json()["nextPageToken"]
    assert get(path, auth, pageSize=1, pageToken=token).status_code == 200
    refused = get(path, auth, pageSize=3, pageToken=token)
    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_some_course_lists_are_empty_and_answer_without_the_key(sandbox, auth, course_ids):
    empty = [(c, kind) for c in course_ids for kind in ("topics", "aliases")
             if not get(LISTS[kind][0].format(course=c), auth).json()]
    assert empty, "the seed should have courses without topics or aliases"


def test_posts_hide_drafts_and_deletions_unless_asked(sandbox, auth, course_ids):
    for path, key, param in [("announcements", "announcements", "announcementStates"),
                             ("courseWork", "courseWork", "courseWorkStates"),
                             ("courseWorkMaterials", "courseWorkMaterial",
                              "courseWorkMaterialStates")]:
        default, every = [], []
        for course in course_ids:
            default += walk(f"/courses/{course}/{path}", key, auth)[0]
            every += walk(f"/courses/{course}/{path}", key, auth,
                          **{param: ["PUBLISHED", "DRAFT", "DELETED"]})[0]
        assert {r["state"] for r in default} == {"PUBLISHED"}, path
        assert {r["state"] for r in every} == {"PUBLISHED", "DRAFT", "DELETED"}, path
        assert all("alternateLink" not in r for r in every if r["state"] != "PUBLISHED")
        drafts = walk(f"/courses/{course_ids[0]}/{path}", key, auth, **{param: "DRAFT"})[0]
        assert {r["state"] for r in drafts} <= {"DRAFT"}
        wrong = get(f"/courses/{course_ids[0]}/{path}", auth, **{param: "ARCHIVED"})
        assert wrong.status_code == 400, path
        times = [r["updateTime"] for r in walk(f"/courses/{course_ids[0]}/{path}", key,
                                               auth, **{param: ["PUBLISHED", "DRAFT"]})[0]]
        assert times == sorted(times, key=lambda t: t.replace("Z", ".000Z")
                               if len(t) == 20 else t, reverse=True)


def test_suspended_courses_only_when_asked(sandbox, auth):
    default = walk("/courses", "courses", auth)[0]
    every = walk("/courses", "courses", auth, courseStates=[
        "ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED", "SUSPENDED"])[0]
    assert "SUSPENDED" not in {c["courseState"] for c in default}
    assert "SUSPENDED" in {c["courseState"] for c in every}
    assert get("/courses", auth, courseStates="CLOSED").status_code == 400


def test_invitations_need_a_course_or_a_user(sandbox, auth, course_ids):
    assert get("/invitations", auth).status_code == 400
    assert get("/invitations", auth, courseId="404404").status_code == 404
    invitation = sandbox.truth("classroom")["invitations"][0]
    by_user = get("/invitations", auth, userId=invitation["userId"]).json()["invitations"]
    assert by_user == [invitation]


def test_guardian_lists_by_student_and_by_wildcard(sandbox, auth):
    truth = sandbox.truth("classroom")
    guardian = truth["guardians"][0]
    mine = get(f"/userProfiles/{guardian['studentId']}/guardians", auth).json()["guardians"]
    assert guardian in mine and {g["studentId"] for g in mine} == {guardian["studentId"]}
    assert get("/userProfiles/999/guardians", auth).status_code == 404
    shared = [g for g in truth["guardians"] if sum(
        o["guardianId"] == g["guardianId"] for o in truth["guardians"]) > 1]
    assert shared, "some guardians should have several students (guardianId is not a key)"
    invitations = walk("/userProfiles/-/guardianInvitations", "guardianInvitations", auth)[0]
    assert invitations and {i["state"] for i in invitations} == {"PENDING"}  # the default
    assert {i["state"] for i in truth["guardian_invitations"]} == {"PENDING", "COMPLETE"}


@pytest.mark.parametrize("path", ["/userProfiles/-/guardians",
                                  "/userProfiles/-/guardianInvitations"])
def test_guardians_need_a_domain_administrator(sandbox, path):
    teacher = bearer(NON_ADMIN_REFRESH_TOKEN)
    denied = get(path, teacher)
    assert denied.status_code == 403
    assert denied.json()["error"] == {"code": 403, "status": "PERMISSION_DENIED",
                                      "message": "The caller does not have permission"}
    assert get("/courses", teacher).status_code == 200  # the rest of the API still answers
    admin = bearer()
    assert get(path, admin).status_code == 200
    sandbox.configure("classroom", domain_admin=False)  # every token a teacher's
    assert get(path, admin).status_code == 403
