"""Pieces the seed adaptations share: the refresh-token grant, the hasMore/last-key paginator."""

from __future__ import annotations

from typing import Any

from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response


def refresh_token_auth(token_url: str, creds: dict[str, Any]) -> OAuth2ClientCredentials:
    """dlt has no ``oauth2`` auth type and no refresh-token grant; its client-credentials auth
    posts ``access_token_request_data`` after ``grant_type``, so that field turns it into one."""
    return OAuth2ClientCredentials(
        access_token_url=token_url, client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        access_token_request_data={"grant_type": "refresh_token",
                                   "refresh_token": creds["refresh_token"]})


class LastKeyPaginator(BasePaginator):
    """``startingAfter=<key of the last item>`` while ``hasMore`` is true and the page is not
    empty: what the seed's ``cursor`` + ``stop_condition`` describe and no dlt paginator does."""

    def __init__(self, key: str = "id", cursor_param: str = "startingAfter",
                 more_path: str = "hasMore") -> None:
        super().__init__()
        self.key, self.cursor_param, self.more_path = key, cursor_param, more_path
        self.cursor: Any = None

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        more = bool(response.json().get(self.more_path))
        self.cursor = data[-1].get(self.key) if data else None
        self._has_next_page = more and self.cursor is not None

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), self.cursor_param: self.cursor}
