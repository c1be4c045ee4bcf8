# edugate: `make run` brings the system up with a demo province; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_SIZE ?= small
STAMP := $(VENV)/.installed

.PHONY: help run test bench lint typecheck test-sqlite test-postgres test-both messages install system-run system-test lock clean

help:
	@echo "make run    set up, load the demo province, serve on http://$(HOST):$(PORT)/admin/"
	@echo "make test   ruff, mypy and the whole suite on SQLite and PostgreSQL"
	@echo "make bench  the benchmarks (province scale), each printing its figure"

system-run:
	@scripts/system-packages.sh run

system-test:
	@scripts/system-packages.sh test

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: system-run $(STAMP) messages

messages:
	$(BIN)/edugate compilemessages -v0 --ignore '.venv' --ignore 'var'

run: install
	$(BIN)/edugate migrate --noinput -v0
	$(BIN)/edugate demo --size $(DEMO_SIZE) --if-empty
	$(BIN)/edugate portals demo
	$(BIN)/edugate groups preset department
	$(BIN)/edugate dkim keygen --missing
	$(BIN)/edugate mail up
	$(BIN)/edugate up --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check edugate tests bench

typecheck: $(STAMP)
	$(BIN)/mypy edugate

test-sqlite: $(STAMP)
	$(BIN)/pytest -q

test-postgres: $(STAMP)
	EDUGATE_DATABASE_URL="$$(scripts/test-postgres-url.sh)" $(BIN)/pytest -q -m "not browser"

test-both: $(STAMP)
	scripts/run-tests.sh

test: system-test install lint typecheck test-both

bench: install
	$(BIN)/python bench/run.py

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/edugate-lock && $(PYTHON) -m venv /tmp/edugate-lock
	/tmp/edugate-lock/bin/pip install -q '.[dev]'
	/tmp/edugate-lock/bin/pip freeze --exclude edugate > constraints.txt

clean:
	rm -rf $(VENV) var/static
