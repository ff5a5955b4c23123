"""The shared kit of the suite: paginators, authenticators, retry policy, base stream and tap."""

from tapkit.auth import (
    APIKeyAuthenticator,
    BasicAuthenticator,
    ClientCredentialsAuthenticator,
    RefreshTokenAuthenticator,
)
from tapkit.errors import ConfigError, PaginationLoopError, ResponseShapeError, TapError
from tapkit.paginators import (
    HasMorePaginator,
    LinkHeaderPaginator,
    NextInBodyPaginator,
    PageNumberPaginator,
    TokenCursorPaginator,
)
from tapkit.stream import SuiteStream
from tapkit.tap import SuiteTap, common_settings, start_date_setting

__all__ = [
    "APIKeyAuthenticator",
    "BasicAuthenticator",
    "ClientCredentialsAuthenticator",
    "ConfigError",
    "HasMorePaginator",
    "LinkHeaderPaginator",
    "NextInBodyPaginator",
    "PageNumberPaginator",
    "PaginationLoopError",
    "RefreshTokenAuthenticator",
    "ResponseShapeError",
    "SuiteStream",
    "SuiteTap",
    "TapError",
    "TokenCursorPaginator",
    "common_settings",
    "start_date_setting",
]
