"""tap-thrive: the Tap class and its settings."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_thrive import streams
from tapkit import (
    HTTPBasicAuth,
    SuiteTap,
    common_settings,
    required_settings,
    start_date_setting,
)


class TapThrive(SuiteTap):
    """Singer tap for the Thrive Learning REST API v1."""

    name = "tap-thrive"
    config_jsonschema = th.PropertiesList(
        *required_settings(
            username="Tenant id (e.g. eu-west-000000), the HTTP Basic user name."),
        *required_settings(secret=True, password="API key, the HTTP Basic password."),
        *common_settings(api_url="https://public.api.learn.link/rest/v1"),
        start_date_setting(required=True,
                           description="Earliest event to sync (ISO 8601, UTC): activities, "
                                       "enrolments, completions and CPD entries. Current-state "
                                       "tables are read in full on their first sync."),
        th.Property("end_date", th.DateTimeType,
                    description="Latest event to sync (ISO 8601, UTC; default: the time the "
                                "sync starts)."),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=1000), default=200,
                    description="perPage sent on every list call (the API allows up to 1000; "
                                "assignments and enrolments get at most 100)."),
    ).to_dict()
    stream_types = streams.STREAM_TYPES
    auth = HTTPBasicAuth("username", "password")


if __name__ == "__main__":
    TapThrive.cli()
