"""tap-primetric: the Tap class and its settings."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_primetric import streams
from tapkit import (
    ClientCredentialsAuthenticator,
    SuiteTap,
    common_settings,
)


class TapPrimetric(SuiteTap):
    """Singer tap for the Primetric API (OAuth2 client credentials, Django REST pages)."""

    name = "tap-primetric"
    config_jsonschema = th.PropertiesList(
        *ClientCredentialsAuthenticator.settings(
            "https://api.primetric.com/auth/token/",
            "OAuth2 token endpoint (client-credentials grant).",
            client_id="Client ID of your Primetric API credentials (administrator > "
                      "integrations).",
            client_secret="Client secret of those credentials."),
        *common_settings(api_url="https://api.primetric.com/beta"),
    ).to_dict()
    stream_types = streams.STREAMS
    auth = ClientCredentialsAuthenticator


if __name__ == "__main__":
    TapPrimetric.cli()
