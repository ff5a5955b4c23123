"""Google Classroom streams: courses and the five per-course lists."""

from __future__ import annotations

from pathlib import Path

from tapkit import SuiteStream, TokenCursorPaginator


class ClassroomStream(SuiteStream):
    """Every Classroom list: token cursor pages, schemas in ``schemas/``."""

    paginator = TokenCursorPaginator
    schemas_dir = Path(__file__).parent / "schemas"


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
    state_partitioning_keys = []  # full-table children keep no per-course state


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
    """Newest first by ``updateTime``, read down to the course's bookmark (one per course)."""

    primary_keys = ("courseId", "id")
    replication_key = "updateTime"
    params = {"orderBy": "updateTime desc"}
    stop_at_bookmark = True
    state_partitioning_keys = None


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
