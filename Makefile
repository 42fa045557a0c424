# Two entry points for a newcomer: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: install demo test lint
install: $(STAMP)

demo: $(STAMP)
	cd example_service && ../$(BIN)/python -m src.demo
	$(BIN)/python scripts/demo_generation.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Lint, the test suite, then the template itself: services generated from it check clean and
# pass their tests (`skf template test` without --quick runs every combination).
test: lint
	$(BIN)/pytest
	$(BIN)/skf template test --quick
