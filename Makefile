# slotapp: `make run` serves the app, `make test` runs every check. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN := .tools/node_modules/.bin/bun
BUN_VERSION := 1.4.5

# Keep Reflex off the network: no telemetry, no version check, no registry latency probe.
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)

.PHONY: run test bench lint deps test-deps browser clean

$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(BUN):
	npm install --silent --no-fund --no-audit --prefix .tools bun@$(BUN_VERSION)

deps: $(VENV)/.runtime $(BUN)

test-deps: $(VENV)/.dev $(BUN) browser

browser:
	@bash scripts/ensure-system-packages.sh chromium zbar-tools librsvg2-bin

run: deps
	$(PY) -m slotapp.cli setup
	@echo "slotapp: open http://localhost:3000 (log in with a demo account above)"
	$(VENV)/bin/reflex run --backend-host 127.0.0.1

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy slotapp/core slotapp/services

test: test-deps lint
	$(PY) -m pytest -q

bench: $(VENV)/.runtime
	$(PY) -m bench.engine

clean:
	rm -rf .web .states .pytest_cache .mypy_cache .ruff_cache
