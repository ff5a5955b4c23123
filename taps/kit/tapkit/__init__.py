"""The shared kit of the suite: its public API is ``__all__``; taps import only from here."""

from tapkit.auth import (
    APIKeyAuthenticator,
    AuthFactory,
    BasicAuthenticator,
    ClientCredentialsAuthenticator,
    HeaderKeyAuth,
    HTTPBasicAuth,
    RefreshTokenAuthenticator,
)
from tapkit.errors import ConfigError, PaginationLoopError, ResponseShapeError, TapError
from tapkit.linked import LinkedResourceStream
from tapkit.paginators import (
    HasMorePaginator,
    LinkHeaderPaginator,
    NextInBodyPaginator,
    PageNumberPaginator,
    SuitePaginator,
    TokenCursorPaginator,
)
from tapkit.quotas import QuotaWait, RefillHeaderWait
from tapkit.sdk import SUPPORTED_SDK
from tapkit.settings import required_settings
from tapkit.shards import shard_settings
from tapkit.stream import SuiteStream
from tapkit.tap import (
    SuiteTap,
    common_settings,
    start_date_setting,
    states_setting,
)
from tapkit.windows import TimeWindowStream

__all__ = [
    "SUPPORTED_SDK",
    "APIKeyAuthenticator",
    "AuthFactory",
    "BasicAuthenticator",
    "ClientCredentialsAuthenticator",
    "ConfigError",
    "HTTPBasicAuth",
    "HasMorePaginator",
    "HeaderKeyAuth",
    "LinkHeaderPaginator",
    "LinkedResourceStream",
    "NextInBodyPaginator",
    "PageNumberPaginator",
    "PaginationLoopError",
    "QuotaWait",
    "RefillHeaderWait",
    "RefreshTokenAuthenticator",
    "ResponseShapeError",
    "SuitePaginator",
    "SuiteStream",
    "SuiteTap",
    "TapError",
    "TimeWindowStream",
    "TokenCursorPaginator",
    "common_settings",
    "required_settings",
    "shard_settings",
    "start_date_setting",
    "states_setting",
]
