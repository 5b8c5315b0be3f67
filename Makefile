# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# test workers (pytest-xdist), each with its own Synapse: the suite mostly waits on the network
WORKERS ?= 4
# Bytecode is cached: with PYTHONDONTWRITEBYTECODE set (some images set it), every test
# worker, Synapse and bot process would compile the project's modules again (seconds of CPU
# each) and pytest would rewrite every test module's asserts again in each worker.
export PYTHONDONTWRITEBYTECODE =

.PHONY: install js demo test unit integration timeshift lint bench clean

# uv (from PyPI, into the venv) installs the ~120 packages in ~25 s where pip takes 1-3 min;
# a uv already on PATH is used as it is. If uv cannot be had, pip does the same install.
# --compile-bytecode: as pip does, so that test workers do not each compile Synapse anew.
$(BIN)/koopbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@UV=$$(command -v uv || true); \
	if [ -z "$$UV" ] && $(BIN)/pip install --quiet --quiet uv 2>/dev/null; then UV=$(BIN)/uv; fi; \
	if [ -n "$$UV" ] && "$$UV" pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'; then \
		echo "installed with uv"; \
	else \
		echo "installing with pip"; \
		$(BIN)/pip install --quiet --quiet --upgrade pip && \
		PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --quiet -e '.[dev]'; \
	fi
	touch $(BIN)/koopbot

install: $(BIN)/koopbot

# The Element-stack client of the integration tests (matrix-js-sdk, Rust crypto) runs on
# Node; `npm ci` again only when the lock file changes. Without npm the step says so and
# the test that needs it fails with the same hint.
JS := tests/js
$(JS)/node_modules/.package-lock.json: $(JS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(JS) && npm ci --prefer-offline --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: install Node.js >= 20 (apt-get install nodejs npm) for the Element client test"; \
	fi

js: $(JS)/node_modules/.package-lock.json

## installs everything, then: local Synapse + bot + terminal chat (Ctrl-C ends)
demo: install
	$(BIN)/koopbot demo

# loadgroup: the tests of the files in tests/conftest.py ONE_WORKER_FILES (the demo's) stay on
# one worker; all others go wherever a worker is free.
XDIST = -n $(WORKERS) --dist loadgroup

## installs everything, then the whole suite (unit + integration against a real Synapse)
test: install js
	$(BIN)/pytest -q -p no:cacheprovider $(XDIST)

unit: install
	$(BIN)/pytest -q $(XDIST) -m "not integration"

integration: install js
	$(BIN)/pytest -q $(XDIST) -m integration

# the unit tests at other dates (libfaketime: apt-get install faketime): a year and six
# years ahead, across New Year's Eve and a DST switch in Berlin; finds a test that mixes a
# fixed date with the wall clock (two CI runs failed on such time bombs)
timeshift: install
	@command -v faketime >/dev/null || { echo "faketime not found: apt-get install faketime"; exit 1; }
	@for at in "+365d" "+2200d" "@2026-12-31 22:59:00" "@2027-03-28 00:59:00"; do \
		echo "== faketime $$at"; \
		faketime -f "$$at" $(BIN)/pytest -q -p no:cacheprovider $(XDIST) -m "not integration" || exit 1; \
	done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .koopbot-demo .pytest_cache .mypy_cache .ruff_cache $(JS)/node_modules
