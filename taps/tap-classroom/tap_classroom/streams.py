"""Google Classroom streams: courses, the per-course lists and the guardian lists."""

from __future__ import annotations

from pathlib import Path

from tapkit import QuotaWait, SuiteStream, TokenCursorPaginator


class ClassroomStream(SuiteStream):
    """Every Classroom list: token cursor pages, schemas in ``schemas/``. Google leaves the list
    key out of an empty page: ``{}`` (or only a ``nextPageToken``) is an empty page."""

    paginator = TokenCursorPaginator
    empty_page_keys = frozenset({"nextPageToken"})
    schemas_dir = Path(__file__).parent / "schemas"
    #: Google's quota answer (429 RESOURCE_EXHAUSTED, or 403 rateLimitExceeded) rarely has
    #: Retry-After; its quotas are moving averages over a minute: wait up to a whole one.
    quota_wait = QuotaWait(window=60)


class CoursesStream(ClassroomStream):
    name = "courses"
    path = "/courses"
    records_key = "courses"
    primary_keys = ("id",)
    setting_params = {"courseStates": "course_states"}
    shard_key = "id"  # ``shard`` and ``course_ids`` pick courses; their lists follow them
    shard_ids_setting = "course_ids"
    shard_context_key = "courseId"
    child_context = {"courseId": "id"}


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
    setting_params = {"announcementStates": "announcement_states"}


class CourseWorkStream(RecentlyUpdatedStream):
    name = "coursework"
    path = "/courses/{courseId}/courseWork"
    records_key = "courseWork"
    setting_params = {"courseWorkStates": "coursework_states"}


class StudentSubmissionsStream(CourseChildStream):
    """All submissions of a course in one walk, through the ``-`` course-work wildcard."""

    name = "studentsubmissions"
    path = "/courses/{courseId}/courseWork/-/studentSubmissions"
    records_key = "studentSubmissions"
    primary_keys = ("courseId", "courseWorkId", "id")


class TopicsStream(CourseChildStream):
    name = "topics"
    path = "/courses/{courseId}/topics"
    records_key = "topic"
    primary_keys = ("courseId", "topicId")


class CourseWorkMaterialsStream(RecentlyUpdatedStream):
    name = "courseworkmaterials"
    path = "/courses/{courseId}/courseWorkMaterials"
    records_key = "courseWorkMaterial"
    setting_params = {"courseWorkMaterialStates": "courseworkmaterial_states"}


class AliasesStream(CourseChildStream):
    """Aliases come back as ``{alias}`` only: the course id is added from the parent."""

    name = "aliases"
    path = "/courses/{courseId}/aliases"
    records_key = "aliases"
    primary_keys = ("courseId", "alias")
    context_fields = ("courseId",)


class InvitationsStream(CourseChildStream):
    """``invitations.list`` needs ``courseId`` (or ``userId``) as a query parameter."""

    name = "invitations"
    path = "/invitations?courseId={courseId}"
    records_key = "invitations"
    primary_keys = ("id",)


class GuardiansStream(ClassroomStream):
    """Every student's guardians through the ``-`` wildcard (a domain administrator's token)."""

    name = "guardians"
    path = "/userProfiles/-/guardians"
    records_key = "guardians"
    primary_keys = ("studentId", "guardianId")


class GuardianInvitationsStream(ClassroomStream):
    """Pending and complete invitations (the API's default is pending only)."""

    name = "guardian_invitations"
    path = "/userProfiles/-/guardianInvitations?states=PENDING&states=COMPLETE"
    records_key = "guardianInvitations"
    primary_keys = ("invitationId",)
