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

## Production on one machine: check the settings, migrate the PostgreSQL database, then run
## the Procfile with honcho: gunicorn (gunicorn.conf.py), the outbox sender and the scheduler.
## Stop with Ctrl-C or SIGTERM. Never falls back to SQLite or to the development key.
.PHONY: serve
serve: export PORT ?= 8000
serve: export RATELIMIT_STORAGE_URI ?= redis://127.0.0.1:6379/0
serve: export PYTHONUNBUFFERED = 1
serve:
	@if [ -z "$$DATABASE_URL" ]; then \
	  echo "make serve: set DATABASE_URL to the PostgreSQL database, e.g." >&2; \
	  echo "  DATABASE_URL=postgresql://recognition:PASSWORD@127.0.0.1:5432/recognition" >&2; \
	  exit 1; fi
	@case "$$DATABASE_URL" in postgres://*|postgresql://*|postgresql+psycopg://*) ;; \
	  *) echo "make serve: DATABASE_URL must name a PostgreSQL database (postgresql://...)," \
	       "not $${DATABASE_URL%%:*}: production needs its row locks and SKIP LOCKED" >&2; \
	     exit 1;; esac
	@if [ -z "$$SECRET_KEY" ] || [ "$$SECRET_KEY" = dev-only-change-me ]; then \
	  echo "make serve: set SECRET_KEY to a secret of your own (it signs sessions and links), e.g." >&2; \
	  echo "  SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; \
	  exit 1; fi
	@if [ $${#SECRET_KEY} -lt 32 ]; then \
	  echo "make serve: SECRET_KEY is too short to be safe: 32 characters at least" >&2; \
	  exit 1; fi
	@case "$$RATELIMIT_STORAGE_URI" in memory://*) \
	  echo "make serve: RATELIMIT_STORAGE_URI=memory:// counts in each worker apart;" \
	       "use a shared storage such as redis://127.0.0.1:6379/0" >&2; exit 1;; esac
	@[ -n "$$RECOGNITION_BASE_URL" ] || echo "make serve: RECOGNITION_BASE_URL is not set:" \
	  "links in e-mails will point to http://127.0.0.1:5000" >&2
	@$(MAKE) --no-print-directory install translations
	@$(BIN)/python -c 'import os, sys; from limits.storage import storage_from_string; \
	  sys.exit(not storage_from_string(os.environ["RATELIMIT_STORAGE_URI"]).check())' \
	  || { echo "make serve: the rate limits' storage $$RATELIMIT_STORAGE_URI does not answer" \
	       "(start Redis, or set RATELIMIT_STORAGE_URI)" >&2; exit 1; }
	$(FLASK) recognition init
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start -f Procfile

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Lint, check the catalogs, then run the suite on SQLite (browser tests included) and on a
## fresh PostgreSQL database at the same time, one CPU each; each run's output is printed
## whole when it ends (TEST_JOBS=1: one after the other).
TEST_JOBS ?= 2
test: $(VENV)/.installed-test translations lint
	$(FLASK) translate check
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-test translations
	$(PYTEST) -q

test-postgres: $(VENV)/.installed-test translations
	RECOGNITION_TEST_DB=postgresql $(PYTEST) -q -m "not browser"

bench: $(VENV)/.installed-test
	$(BIN)/python bench/workflow.py

clean:
	rm -rf $(VENV) instance/recognition.db
