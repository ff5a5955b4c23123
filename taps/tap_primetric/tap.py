"""tap-primetric: the Tap class and its settings."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_primetric import streams
from tapkit import ClientCredentialsAuthenticator, SuiteTap, common_settings


class TapPrimetric(SuiteTap):
    """Singer tap for the Primetric API (OAuth2 client credentials, Django REST pages)."""

    name = "tap-primetric"
    config_jsonschema = th.PropertiesList(
        th.Property("client_id", th.StringType, required=True,
                    description="Client ID of your Primetric API credentials "
                                "(administrator > integrations)."),
        th.Property("client_secret", th.StringType, required=True, secret=True,
                    description="Client secret of those credentials."),
        th.Property("token_url", th.URIType, default="https://api.primetric.com/auth/token/",
                    description="OAuth2 token endpoint (client-credentials grant)."),
        *common_settings(api_url="https://api.primetric.com/beta"),
    ).to_dict()
    stream_types = streams.STREAMS
    auth = ClientCredentialsAuthenticator


if __name__ == "__main__":
    TapPrimetric.cli()
