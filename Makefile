# The two first commands: `make demo` (set up, then run every tap against the local sandbox)
# and `make test`. Everything lives in .venv/ at the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: install demo test lint plugins sandbox bench mutations clean

install: $(VENV)/.installed $(VENV)/.meltano-installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e ".[dev]"
	touch $@

$(VENV)/.meltano-installed: meltano.yml $(VENV)/.installed
	UV_COMPILE_BYTECODE=1 $(BIN)/meltano install
	touch $@

demo: install
	$(BIN)/python -m sandbox.demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Named mutations of the kit, each of which the tests must catch (tests/mutations.py); not part
# of `make test`.
mutations: install
	$(BIN)/python -m tests.mutations

plugins: install
	$(BIN)/python plugins/generate.py

sandbox: install
	$(BIN)/python -m sandbox --port 8765

# The benchmark (bench/README.md). dlt lives in its own venv: its dependencies stay apart from
# the taps'. BENCH_VOLUME, BENCH_REPEATS and BENCH_TAPS shrink it; results in bench/results/.
BENCH_VENV := .venv-bench
DLT_VERSION := 1.31.0

$(BENCH_VENV)/.installed-$(DLT_VERSION):
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BIN)/uv pip install -q --python $(BENCH_VENV)/bin/python "dlt==$(DLT_VERSION)"
	touch $@

bench: $(VENV)/.installed $(BENCH_VENV)/.installed-$(DLT_VERSION)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .meltano output/*/ output/*.jsonl
