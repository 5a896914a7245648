# PAHT — `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PAHT_DATABASE_URL ?= sqlite:///./var/paht.sqlite3

.PHONY: install run test lint format migrate demo worker docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/paht migrate
	$(BIN)/paht demo
	$(BIN)/paht serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist loadgroup -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(BIN)/paht migrate

demo: install
	$(BIN)/paht demo

worker: install
	$(BIN)/paht worker

docs: install
	$(BIN)/paht workflow-docs

clean:
	rm -rf $(VENV) var .pytest_cache
