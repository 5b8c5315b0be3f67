# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test unit integration lint bench clean

$(BIN)/koopbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --upgrade pip
	@# -qq: errors only; setuptools' notices about editable installs are not ours to act on
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --quiet -e '.[dev]'
	touch $(BIN)/koopbot

install: $(BIN)/koopbot

## installs everything, then: local Synapse + bot + terminal chat (Ctrl-C ends)
demo: install
	$(BIN)/koopbot demo

## installs everything, then the whole suite (unit + integration against a real Synapse)
test: install
	$(BIN)/pytest -q -p no:cacheprovider

unit: install
	$(BIN)/pytest -q -m "not integration"

integration: install
	$(BIN)/pytest -q -m integration

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .koopbot-demo .pytest_cache .mypy_cache .ruff_cache
