"""Every change made to the seed documents to run them with dlt against the sandbox, per tap.

Kept apart from the source modules so that the report can list them without importing dlt;
the same changes are marked ``# ADAPTED:`` in ``bench/dlt_sources/<tap>.py``.
"""

from __future__ import annotations

#: The streams the taps gained after the seeds were written (TAPS.md, "Coverage beyond the
#: seeds"): built from bench/specs.py's table in the shape of the seed's own resources.
BEYOND = "streams beyond the seed, in the seed's shape:"
KEYS = "primary_key per resource: the table's (the tap's) key, where the seed's default is `id`"

ADAPTATIONS: dict[str, list[str]] = {
    "classroom": [
        "base_url: the sandbox's /classroom (the seed's paths keep their /v1)",
        "auth: the seed's `oauth2` type does not exist in dlt; oauth2_client_credentials with "
        "grant_type=refresh_token in access_token_request_data (the sandbox credentials)",
        "{course} is never bound in the seed: the table's paths (the tap's) have {courseId}, "
        "resolved from courses.id",
        "studentsubmissions: the seed's /courseWork/{coursework}/studentSubmissions (one walk per "
        "course work, never bound either) becomes the tap's /courseWork/-/studentSubmissions "
        "wildcard, one walk per course: the same records and the same pages as the tap",
        "params pageSize on every endpoint: the tap's page_size, so both ask for the same pages",
        "announcements/coursework: params orderBy=updateTime desc, as the tap sends; it is the "
        "API's default order, so the pages are the same either way, now the requests too",
        f"{BEYOND} topics, courseworkmaterials (orderBy as coursework), aliases, invitations "
        "(/invitations?courseId={courseId}, per course), guardians and guardian_invitations "
        "(/userProfiles/-/...; states=PENDING&states=COMPLETE in the path, as the tap's)",
        "aliases: the records are {alias} only; include_from_parent id and a map step write it "
        "as courseId, as the tap does (its key is courseId + alias)",
        f"{KEYS}",
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
        f"{BEYOND} audiences, audience_members (per audience), assignments, enrolments (per "
        "assignment), completions, cpd_entries, cpd_categories, cpd_requirements, tags",
        "assignments, enrolments, completions: bare arrays: data_selector `$` and a short-page "
        "paginator (page_number without a total stops on an empty page only: one request more "
        "than the tap per list); perPage 100 for assignments and enrolments (the API's cap)",
        "completions, cpd_entries: dlt's `incremental` as for activities, with the tap's window "
        "params (completedDateRangeStart/End, entryDateFrom/To)",
        "enrolments (per assignment): dlt's `incremental` on a child resource is one cursor "
        "across all parents: it raised updatedAtFrom after the first assignment and dropped the "
        "older enrolments of the others (370 of 3,321 extracted at volume 11,000); the tap's "
        "window goes in as fixed params instead, updatedAtFrom start_date to updatedAtTo now "
        "(ISO 8601 with milliseconds), the same for every assignment, as the tap sends",
        "audience_members: the records lack their audience; include_from_parent id and a map "
        "step write it as audienceId (the key is audienceId + userId); enrolments get "
        "assignmentId the same way where missing",
        f"{KEYS}",
    ],
    "primetric": [
        "base_url and paths: the sandbox's /primetric with the real API's /beta instead of /v1",
        "auth: the seed's `oauth2` + grant_type client_credentials is dlt's "
        "oauth2_client_credentials (access_token_url = the sandbox's token endpoint)",
        "paginator: the seed's `cursor` with cursor_param next and a `stop_condition` (no dlt key) "
        "would send the whole `next` URL back as ?next=... and loop on page 1; `next` is an "
        "absolute URL, so dlt's json_link paginator with next_url_path next",
        f"{BEYOND} 16 more Django REST lists (organization_*, people, projects, "
        "projects_vacancies, skills, timeoffs, worklogs) as the seed's three",
        "organization_identity_providers, rag_ratings: bare arrays answered whole: data_selector "
        "`$`, single_page paginator",
        "the auth stays a dict, as in the seed: dlt then builds one auth, and fetches one token, "
        "per resource (21 token requests to the tap's one; not GETs, so not in the page parity)",
        f"{KEYS}",
    ],
    "basecamp": [
        "base_url: the sandbox's /basecamp/<account_id>, paths without the seed's /v1",
        "auth: the seed's `oauth2` type does not exist in dlt; oauth2_client_credentials with "
        "grant_type=refresh_token in access_token_request_data; plus the sandbox credentials' "
        "User-Agent header (Basecamp wants one naming the app and a contact)",
        "paginator: the seed's `cursor` on `headers.link.next.url` with a `stop_condition` is not "
        "dlt (a cursor reads the body); dlt's header_link paginator",
        "data_selector: the API answers bare arrays, the seed's `data` selects nothing; `$`",
        "{project_id} is never bound in the seed: resolved from projects.id; schedule_entries "
        "resolve schedule_id from schedules.id and project_id from the schedule's project_id",
        "schedules: the seed's `dock.*` selects every dock tool, and the stream is the Schedule "
        "resource each one links to: a hidden resource (selected: false) lists the dock with a "
        "filter step keeping the enabled `schedule` tools and include_from_parent id (-> "
        "project_id, by a map step); the schedules resource then GETs each tool's `url` (path "
        "`{link}` resolved from it, single_page) and carries project_id, as the tap does",
        "todos/messages: the recordings endpoint answers 400 without `type`; params type=Todo or "
        "Message, sort=updated_at, direction=desc (the tap's); the resource-level "
        "`incremental_sync` (not dlt) becomes dlt's `incremental` on updated_at from 1970 (all "
        "history: the sandbox credentials have no start_date)",
        f"{BEYOND} people (/people.json), campfires (/chats.json) and campfire_lines (bucket_id "
        "resolved from campfires' bucket.id, campfire_id from id), and seven more recording "
        "types (comments, documents, uploads, todolists, vaults, question_answers, "
        "card_table_cards) as todos and messages",
    ],
    "systeme": [
        "base_url: the sandbox's /systeme/api",
        "paginator: dlt's `cursor` has no `limit` and no `stop_condition` and reads the cursor "
        "from the body, while this API wants the last item's key: a small BasePaginator "
        "(startingAfter = last item's id, or slug for contact_fields, while hasMore); `limit` "
        "moves to params",
        f"{BEYOND} enrollments, memberships, newsletters (subscriptions is opt-in in the tap: "
        "left out, as in a default run)",
        f"{KEYS} (contact_fields: slug)",
    ],
}
