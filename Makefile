# slotapp: `make run` serves the app, `make test` runs every check. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN := .tools/node_modules/.bin/bun
BUN_VERSION := 1.4.5
LIGHTHOUSE := .tools/node_modules/.bin/lighthouse
LIGHTHOUSE_VERSION := 12.8.2
# Lighthouse 12 dropped the PWA category; 11 keeps it, in a prefix of its own.
LIGHTHOUSE_PWA := .tools/lh11/node_modules/.bin/lighthouse
LIGHTHOUSE_PWA_VERSION := 11.7.1
# The OpenID provider the single sign-on tests run (version pinned in tests/oidc/package.json).
OIDC := .tools/oidc/.installed
# `make run` serves here; SLOTAPP_BASE_URL (the public address) must point at this port.
PORT ?= 3000
# The production build and its state folder, apart from the dev server's .web and .states:
# `make run`, `make dev` and the tests' dev server never overwrite each other's build.
PROD_DIRS := REFLEX_WEB_WORKDIR=$(CURDIR)/.artifacts/prod/web \
	REFLEX_STATES_WORKDIR=$(CURDIR)/.artifacts/prod/states

# Keep Reflex off the network: no telemetry, no version check, no registry latency probe.
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)

.PHONY: run dev test bench lint deps test-deps browser clean

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

# Lighthouse 13 needs Node 22; 12 runs on the Node 20 that Reflex uses here.
$(LIGHTHOUSE):
	npm install --silent --no-fund --no-audit --prefix .tools lighthouse@$(LIGHTHOUSE_VERSION)

$(LIGHTHOUSE_PWA):
	npm install --silent --no-fund --no-audit --prefix .tools/lh11 lighthouse@$(LIGHTHOUSE_PWA_VERSION)

deps: $(VENV)/.runtime $(BUN)

$(OIDC): tests/oidc/package.json
	mkdir -p .tools/oidc && cp tests/oidc/package.json .tools/oidc/package.json
	npm install --silent --no-fund --no-audit --prefix .tools/oidc
	touch $@

test-deps: $(VENV)/.dev $(BUN) $(OIDC) browser

browser:
	@bash scripts/ensure-system-packages.sh chromium zbar-tools librsvg2-bin postgresql redis-server

# The production build: pages, websocket and API routes on one port.
run: export SLOTAPP_BASE_URL ?= http://localhost:$(PORT)
run: deps
	$(PY) -m slotapp.cli setup
	@echo "slotapp: building, then serving $(SLOTAPP_BASE_URL) (log in with a demo account above)"
	$(PROD_DIRS) $(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT)

# Development: Vite with hot reload on :3000, the backend and API routes on :8000.
dev: deps
	$(PY) -m slotapp.cli setup
	@echo "slotapp (dev): open http://localhost:3000 (log in with a demo account above)"
	$(VENV)/bin/reflex run --env dev

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy slotapp/core slotapp/services

test: test-deps lint
	$(PY) -m pytest -q

# The engine's timings, then Lighthouse and the booking timings on a production build.
bench: $(VENV)/.dev $(BUN) $(LIGHTHOUSE) $(LIGHTHOUSE_PWA) browser
	$(PY) -m bench.engine
	$(PY) -m bench.feeds
	$(PY) -m bench.routing
	$(PY) -m bench.chat
	$(PY) -m bench
	$(PY) -m bench.push
	$(PY) -m bench.pwa
	$(PY) -m bench.load

clean:
	rm -rf .web .states .artifacts/prod .pytest_cache .mypy_cache .ruff_cache
