"""Google Classroom streams: courses and the five per-course lists."""

from __future__ import annotations

from pathlib import Path

from tapkit import SuiteStream, TokenCursorPaginator
from tapkit.quotas import QuotaWait


class ClassroomStream(SuiteStream):
    """Every Classroom list: token cursor pages, schemas in ``schemas/``."""

    paginator = TokenCursorPaginator
    schemas_dir = Path(__file__).parent / "schemas"
    #: Google's quota answer (429 RESOURCE_EXHAUSTED, or 403 rateLimitExceeded) rarely has
    #: Retry-After; its quotas are moving averages over a minute: wait up to a whole one.
    quota_wait = QuotaWait(window=60)


class CoursesStream(ClassroomStream):
    name = "courses"
    path = "/courses"
    records_key = "courses"
    primary_keys = ("id",)

    def get_child_context(self, record: dict, context: dict | None) -> dict:
        return {"courseId": record["id"]}


class CourseChildStream(ClassroomStream):
    """A list under one course; the course id comes from the parent."""

    parent_stream_type = CoursesStream
    state_partitioning_keys = []  # no per-course state: it would grow with the courses


class TeachersStream(CourseChildStream):
    name = "teachers"
    path = "/courses/{courseId}/teachers"
    records_key = "teachers"
    primary_keys = ("courseId", "userId")


class StudentsStream(CourseChildStream):
    name = "students"
    path = "/courses/{courseId}/students"
    records_key = "students"
    primary_keys = ("courseId", "userId")


class RecentlyUpdatedStream(CourseChildStream):
    """Newest first by ``updateTime``, each course read down to the stream's bookmark.

    One bookmark for all courses keeps STATE small however many courses there are; the SDK
    caps it at the time the run started, so an edit made while the run walks other courses is
    read again next time.
    """

    primary_keys = ("courseId", "id")
    replication_key = "updateTime"
    params = {"orderBy": "updateTime desc"}
    stop_at_bookmark = True


class AnnouncementsStream(RecentlyUpdatedStream):
    name = "announcements"
    path = "/courses/{courseId}/announcements"
    records_key = "announcements"


class CourseWorkStream(RecentlyUpdatedStream):
    name = "coursework"
    path = "/courses/{courseId}/courseWork"
    records_key = "courseWork"


class StudentSubmissionsStream(CourseChildStream):
    """All submissions of a course in one walk, through the ``-`` course-work wildcard."""

    name = "studentsubmissions"
    path = "/courses/{courseId}/courseWork/-/studentSubmissions"
    records_key = "studentSubmissions"
    primary_keys = ("courseId", "courseWorkId", "id")
