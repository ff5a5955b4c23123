"""Primetric streams: full-table lists keyed by ``uuid``, each a Django REST page walk, except
the two bare arrays that the API answers whole (``organization/identity_providers`` and
``rag_ratings``)."""

from __future__ import annotations

from pathlib import Path

from tapkit import NextInBodyPaginator, QuotaWait, SuiteStream


class PrimetricStream(SuiteStream):
    """Every Primetric list: records at ``results``, the next page at ``next``."""

    paginator = NextInBodyPaginator
    records_key = "results"
    primary_keys = ("uuid",)
    schemas_dir = Path(__file__).parent / "schemas"
    #: Primetric documents a 30-second rate-limit window; a 429 without Retry-After waits past it.
    quota_wait = QuotaWait(window=30, minimum=31)


#: A bare JSON array, not paginated: one request answers the whole list.
BARE_ARRAY = {"records_key": None, "paginator": None}

AssignmentsStream = PrimetricStream.define("assignments", "/assignments")
EmployeesStream = PrimetricStream.define("employees", "/employees")
HashtagsStream = PrimetricStream.define("hashtags", "/hash_tags")
OrganizationClientsStream = PrimetricStream.define(
    "organization_clients", "/organization/clients")
OrganizationCompanyGroupsStream = PrimetricStream.define(
    "organization_company_groups", "/organization/company_groups")
OrganizationDepartmentsStream = PrimetricStream.define(
    "organization_departments", "/organization/departments")
OrganizationIdentityProvidersStream = PrimetricStream.define(
    "organization_identity_providers", "/organization/identity_providers", **BARE_ARRAY)
OrganizationPositionsStream = PrimetricStream.define(
    "organization_positions", "/organization/positions")
OrganizationRagScopesStream = PrimetricStream.define(
    "organization_rag_scopes", "/organization/rag_scopes")
OrganizationRolesStream = PrimetricStream.define("organization_roles", "/organization/roles")
OrganizationSenioritiesStream = PrimetricStream.define(
    "organization_seniorities", "/organization/seniorities")
OrganizationTagsStream = PrimetricStream.define("organization_tags", "/organization/tags")
OrganizationTeamsStream = PrimetricStream.define("organization_teams", "/organization/teams")
OrganizationTimeoffTypesStream = PrimetricStream.define(
    "organization_timeoff_types", "/organization/timeoff_types")
PeopleStream = PrimetricStream.define("people", "/people")
ProjectsStream = PrimetricStream.define("projects", "/projects")
ProjectsVacanciesStream = PrimetricStream.define("projects_vacancies", "/projects_vacancies")
RagRatingsStream = PrimetricStream.define(
    "rag_ratings", "/rag_ratings", primary_keys=("project_id",), **BARE_ARRAY)
SkillsStream = PrimetricStream.define("skills", "/skills")
TimeoffsStream = PrimetricStream.define("timeoffs", "/timeoffs")
WorklogsStream = PrimetricStream.define("worklogs", "/worklogs")

#: Every stream, in the order of TAPS.md.
STREAMS = [
    AssignmentsStream, EmployeesStream, HashtagsStream, OrganizationClientsStream,
    OrganizationCompanyGroupsStream, OrganizationDepartmentsStream,
    OrganizationIdentityProvidersStream, OrganizationPositionsStream,
    OrganizationRagScopesStream, OrganizationRolesStream, OrganizationSenioritiesStream,
    OrganizationTagsStream, OrganizationTeamsStream, OrganizationTimeoffTypesStream,
    PeopleStream, ProjectsStream, ProjectsVacanciesStream, RagRatingsStream, SkillsStream,
    TimeoffsStream, WorklogsStream,
]
