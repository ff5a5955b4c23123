"""The bench's table of streams (bench/specs.py) against the taps themselves: the bare loops and
the dlt sources request what the table says, so it must list exactly the streams a default run
selects, with the tap's paths, keys, parents, records keys and fixed params."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from bench.specs import SPECS, VOLATILE_PARAMS, TapSpec
from sandbox.credentials import tap_config


def tap_streams(spec: TapSpec) -> dict[str, Any]:
    module = importlib.import_module(f"tap_{spec.name}.tap")
    cls = next(v for k, v in vars(module).items() if k.lower() == f"tap{spec.name}")
    tap = cls(config=tap_config(spec.tap, "http://127.0.0.1:9", **spec.tap_overrides()))
    return tap.streams


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_the_table_lists_the_streams_a_default_run_selects(spec: TapSpec) -> None:
    streams = tap_streams(spec)
    selected = [name for name, stream in streams.items() if stream.selected]
    assert sorted(spec.keys) == sorted(selected)


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_each_row_requests_what_the_tap_requests(spec: TapSpec) -> None:
    streams = tap_streams(spec)
    for row in spec.streams:
        stream = streams[row.name]
        assert row.path == stream.path, row.name
        assert row.key == tuple(stream.primary_keys), row.name
        parent = stream.parent_stream_type
        assert row.parent == (parent.name if parent else None), row.name
        assert row.params == dict(stream.params), row.name
        if spec.name != "basecamp":  # Basecamp's lists are bare arrays (its dock: see specs)
            assert row.records == stream.records_key, row.name
        for placeholder in row.context:
            assert "{" + placeholder + "}" in row.path, row.name


def test_thrive_windows_and_page_caps_are_the_taps() -> None:
    """A first sync sends a window on event streams only (current-state tables read
    everything), and perPage capped where the endpoint caps it."""
    spec = SPECS["thrive"]
    streams = tap_streams(spec)
    for row in spec.streams:
        stream = streams[row.name]
        if getattr(stream, "starts_at_start_date", False):
            assert row.window is not None, row.name
            assert (row.window.since, row.window.until, row.window.cursor,
                    row.window.time_format) == (stream.since_param, stream.until_param,
                                                stream.replication_key, stream.time_format)
        else:
            assert row.window is None, row.name
        assert spec.page_size_of(row, 200) == min(spec.page_size or 200,
                                                  stream.max_page_size), row.name


def test_every_window_upper_bound_is_left_out_of_the_page_parity() -> None:
    windows = [row.window for spec in SPECS.values() for row in spec.streams if row.window]
    assert windows
    assert {w.until for w in windows} == VOLATILE_PARAMS
