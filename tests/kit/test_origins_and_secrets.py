"""Origins (what counts as the same scheme, host and port), the origin guard, and secret
settings as users paste them."""

from __future__ import annotations

import base64

import pytest

from tap_basecamp.tap import TapBasecamp
from tap_systeme.tap import TapSysteme
from tap_thrive.tap import TapThrive
from tapkit import ConfigError
from tapkit.errors import redact
from tapkit.origins import OriginError, OriginGuard, origin_of, setting_url, show
from tapkit.secrets import secret_problems, strip_secrets


@pytest.mark.parametrize(("a", "b"), [
    ("https://api.example.com/v1", "https://API.example.com:443/other?x=1"),
    ("http://h:80/a", "http://h/b"),
    ("https://user:pw@h/a", "https://h/b"),
])
def test_same_origin(a, b):
    assert origin_of(a) == origin_of(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://api.example.com/v1", "http://api.example.com/v1"),  # plain http
    ("https://api.example.com", "https://api.example.com:8443"),
    ("https://api.example.com", "https://evil.example.com"),
    ("https://api.example.com", "https://api.example.com.evil.net"),
])
def test_other_origin(a, b):
    assert origin_of(a) != origin_of(b)


def test_the_guard_names_both_origins_and_the_setting():
    guard = OriginGuard({"https://3.basecampapi.com/999": "api_url"})
    guard.check("https://3.basecampapi.com/999/projects.json?page=2")
    with pytest.raises(OriginError) as raised:
        guard.check("http://3.basecampapi.com/999/projects.json?page=2")
    message = str(raised.value)
    assert "http://3.basecampapi.com" in message and "https://3.basecampapi.com" in message
    assert "api_url" in message


def test_placeholders_are_filled_before_the_origin_is_taken():
    url = setting_url("https://{host}/{account_id}", {"host": "h.example", "account_id": 7})
    assert url == "https://h.example/7" and show(origin_of(url)) == "https://h.example"


def test_basecamp_allows_its_api_and_token_origins():
    tap = TapBasecamp(config={"account_id": "999", "client_id": "c", "client_secret": "s",
                              "refresh_token": "r", "user_agent": "x (a@b.c)"})
    assert tap.allowed_origins("api_url") == {"https://3.basecampapi.com/999": "api_url"}
    assert tap.allowed_origins("token_url") == {
        "https://launchpad.37signals.com/authorization/token": "token_url"}


def test_pasted_whitespace_is_stripped_from_secrets_only():
    config = {"api_key": "  k-123 \r\n", "client_id": " cid ", "password": "\tpw\n"}
    strip_secrets(config, {"api_key", "password"})
    assert config == {"api_key": "k-123", "client_id": " cid ", "password": "pw"}


def test_secret_problems_name_the_setting_never_the_value():
    problems = secret_problems({"api_key": "abc\ndef", "password": "", "client_secret": "ok"},
                               {"api_key", "password", "client_secret"})
    assert len(problems) == 2
    assert "'api_key'" in problems[0] and "abc" not in problems[0]
    assert "'password' is empty" in problems[1]


def test_a_tap_uses_the_stripped_secret():
    tap = TapSysteme(config={"api_key": " key-1234 \n"})
    assert tap.config["api_key"] == "key-1234"
    assert tap.authenticator.auth_headers["X-API-Key"] == "key-1234"


def test_a_whitespace_only_secret_is_refused():
    with pytest.raises(ConfigError, match="'api_key' is empty"):
        TapSysteme(config={"api_key": " \n"})


def test_the_basic_credentials_base64_is_a_secret():
    tap = TapThrive(config={"username": "tenant-1", "password": "pw-12345",
                            "start_date": "2024-01-01T00:00:00Z"})
    tap.authenticator  # noqa: B018
    pair = base64.b64encode(b"tenant-1:pw-12345").decode()
    assert pair in tap.secret_values
    assert pair not in redact(f"echo: {pair}", tap.secret_values)


def test_a_secret_across_the_200_character_cut_is_masked(requests_mock):
    from tap_classroom.tap import TapClassroom
    from tapkit import TapError

    secret = "csecret-across-the-cut-1234"
    api, token = "https://classroom.example.com/v1", "https://oauth.example.com/token"
    requests_mock.post(token, json={"access_token": "tok-abcdef", "expires_in": 3600})
    requests_mock.get(f"{api}/courses", status_code=400, text="E" * 190 + secret)
    stream = TapClassroom(config={"client_id": "c", "client_secret": secret,
                                  "refresh_token": "rtoken-1", "api_url": api,
                                  "token_url": token}).streams["courses"]
    with pytest.raises(TapError) as raised:
        list(stream.get_records(None))
    assert "EEEE" in str(raised.value) and secret[:6] not in str(raised.value)
