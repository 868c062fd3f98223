# Beatdesk: `make demo` runs the platform with its demo, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON_CANDIDATES := $(HOME)/.pyenv/versions/3.13.0/bin/python3.13 python3.13 python3.12
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) 2>/dev/null)))
STAMP := $(VENV)/.installed
# npm ci writes this file; it is newer than package-lock.json once the install is current.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: demo test test-long fuzz lint types unit venv lock messages clean

$(NODE_STAMP): package-lock.json package.json
	@command -v npm >/dev/null || { \
	  echo "Beatdesk needs npm for its front-end packages: apt-get install npm, then retry." >&2; \
	  exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(STAMP): requirements.lock pyproject.toml $(NODE_STAMP)
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Beatdesk needs Python 3.13 or 3.12: install one (pyenv install 3.13.0) and retry." >&2; \
	  exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/beatdesk demo $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: $(STAMP)
	$(BIN)/mypy beatdesk tests

# Which tests `make unit` runs; CI narrows it to run the browser tests in one phase only.
PYTEST_ARGS ?= -m "not long"

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types unit

test-long: $(STAMP)
	$(BIN)/pytest -m long

# Every parser under atheris for 30 s (BEATDESK_FUZZ_SECONDS=N to change); `make test` runs
# them too, and `make test-long` gives each a million executions.
fuzz: $(STAMP)
	$(BIN)/pytest -m fuzz tests/fuzz

# Regenerate the exact pins after changing pyproject.toml; commit the lock on its own.
lock:
	uv pip compile pyproject.toml --extra test --extra bench --python-version 3.13 -o requirements.lock --no-header

messages: $(STAMP)
	cd beatdesk && ../$(BIN)/beatdesk makemessages -l zh_Hans --no-obsolete
	cd beatdesk && ../$(BIN)/beatdesk compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
