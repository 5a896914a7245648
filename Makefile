# PAHT — `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PAHT_DATABASE_URL ?= sqlite:///./var/paht.sqlite3

.PHONY: install run test test-slow lint format migrate demo worker docs clean messages bench bench-quick bench-profile audit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The web's front-end libraries (package.json pins them; the app serves them from node_modules) and its
# compiled message catalogues (src/paht/locale/*/LC_MESSAGES/messages.mo).
NODE_STAMP := node_modules/.installed
MO_FILES := $(patsubst %.po,%.mo,$(wildcard src/paht/locale/*/LC_MESSAGES/messages.po))

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

src/paht/locale/%/LC_MESSAGES/messages.mo: src/paht/locale/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

install: $(STAMP) $(NODE_STAMP) $(MO_FILES)

# Re-extract the web's messages and merge them into the catalogues (then translate the new vi entries).
messages: install
	$(BIN)/pybabel extract -F src/paht/locale/babel.cfg -k N_ --no-location --sort-output --project=PAHT -o src/paht/locale/messages.pot .
	$(BIN)/pybabel update -i src/paht/locale/messages.pot -d src/paht/locale --width=120 --ignore-obsolete --no-fuzzy-matching

run: install
	$(BIN)/paht migrate
	$(BIN)/paht demo
	$(BIN)/paht serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist worksteal -q -m 'not slow'

# The long runs: everything marked slow, and the statistics property test with 200 sequences (15 in make test).
# tests/reliability: kill -9 crash rounds until ≥ 1,000 acknowledged reports (set PAHT_TEST_POSTGRES_URL for both).
test-slow: install
	$(BIN)/pytest -q -m slow
	PAHT_STATS_EXAMPLES=200 $(BIN)/pytest -q tests/stats/test_property.py

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

# Benchmarks (docs/benchmarks.md): PAHT against the raw reference app in bench/, on SQLite and PostgreSQL.
BENCH_STAMP := $(VENV)/.installed-bench
PAHT_BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export PAHT_BENCH_POSTGRES_URL

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --quick

bench-profile: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --quick --workloads W2 >/dev/null
	$(BIN)/python -m bench.profile --database-url sqlite:///var/bench/bench-20000-s7.sqlite3

# Supply chain (issue 8 item 10): bandit (medium and high) on src/, and pip-audit on every installed pin.
# pip-audit asks PyPI's JSON API for advisories; where only the package index is reachable it cannot
# check anything, so it fails loudly unless PAHT_AUDIT_OFFLINE_OK=1 says to carry on without it.
# Accepted advisories go in AUDIT_IGNORES as `--ignore-vuln ID` with a dated reason here; none so far.
AUDIT_STAMP := $(VENV)/.installed-audit
AUDIT_IGNORES :=
ADVISORY_PROBE := import urllib.request; urllib.request.urlopen("https://pypi.org/pypi/pip/24.0/json", timeout=30)

$(AUDIT_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,audit]'
	touch $(AUDIT_STAMP)

audit: $(AUDIT_STAMP)
	$(BIN)/bandit -r src -ll -q
	@if $(BIN)/python -c '$(ADVISORY_PROBE)' 2>/dev/null; then \
		$(BIN)/pip-audit --strict --skip-editable --progress-spinner off $(AUDIT_IGNORES); \
	elif [ "$${PAHT_AUDIT_OFFLINE_OK:-}" = 1 ]; then \
		echo "WARNING: PyPI's advisory API is unreachable: pip-audit did NOT run (PAHT_AUDIT_OFFLINE_OK=1)" >&2; \
	else \
		echo "FATAL: PyPI's advisory API is unreachable: pip-audit cannot check the pins" >&2; exit 1; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache
