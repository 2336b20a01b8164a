# Sanxiang — `make run` serves the demo on the embedded defaults; `make test` runs the test suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py

.PHONY: run test setup system-deps db demo serve bench clean

$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

db: setup
	$(BIN)/flask db upgrade
	@test -f instance/ledger-signing.key || $(BIN)/flask ledger keygen

demo: db
	$(BIN)/flask demo load

run: demo
	@echo "Serving on http://127.0.0.1:5000 (filesystem object store in instance/objects)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Runs on SQLite unless DATABASE_URL points at PostgreSQL; the S3 tests start moto's server themselves.
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	@cat bench/README.md

clean:
	rm -rf $(VENV) instance .pytest_cache
