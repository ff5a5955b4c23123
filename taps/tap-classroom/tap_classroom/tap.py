"""tap-classroom: the Tap class and its settings."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_classroom import streams
from tapkit import (
    RefreshTokenAuthenticator,
    SuiteTap,
    common_settings,
    shard_settings,
    start_date_setting,
    states_setting,
)

#: The values of the API's state enums a list can be filtered by (``*_UNSPECIFIED`` is never a
#: state of a returned item, so it is not accepted).
COURSE_STATES = ["ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED", "SUSPENDED"]
ITEM_STATES = ["PUBLISHED", "DRAFT", "DELETED"]
ITEM_DEFAULT = "the API's default, PUBLISHED only (DRAFT and DELETED need a teacher's token)"


class TapClassroom(SuiteTap):
    """Singer tap for the Google Classroom API v1."""

    name = "tap-classroom"
    config_jsonschema = th.PropertiesList(
        *RefreshTokenAuthenticator.settings(
            "https://oauth2.googleapis.com/token", "OAuth token endpoint.",
            client_id="OAuth client id of your Google Cloud project.",
            client_secret="OAuth client secret.",
            refresh_token="Refresh token granted with the read-only Classroom scopes."),
        # Google allows 1,200 queries per minute per user (3,000 per client), counted over a
        # moving minute: a budget of 20/s * 60 s, with bursts.
        *common_settings(api_url="https://classroom.googleapis.com/v1", requests_per_second=20,
                         rate_window=60),
        th.Property("page_size", th.IntegerType(minimum=1),
                    description="pageSize sent on every list call (unset: the server's default)."),
        start_date_setting(description="Only announcements, course work and course-work "
                                       "materials updated at or after this time (unset: all "
                                       "history)."),
        states_setting("course_states", "courseStates", COURSE_STATES,
                       "the API's default, every state but SUSPENDED"),
        states_setting("announcement_states", "announcementStates", ITEM_STATES,
                       ITEM_DEFAULT),
        states_setting("coursework_states", "courseWorkStates", ITEM_STATES,
                       ITEM_DEFAULT),
        states_setting("courseworkmaterial_states", "courseWorkMaterialStates", ITEM_STATES,
                       ITEM_DEFAULT),
        *shard_settings("courses", "course_ids", th.StringType),
    ).to_dict()
    stream_types = [
        streams.CoursesStream,
        streams.TeachersStream,
        streams.StudentsStream,
        streams.AnnouncementsStream,
        streams.CourseWorkStream,
        streams.StudentSubmissionsStream,
        streams.TopicsStream,
        streams.CourseWorkMaterialsStream,
        streams.AliasesStream,
        streams.InvitationsStream,
        streams.GuardiansStream,
        streams.GuardianInvitationsStream,
    ]
    auth = RefreshTokenAuthenticator


if __name__ == "__main__":
    TapClassroom.cli()
