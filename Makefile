# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# test workers (pytest-xdist), each with its own Synapse: the suite mostly waits on the network
WORKERS ?= 3

.PHONY: install js demo test unit integration lint bench clean

$(BIN)/koopbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --upgrade pip
	@# -qq: errors only; setuptools' notices about editable installs are not ours to act on
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --quiet -e '.[dev]'
	touch $(BIN)/koopbot

install: $(BIN)/koopbot

# The Element-stack client of the integration tests (matrix-js-sdk, Rust crypto) runs on
# Node; `npm ci` again only when the lock file changes. Without npm the step says so and
# the test that needs it fails with the same hint.
JS := tests/js
$(JS)/node_modules/.package-lock.json: $(JS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(JS) && npm ci --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: install Node.js >= 20 (apt-get install nodejs npm) for the Element client test"; \
	fi

js: $(JS)/node_modules/.package-lock.json

## installs everything, then: local Synapse + bot + terminal chat (Ctrl-C ends)
demo: install
	$(BIN)/koopbot demo

## installs everything, then the whole suite (unit + integration against a real Synapse)
test: install js
	$(BIN)/pytest -q -p no:cacheprovider -n $(WORKERS)

unit: install
	$(BIN)/pytest -q -n $(WORKERS) -m "not integration"

integration: install js
	$(BIN)/pytest -q -n $(WORKERS) -m integration

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .koopbot-demo .pytest_cache .mypy_cache .ruff_cache $(JS)/node_modules
