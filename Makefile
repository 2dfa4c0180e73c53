# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app participation
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench bench-load install test-provider translations extract-messages db demo clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The Nu HTML Checker that the browser tests run on every page (npm's vnu-jar, run with Java),
# reinstalled when package-lock.json changes. --ignore-scripts: vnu-jar's postinstall would
# download a Java runtime of its own; the machine's java runs the jar. Without npm the site
# still runs; the browser tests then skip the checker (and fail in CI).
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "npm is missing: the Nu HTML Checker is not installed (apt-get install -y npm)"; fi

install: $(VENV)/.installed node_modules/.installed translations test-provider

# The tests' OpenID Provider (tests/oidc: the certified oidc-provider package) needs Node.js 20+
# and npm; its packages are installed from the lock file, again when the lock file changes.
# Without Node.js the site still runs (`make run` needs only Python and make); those tests then
# skip, and fail in CI, whose .ci/run installs Node.js.
tests/oidc/node_modules/.package-lock.json: tests/oidc/package-lock.json
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "Node.js and npm are missing: the tests' OpenID Provider is not installed (apt-get install -y nodejs npm)"; fi
test-provider: tests/oidc/node_modules/.package-lock.json

# Compiled catalogues are build output (not committed); rebuilt when a .po file changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard participation/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@ 2>&1 | tail -n 1
translations: $(MO_FILES)

# Update the catalogues after changing strings: then translate the new entries in the .po files.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location -F babel.cfg -k _l -o participation/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i participation/translations/messages.pot -d participation/translations
	$(BIN)/python scripts/tidy_catalogues.py

# A random secret key of this machine's own, made once (the site refuses the default one).
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_urlsafe(48)!r}')" > $@

db: install instance/config.py
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo

# Serves the site with demo data on the embedded SQLite database, a local mail catcher
# (mail is printed here and kept in instance/mail/) and the mail worker.
run: demo
	$(BIN)/python scripts/run_local.py --host $(HOST) --port $(PORT)

# Static checks: ruff (mistakes), bandit (security findings of medium severity or higher) and
# import-linter (the layers: core imports no feature, no feature imports another's views; the
# contracts are in pyproject.toml), and every imported package declared in pyproject.toml.
# Run again only when a checked file changed since it last passed (.ci/run calls `make test`
# twice, once per database: the second finds nothing new to check).
LINTED := $(shell git ls-files 'participation/*.py' 'tests/*.py' 'bench/*.py' 'scripts/*.py' 'migrations/*.py' 2>/dev/null) pyproject.toml
$(VENV)/.linted: $(VENV)/.installed $(LINTED)
	$(BIN)/ruff check participation tests bench scripts migrations
	$(BIN)/bandit -q -c pyproject.toml -r participation --severity-level medium
	$(BIN)/lint-imports
	$(BIN)/python scripts/undeclared_imports.py
	touch $@
lint: $(VENV)/.linted

# The whole suite, on every core (TEST_WORKERS=0: in this process, one test after another).
# DATABASE_URL=postgresql://... runs it on PostgreSQL. Each worker makes its own database, mail
# server and browser (the fixtures in tests/conftest.py are per worker session); a module's
# tests stay on one worker (loadscope), so a server its tests share is started once.
TEST_WORKERS ?= auto
test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# Speed targets live here, not in the tests (see README, Benchmarks): pages under wrk against
# baselines, queries per page and the export, on SQLite and PostgreSQL; writes bench/REPORT.md.
# BENCH_ARGS=--quick for a fast check (see bench/pages.py for the options).
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# Throughput of posting: the load of tests/test_load.py (5,000 posts from 50 people over two
# gunicorn instances on PostgreSQL and Redis), measured; writes bench/load.json.
# LOAD_ARGS="--users 20 --posts 40" for a smaller load (see bench/load.py).
bench-load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules participation/translations/*/LC_MESSAGES/*.mo tests/oidc/node_modules
