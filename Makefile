# The two first commands: `make demo` (set up, then run every tap against the local sandbox)
# and `make test`. Everything lives in .venv/ at the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: install demo test lint plugins sandbox bench clean

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

plugins: install
	$(BIN)/python plugins/generate.py

sandbox: install
	$(BIN)/python -m sandbox --port 8765

clean:
	rm -rf $(VENV) .meltano output/*/ output/*.jsonl
