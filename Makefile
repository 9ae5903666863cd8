# `make run` serves the app; `make test` checks everything. Each sets itself up idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
BUN_VERSION := 1.4.5
BUN := .tools/node_modules/@oven/bun-linux-x64/bin/bun
STAMP := $(VENV)/.installed

export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup lock migrate run test lint typecheck debian browser clean

# requirements-dev.txt is the whole locked tree (runtime + tests and tooling), every file hashed.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(BUN):
	npm install --prefix .tools --no-save --no-audit --no-fund @oven/bun-linux-x64@$(BUN_VERSION)

setup: $(STAMP) $(BUN)

# After editing requirements*.in: re-pin the locks (kept versions stay unless LOCK_ARGS says
# e.g. --upgrade-package ray), for every platform and Python >= 3.11.
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command "make lock"
lock: setup
	$(LOCK) $(LOCK_ARGS) requirements.in -o requirements.txt
	$(LOCK) $(LOCK_ARGS) requirements-dev.in -o requirements-dev.txt
	$(LOCK) docker/web.in -c requirements.txt -o docker/web.txt
	$(LOCK) docker/worker.in -c requirements.txt -o docker/worker.txt

migrate: setup
	$(BIN)/reflex db migrate

# The web app, the embedded broker and the worker actors on a local Ray head; Ctrl-C stops all.
run: migrate
	$(PY) -m workers.laptop

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy todo_app workers

# Debian packages some targets need: `make debian PACKAGE=x COMMAND=y` installs x when y is
# missing (as root; otherwise it says what to install).
debian:
	@command -v $(COMMAND) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGE); \
	  else \
	    echo "$(COMMAND) is missing: install the $(PACKAGE) package."; \
	  fi; }

# The browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@$(MAKE) --no-print-directory debian PACKAGE=chromium COMMAND=chromium

test: lint typecheck browser
	$(BIN)/pytest -q

# Every benchmark of bench/registry.py, then bench/results/latest.{json,md}; not part of test.
# BENCH_ARGS=--quick for small sizes, BENCH_ARGS="--only events,realtime" for some of them.
.PHONY: bench
bench: setup browser
	@$(MAKE) --no-print-directory debian PACKAGE=taskwarrior COMMAND=task
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf .web .states
