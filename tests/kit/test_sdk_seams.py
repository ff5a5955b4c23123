"""The seams of tapkit.sdk against the installed singer-sdk: each private member the kit relies on
still exists with the signature used, and the SDK still calls it where the kit relies on it; no
member the SDK marks final is overridden; the supported range is the one pyproject states."""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.specifiers import SpecifierSet
from singer_sdk import RESTStream, Stream, Tap
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.helpers._catalog import get_selected_schema, pop_deselected_record_properties
from singer_sdk.pagination import BaseAPIPaginator
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib import Schema
from singer_sdk.singerlib.catalog import MetadataMapping

from tap_systeme.tap import TapSysteme
from tapkit import SUPPORTED_SDK, ClientCredentialsAuthenticator, SuiteStream, SuiteTap
from tapkit.paginators import TokenCursorPaginator
from tapkit.sdk import OAuthSeams, StreamSeams, TapSeams, pop_deselected, selected_schema

ROOT = Path(__file__).resolve().parents[2]
API = "https://api.systeme.io/api"


def params(func: object) -> list[str]:
    return list(inspect.signature(func).parameters)  # type: ignore[arg-type]


def calls(func: object, text: str) -> bool:
    return text in inspect.getsource(func)  # type: ignore[arg-type]


# -- the range ----------------------------------------------------------------------------------
def test_the_installed_sdk_is_in_the_supported_range_pyproject_states():
    # the kit's distribution is the one that depends on the SDK (the taps depend on the kit)
    pyproject = tomllib.loads((ROOT / "taps" / "kit" / "pyproject.toml").read_text())
    deps = [d for d in pyproject["project"]["dependencies"] if d.startswith("singer-sdk")]
    assert deps == [f"singer-sdk[msgspec]{SUPPORTED_SDK}"]
    assert metadata.version("singer-sdk") in SpecifierSet(SUPPORTED_SDK)


def test_no_module_of_the_kit_or_a_tap_imports_the_sdks_private_helpers():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "taps").rglob("*.py")
                 if re.search(r"singer_sdk\.(\w+\.)*_\w+", p.read_text())]
    assert offenders == []


@pytest.mark.parametrize(("ours", "sdk_bases"), [(SuiteTap, (Tap, PluginBase)),
                                                 (SuiteStream, (RESTStream, Stream))])
def test_no_final_sdk_member_is_overridden(ours, sdk_bases):
    finals = {name for base in sdk_bases for name, member in vars(base).items()
              if getattr(member, "__final__", False)}
    assert {"sync_all", "sync"} & finals  # the SDK still marks them (else this test is moot)
    for name in finals:
        owner = next(c for c in ours.__mro__ if name in vars(c))
        assert owner.__module__.startswith("singer_sdk"), f"{owner.__name__}.{name} is final"


# -- TapSeams -----------------------------------------------------------------------------------
def test_env_var_config_is_the_sdks_classproperty_read_when_a_tap_is_built(monkeypatch):
    assert isinstance(inspect.getattr_static(PluginBase, "_env_var_config"), property)
    assert calls(PluginBase.__init__, "self._env_var_config")
    monkeypatch.setenv("TAP_SYSTEME_API_KEY", "k")
    monkeypatch.setenv("TAP_SYSTEME_PAGE_SIZE", " 50.0 ")  # the SDK's int() would fail on it
    monkeypatch.setenv("TAP_SYSTEME_SKIP_INACCESSIBLE", "no")
    tap = TapSysteme(config={}, parse_env_config=True)
    assert (tap.config["page_size"], tap.config["skip_inaccessible"]) == (50, False)


def test_validate_config_keeps_its_signature_and_runs_when_a_tap_is_built():
    assert params(PluginBase._validate_config) == ["self", "raise_errors"]
    assert calls(PluginBase.__init__, "self._validate_config(raise_errors=")
    tap = TapSysteme(config={"api_key": "  k \n", "page_size": "20"})
    assert (tap.config["api_key"], tap.config["page_size"]) == ("k", 20)  # prepare_config ran


def test_handle_termination_is_the_signal_handler_and_the_state_writer_writes_state():
    assert params(Tap._handle_termination) == ["self", "signum", "frame"]
    assert calls(PluginBase._setup_signal_handlers, "self._handle_termination")
    assert "on_signal" in vars(SuiteTap) and "_handle_termination" not in vars(SuiteTap)
    tap = TapSysteme(config={"api_key": "k"})
    assert callable(tap._state_writer.write_state)


def test_the_state_writer_is_built_in_the_taps_init_and_streams_write_through_it():
    assert calls(Tap.__init__, "self._state_writer: StateWriter = StateWriter(")
    assert calls(Stream._write_state_message, "self._tap.state_writer.write_state(self.tap_state)")
    assert calls(Tap.sync_all, "self._state_writer.write_state(self.state)")
    assert "make_state_writer" in vars(SuiteTap) and "_state_writer" not in vars(SuiteTap)
    tap = TapSysteme(config={"api_key": "k"})
    assert tap.state_writer is tap._state_writer
    assert type(tap._state_writer).__name__ == "EncodedStateWriter"


def test_a_sync_ends_with_log_sync_costs_on_every_stream_so_the_tap_finishes_once(
        requests_mock, monkeypatch):
    assert calls(Tap.sync_all, "stream.log_sync_costs()")
    finished: list[int] = []
    monkeypatch.setattr(SuiteTap, "finish_sync", lambda self: finished.append(1))
    requests_mock.get(re.compile(f"{API}/.*"), json={"items": [], "hasMore": False})
    TapSysteme(config={"api_key": "k"}).sync_all()
    assert finished == [1]


