"""tap-systeme: the Tap class and its settings."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_systeme import streams
from tapkit import HeaderKeyAuth, SuiteTap, common_settings, required_settings

PAGE_SIZE_MIN, PAGE_SIZE_MAX = 10, 100


class TapSysteme(SuiteTap):
    """Singer tap for the systeme.io public API."""

    name = "tap-systeme"
    config_jsonschema = th.PropertiesList(
        *required_settings(
            secret=True,
            api_key="Public API key (systeme.io: Profile settings > Public API keys)."),
        *common_settings(api_url="https://api.systeme.io/api"),
        th.Property("page_size", th.IntegerType(minimum=PAGE_SIZE_MIN, maximum=PAGE_SIZE_MAX),
                    default=PAGE_SIZE_MAX,
                    description=f"limit sent on every list call ({PAGE_SIZE_MIN} to "
                                f"{PAGE_SIZE_MAX})."),
    ).to_dict()
    stream_types = streams.STREAM_TYPES
    auth = HeaderKeyAuth("X-API-Key", "api_key")


if __name__ == "__main__":
    TapSysteme.cli()
