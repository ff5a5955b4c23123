"""tap-basecamp: the Tap class and its settings."""

from __future__ import annotations

import re

from singer_sdk import typing as th
from typing_extensions import override

from tap_basecamp import streams
from tapkit import (
    RefreshTokenAuthenticator,
    SuiteTap,
    common_settings,
    shard_settings,
    start_date_setting,
)

#: What Basecamp asks a User-Agent to carry besides the app name: an email address or a URL.
CONTACT = re.compile(r"@|https?://", re.IGNORECASE)


class TapBasecamp(SuiteTap):
    """Singer tap for the Basecamp 3/4 API."""

    name = "tap-basecamp"
    config_jsonschema = th.PropertiesList(
        th.Property("account_id", th.CustomType({"type": ["string", "integer"]}), required=True,
                    description="Basecamp account id: the number after basecamp.com/ in the web "
                                "app's URLs (or the bc3 account of launchpad's "
                                "authorization.json)."),
        *RefreshTokenAuthenticator.settings(
            "https://launchpad.37signals.com/authorization/token",
            "Launchpad's OAuth token endpoint.",
            client_id="Client id of your app registered at "
                      "launchpad.37signals.com/integrations.",
            client_secret="Client secret of that app.",
            refresh_token="Refresh token from the app's OAuth authorization by a user."),
        # Basecamp allows about 50 requests per 10 s per IP: a budget of 5/s * 10 s.
        *common_settings(
            api_url="https://3.basecampapi.com/{account_id}", requests_per_second=5,
            rate_window=10,
            api_url_description="Base URL of the API; {account_id} is replaced by the "
                                "account_id setting.",
            user_agent_description="User-Agent sent on every request. Basecamp requires your "
                                   "app's name and a contact (email or URL), e.g. 'Acme ELT "
                                   "(data@acme.example)'; without one it answers 400."),
        start_date_setting(description="Only recordings (todos, messages, comments, documents, "
                                       "...) updated at or after this time (unset: all "
                                       "history); the other streams are always full."),
        *shard_settings("projects", "project_ids",
                        th.CustomType({"type": ["string", "integer"]})),
    ).to_dict()
    stream_types = [
        streams.ProjectsStream,
        streams.SchedulesStream,
        streams.ScheduleEntriesStream,
        streams.TodosStream,
        streams.MessagesStream,
        streams.PeopleStream,
        streams.CommentsStream,
        streams.DocumentsStream,
        streams.UploadsStream,
        streams.TodolistsStream,
        streams.VaultsStream,
        streams.QuestionAnswersStream,
        streams.CardTableCardsStream,
        streams.CampfiresStream,
        streams.CampfireLinesStream,
    ]
    auth = RefreshTokenAuthenticator

    @override
    def extra_config_problems(self) -> list[str]:
        problems = []
        account = str(self.config.get("account_id", ""))
        if not account.isdigit():
            problems.append(f"'account_id' must be the numeric Basecamp account id (the number "
                            f"in https://3.basecamp.com/<account_id>/...), got {account!r}")
        agent = self.config.get("user_agent")
        if agent is not None and not str(agent).strip():
            problems.append("'user_agent' must not be empty: Basecamp answers 400 without one")
        elif agent and not CONTACT.search(str(agent)):
            self.logger.warning("user_agent %r names no contact; Basecamp asks for your app's "
                                "name and an email address or URL, e.g. 'Acme ELT "
                                "(data@acme.example)'", agent)
        return problems


if __name__ == "__main__":
    TapBasecamp.cli()
