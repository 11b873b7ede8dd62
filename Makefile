# fieldsync developer commands. Each target creates .venv itself when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# the PostgreSQL the tests use (CI's and the developers' machines run one here)
FIELDSYNC_TEST_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/test
export FIELDSYNC_TEST_POSTGRES

.PHONY: demo console test lint types unit browser shells screenshots docs dist bench bench-full soak clean

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

# The console on the demo's data (after `make demo`), on http://127.0.0.1:8765/.
console: $(STAMP)
	$(BIN)/fieldsync console --demo

# The browser tests drive Debian's chromium (Playwright cannot download its own here).
# Installed when missing and we may (root with apt-get: CI, the dev machines); otherwise
# the tests say in one line that they skip (they fail instead when CI is set).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "no chromium here and no apt-get as root: the browser tests will skip"; \
	fi

# The completion tests run each script through its shell's syntax check (zsh -n, fish
# --no-execute): installed when missing and we may, as chromium is.
shells:
	@command -v zsh >/dev/null 2>&1 && command -v fish >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing zsh and fish for the completion tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh fish >/dev/null; \
	else \
		echo "no zsh or fish here and no apt-get as root: their completion checks will skip"; \
	fi

# Screenshots of every console screen for docs/console.md, taken by the browser test.
screenshots: $(STAMP) browser
	FIELDSYNC_SCREENSHOTS=docs/console $(BIN)/python -m pytest -q -p no:cacheprovider tests/web

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench tools
	$(BIN)/ruff format --check src tests examples bench tools

types: $(STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict tests/typing
	$(BIN)/pyright --pythonpath $(BIN)/python tests/typing
	$(BIN)/python tools/type_completeness.py --floor 0.995

unit: $(STAMP) browser shells
	$(BIN)/coverage erase
	$(BIN)/pytest -q -m "not soak" -n auto -p no:fieldsync --cov=fieldsync --cov-branch --cov-report=
	$(BIN)/coverage report --include='src/fieldsync/domain/*' --fail-under=95
	$(BIN)/coverage report --fail-under=85

# --strict fails on a broken link; test_api_docs on a public name no reference page
# documents; check_site_resources on a font, script or image from another host.
docs: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -p no:fieldsync tests/unit/test_api_docs.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site
	$(BIN)/python tools/check_site_resources.py .site

test: lint types unit docs

# The sdist and the wheel in dist/ (RELEASING.md), checked: what each holds
# (tools/check_dist.py) and the metadata PyPI will show (twine check).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python tools/check_dist.py dist
	$(BIN)/twine check --strict dist/*

bench: $(STAMP)
	$(BIN)/python -m bench --quick

bench-full: $(STAMP)
	$(BIN)/python -m bench --full

soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak

clean:
	rm -rf $(VENV) .site dist .pytest_cache .mypy_cache .ruff_cache .coverage
