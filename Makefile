# Recognition — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PYTEST := $(BIN)/pytest

.PHONY: run test test-sqlite test-postgres lint translations install clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

## Compile the message catalogs (.po -> .mo) the app reads.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations > /dev/null

## Create the venv, migrate the SQLite database in instance/, load the demo data, serve.
## No mail server: the e-mails go to the local mailbox, open to all (a demo, never production).
run: $(VENV)/.installed translations
	$(FLASK) recognition init
	$(FLASK) recognition demo
	@echo "Without RECOGNITION_MAIL_HOST no e-mail is sent: read them at http://127.0.0.1:5000/mailbox"
	RECOGNITION_DEMO_MAILBOX=1 $(FLASK) run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Lint, check the catalogs, run the suite on SQLite (browser tests included), then again
## on a fresh PostgreSQL database.
test: $(VENV)/.installed-test translations lint
	$(FLASK) translate check
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-test translations
	$(PYTEST) -q

test-postgres: $(VENV)/.installed-test translations
	RECOGNITION_TEST_DB=postgresql $(PYTEST) -q -m "not browser"

bench: $(VENV)/.installed-test
	$(BIN)/python bench/workflow.py

clean:
	rm -rf $(VENV) instance/recognition.db
