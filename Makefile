# WorkHub: `make run` to try it, `make test` to run the whole suite. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgresql install install-test translations extract-messages lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: | $(BIN)/python
	$(BIN)/pybabel compile -d workhub/translations --statistics

## Refresh messages.pot and merge it into the catalogues (developers, after changing strings).
## --ignore-dirs '.*': Babel's default also skips folders starting with _ (templates/_macros).
extract-messages: install-test
	$(BIN)/pybabel extract -F workhub/babel.cfg --ignore-dirs '.*' -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
	  --no-location --sort-output -o workhub/translations/messages.pot .
	$(BIN)/pybabel update -i workhub/translations/messages.pot -d workhub/translations \
	  --no-fuzzy-matching --ignore-obsolete -w 100

run: install
	$(BIN)/workhub init-db
	$(BIN)/workhub demo
	WORKHUB_ENV=$${WORKHUB_ENV:-development} $(BIN)/workhub serve --host 127.0.0.1 --port 5000

# The two databases run side by side (one per core); each pass prints its output when it ends.
test: install-test
	bash .ci/system-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

test-sqlite:
	WORKHUB_TEST_DB=sqlite $(BIN)/pytest --basetemp=.pytest-tmp-sqlite $(PYTEST_ARGS)

# The access matrix and the axe pages are split between the passes, about two thirds on SQLite
# (tests/core/test_access_matrix.py, tests/core/test_browser_axe.py).
test-postgresql:
	WORKHUB_TEST_DB=postgresql WORKHUB_TEST_DATABASE_URL="$${WORKHUB_TEST_DATABASE_URL:-$(PG_URL)}" \
	  $(BIN)/pytest --basetemp=.pytest-tmp-postgresql $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check workhub transcription surveys tests

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts .pytest_cache .pytest-tmp-*
