"""tap-primetric's streams as TAPS.md lists them, with their primary keys."""

from __future__ import annotations

#: Every stream of TAPS.md (the three seeds, then the 18 of Airbyte's connector) and its key.
KEYS: dict[str, tuple[str, ...]] = {
    name: ("project_id",) if name == "rag_ratings" else ("uuid",) for name in (
        "assignments", "employees", "hashtags", "organization_clients",
        "organization_company_groups", "organization_departments",
        "organization_identity_providers", "organization_positions", "organization_rag_scopes",
        "organization_roles", "organization_seniorities", "organization_tags",
        "organization_teams", "organization_timeoff_types", "people", "projects",
        "projects_vacancies", "rag_ratings", "skills", "timeoffs", "worklogs")}
STREAMS = tuple(KEYS)
#: The two lists the API answers as one bare array, without pagination: stream -> path.
BARE_ARRAYS = {"organization_identity_providers": "/organization/identity_providers",
               "rag_ratings": "/rag_ratings"}
