# The two first commands: `make demo` (set up, then run every tap against the local sandbox)
# and `make test`. Everything lives in .venv/ at the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: install demo test lint plugins sandbox bench dist mutations clean

# The uv workspace: the kit (taps/kit) and one distribution per tap (taps/tap-<name>), each
# installed editable, plus the repo's tools (dependency group `dev` of pyproject.toml).
PACKAGES := taps/kit $(sort $(wildcard taps/tap-*))
PORT ?= 8765
# Prefix of the demo's and the e2e tests' Postgres schemas (README: two people, one Postgres).
export SCHEMA_PREFIX

install: $(VENV)/.installed $(VENV)/.meltano-installed

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python \
		$(addprefix -e ,$(PACKAGES)) --group dev
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

# The local fake APIs on PORT (`make sandbox PORT=9000`; meltano.yml's sandbox environment
# follows SANDBOX_PORT, which `python -m sandbox` prints).
sandbox: install
	$(BIN)/python -m sandbox --port $(PORT)

# Every distribution's wheel and sdist into dist/ (the kit's and the five taps').
dist: $(VENV)/.installed
	rm -rf dist
	$(BIN)/uv build --all-packages --out-dir dist

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
	rm -rf $(VENV) .meltano dist output/*/ output/*.jsonl
