"""Every change made to the seed documents to run them with dlt against the sandbox, per tap.

Kept apart from the source modules so that the report can list them without importing dlt;
the same changes are marked ``# ADAPTED:`` in ``bench/dlt_sources/<tap>.py``.
"""

from __future__ import annotations

ADAPTATIONS: dict[str, list[str]] = {
    "classroom": [
        "base_url: the sandbox's /classroom (the seed's paths keep their /v1)",
        "auth: the seed's `oauth2` type does not exist in dlt; oauth2_client_credentials with "
        "grant_type=refresh_token in access_token_request_data (the sandbox credentials)",
        "{course} is never bound in the seed: params resolve it from courses.id",
        "studentsubmissions: the seed's /courseWork/{coursework}/studentSubmissions (one walk per "
        "course work, never bound either) becomes the tap's /courseWork/-/studentSubmissions "
        "wildcard, one walk per course: the same records and the same pages as the tap",
        "params pageSize on every endpoint: the tap's page_size, so both ask for the same pages",
        "announcements/coursework: params orderBy=updateTime desc, as the tap sends; it is the "
        "API's default order, so the pages are the same either way, now the requests too",
    ],
    "thrive": [
        "base_url: the sandbox's /thrive/rest (the seed's paths keep their /v1)",
        "auth: the seed's `basic` type is dlt's `http_basic`",
        "paginator: dlt's page_number paginator has no `limit_param`/`limit` (those belong to "
        "`offset`): perPage goes in params, with base_page 1 (dlt starts at 0, the API at 1) and "
        "total_path pagination.totalPages (the tap's stop rule; dlt's default `total` is absent)",
        "perPage: the tap's page_size instead of the seed's 200, so both ask for the same pages",
        "activities: `incremental_sync` is not dlt; dlt's endpoint `incremental` with start_param "
        "timestampFrom, end_param timestampTo, cursor_path date, initial_value the sandbox "
        "start_date, end_value now, and a convert to the API's `YYYY-MM-DD HH:MM:SS`",
    ],
    "primetric": [
        "base_url and paths: the sandbox's /primetric with the real API's /beta instead of /v1",
        "auth: the seed's `oauth2` + grant_type client_credentials is dlt's "
        "oauth2_client_credentials (access_token_url = the sandbox's token endpoint)",
        "paginator: the seed's `cursor` with cursor_param next and a `stop_condition` (no dlt key) "
        "would send the whole `next` URL back as ?next=... and loop on page 1; `next` is an "
        "absolute URL, so dlt's json_link paginator with next_url_path next",
    ],
    "basecamp": [
        "base_url: the sandbox's /basecamp/<account_id>, paths without the seed's /v1",
        "auth: the seed's `oauth2` type does not exist in dlt; oauth2_client_credentials with "
        "grant_type=refresh_token in access_token_request_data; plus the sandbox credentials' "
        "User-Agent header (Basecamp wants one naming the app and a contact)",
        "paginator: the seed's `cursor` on `headers.link.next.url` with a `stop_condition` is not "
        "dlt (a cursor reads the body); dlt's header_link paginator",
        "data_selector: the API answers bare arrays, the seed's `data` selects nothing; `$`",
        "{project_id} is never bound in the seed: schedules resolve it from projects.id; "
        "schedule_entries resolve schedule_id from schedules.id and project_id from the parent's "
        "project id (include_from_parent id -> _projects_id)",
        "schedules: the seed's `dock.*` selects every dock tool; a filter step keeps the enabled "
        "`schedule` tools, as the tap (and the contract) do",
        "todos/messages: the recordings endpoint answers 400 without `type`; params type=Todo or "
        "Message, sort=updated_at, direction=desc (the tap's); the resource-level "
        "`incremental_sync` (not dlt) becomes dlt's `incremental` on updated_at from 1970 (all "
        "history: the sandbox credentials have no start_date)",
    ],
    "systeme": [
        "base_url: the sandbox's /systeme/api",
        "paginator: dlt's `cursor` has no `limit` and no `stop_condition` and reads the cursor "
        "from the body, while this API wants the last item's key: a small BasePaginator "
        "(startingAfter = last item's id, or slug for contact_fields, while hasMore); `limit` "
        "moves to params",
    ],
}