def test_sync_all_starts_with_reset_state_progress_markers_so_the_tap_knows_a_run_starts(
        requests_mock, monkeypatch):
    assert params(Tap._reset_state_progress_markers) == ["self"]
    source = inspect.getsource(Tap.sync_all)
    assert source.index("self._reset_state_progress_markers()") < source.index("stream.sync()")
    started: list[int] = []
    monkeypatch.setattr(SuiteTap, "start_sync", lambda self: started.append(1))
    requests_mock.get(re.compile(f"{API}/.*"), json={"items": [], "hasMore": False})
    TapSysteme(config={"api_key": "k"}).sync_all()
    assert started == [1]


def test_selected_is_what_the_sdk_asks_before_syncing_a_stream_or_its_children():
    assert isinstance(inspect.getattr_static(Stream, "selected"), property)
    assert calls(Tap.sync_all, "stream.selected")
    assert calls(Stream._sync_children, "child_stream.selected")


# -- StreamSeams --------------------------------------------------------------------------------
@pytest.mark.parametrize(("member", "signature", "caller", "call"), [
    ("_write_schema_message", ["self"], Stream.sync, "self._write_schema_message()"),
    ("_write_activate_version_message", ["self", "full_table_version"], Stream.sync,
     "self._write_activate_version_message(self._stream_version)"),
    ("_generate_record_messages", ["self", "record"], Stream._write_record_message,
     "self._generate_record_messages(record)"),
    ("_increment_stream_state", ["self", "latest_record", "context"], Stream._sync_records,
     "self._increment_stream_state(record, context="),
    ("_get_state_partition_context", ["self", "context"], Stream._sync_records,
     "self._get_state_partition_context("),
    ("_request", ["self", "prepared_request", "context"], RESTStream.request_records,
     "self.request_decorator(self._request)"),
    ("_process_record", ["self", "record", "child_context", "partition_context"],
     Stream._sync_records, "self._process_record("),
    ("_sync_children", ["self", "child_context"], Stream._process_record,
     "self._sync_children(copy.copy(context))"),
    ("_write_state_message", ["self"], Stream._sync_records, "self._write_state_message()"),
    ("_write_request_duration_log", ["self", "endpoint", "response", "context", "extra_tags"],
     RESTStream._request, "self._write_request_duration_log("),
])
def test_stream_members_keep_their_signature_and_their_caller(member, signature, caller, call):
    assert params(getattr(RESTStream, member)) == signature
    assert calls(caller, call)


def test_the_sdk_asks_the_stream_for_its_meters_and_logs_through_it():
    """Public hooks, but the kit relies on where they are called (tapkit.metrics, tapkit.logs):
    one record counter and sync timer around a whole top-level stream, timer left first."""
    assert calls(Stream._sync_records, "record_counter = self.get_record_counter()")
    assert calls(Stream._sync_records, "timer = self.get_sync_timer()")
    assert calls(Stream._sync_records, "with record_counter, timer:")
    assert calls(RESTStream.request_records, "with self.get_http_request_counter() as")
    assert calls(Stream.sync, "self.log(log_msg, *log_args)")


def test_stream_version_is_set_where_the_sdk_writes_activate_version():
    assert calls(Stream.sync, "self._stream_version = ")
    assert calls(Stream._generate_record_messages, "version=self._stream_version")
    assert StreamSeams.stream_version.fget is not None


def test_the_own_selection_helpers_do_what_the_sdks_private_ones_do():
    schema = {"type": "object", "required": ["a", "b"], "properties": {
        "a": {"type": "string"}, "b": {"type": "object", "properties": {
            "c": {"type": "integer"}, "d": {"type": "string"}}}, "e": {"type": "string"}}}
    entries = MetadataMapping.get_standard_metadata(schema=schema, key_properties=["a"])
    entries[()].selected = True
    entries[("properties", "e")].selected = False
    entries[("properties", "b", "properties", "d")].selected = False
    mask = entries.resolve_selection()
    assert selected_schema(schema, mask) == get_selected_schema("s", schema, mask)
    ours, theirs = ({"a": "x", "b": {"c": 1, "d": "y"}, "e": "z"} for _ in range(2))
    pop_deselected(ours, mask)
    pop_deselected_record_properties(theirs, Schema.from_dict(schema).to_dict(), mask)
    assert ours == theirs == {"a": "x", "b": {"c": 1}}


# -- PaginatorSeams, OAuthSeams -----------------------------------------------------------------
def test_paginator_state_is_what_the_public_properties_read():
    assert {"_value", "_page_count", "_finished"} <= set(
        re.findall(r"self\.(_\w+)", inspect.getsource(BaseAPIPaginator.__init__)))
    paginator = TokenCursorPaginator()
    paginator.count_page()
    paginator.move_to({"pageToken": "p2"})
    assert (paginator.count, paginator.current_value, paginator.finished) == (
        1, {"pageToken": "p2"}, False)
    paginator.finish()
    assert paginator.finished


def test_oauth_constructor_keeps_what_the_token_request_reads():
    assert {"oauth_headers", "default_expiration"} <= set(params(OAuthAuthenticator.__init__))
    auth = ClientCredentialsAuthenticator(token_url="https://t.example/token", client_id="i",
                                          client_secret="s", oauth_headers={"X-A": "1"},
                                          default_expiration=77)
    assert isinstance(auth, OAuthSeams)
    assert (auth.token_headers, auth.default_expiration) == ({"X-A": "1"}, 77)


def test_every_seam_is_a_subclass_of_what_it_overrides():
    assert issubclass(SuiteTap, TapSeams) and issubclass(SuiteStream, StreamSeams)
