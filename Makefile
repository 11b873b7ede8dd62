# fieldsync developer commands. Each target creates .venv itself when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# the PostgreSQL the tests use (CI's and the developers' machines run one here)
FIELDSYNC_TEST_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/test
export FIELDSYNC_TEST_POSTGRES

.PHONY: demo test lint types unit docs bench bench-full soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,docs,postgres,procrastinate]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/fieldsync demo

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench
	$(BIN)/ruff format --check src tests examples bench

types: $(STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict tests/typing

unit: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/pytest -q -m "not soak" -n auto --cov=fieldsync --cov-branch --cov-report=
	$(BIN)/coverage report --include='src/fieldsync/domain/*' --fail-under=95
	$(BIN)/coverage report --fail-under=85

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site

test: lint types unit docs

bench: $(STAMP)
	$(BIN)/python -m bench --quick

bench-full: $(STAMP)
	$(BIN)/python -m bench --full

soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak

clean:
	rm -rf $(VENV) .site .pytest_cache .mypy_cache .ruff_cache .coverage
