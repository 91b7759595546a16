# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs on every core (pytest-xdist) and names its slowest tests, so a slow newcomer is seen.
# worksteal hands each worker a contiguous run of tests and lets an idle one take the rest of another's, so
# a page tour (one test per page) spreads over the workers, each building the module's server once.
# `make test PYTEST_ARGS=` runs it serially.
PYTEST_ARGS ?= -n auto --dist worksteal --durations=15

.PHONY: run test check lint browser decks addon bench clean

# The stamp files depend on pyproject.toml, so a second `make run` with nothing
# changed skips the install entirely.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# `massage-course backup/restore` on PostgreSQL (and their tests) need pg_dump, pg_restore and psql.
	@command -v pg_dump >/dev/null || apt-get install -y -q postgresql-client || sudo -n apt-get install -y -q postgresql-client \
		|| echo "warning: pg_dump missing and postgresql-client could not be installed; PostgreSQL backups will fail"
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run
	$(BIN)/massage-course serve --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-test browser lint
	$(BIN)/massage-course check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Static checks: import rules, types (mypy --strict), unused names and import order.
lint: $(VENV)/.stamp-test
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check course quizzes decks webapp commands anki_addon tests benchmarks
	$(BIN)/bandit -q -r course quizzes decks webapp commands anki_addon -ll

# The browser tests drive Debian's Chromium; install it when it is missing and we
# may (root, apt), otherwise stop and say the one command that installs it.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium. Install it with:"; \
			echo "    sudo apt-get install chromium"; \
			exit 1; \
		fi; \
	fi

check: $(VENV)/.stamp-run
	$(BIN)/massage-course check

decks: $(VENV)/.stamp-run
	$(BIN)/massage-course decks build --out out/decks

# The course's Anki add-on (anki_addon/) as out/decks/massage-safety-sync.ankiaddon.
addon: $(VENV)/.stamp-run
	$(BIN)/massage-course decks addon --out out/decks

# Speed figures live here, not in timed tests; results go to benchmarks/RESULTS.md.
# The school benchmarks need the 2,000-student synthetic school (about 6 minutes to seed on
# SQLite; made once under BENCH_DIR and reused). BENCH_POSTGRES_URL (a database of its own,
# seeded the same way) adds the PostgreSQL rows; wrk must be installed for the serving figures,
# and Redis (BENCH_REDIS_URL) for the servers' rate limits and the instructor snapshots.
BENCH_DIR ?= /tmp/massage-bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
BENCH_SCHOOL := $(BENCH_DIR)/school2000.sqlite3
# Capacity (students per core at p99 <= 100 ms) and the exam-start rush: their options, e.g. a quiet-machine rerun
# with the defaults, or a short one: make bench CAPACITY_ARGS="--start 5 --step 5 --probe 10" RUSH_ARGS="--max-n 300"
CAPACITY_ARGS ?=
RUSH_ARGS ?=
bench: $(VENV)/.stamp-test
	$(BIN)/python -m benchmarks.bench_quizzes
	$(BIN)/python -m benchmarks.bench_decks
	$(BIN)/python -m benchmarks.bench_readiness
	mkdir -p $(BENCH_DIR)
	test -f $(BENCH_SCHOOL) || $(BIN)/python -m benchmarks.bench_seed --database-url sqlite:///$(BENCH_SCHOOL)
	$(BIN)/python -c "from webapp.platform.migrate import upgrade; upgrade('sqlite:///$(BENCH_SCHOOL)')"
	$(BIN)/python -m benchmarks.bench_dashboard --database-url sqlite:///$(BENCH_SCHOOL)
	$(BIN)/python -m benchmarks.bench_flatness --large sqlite:///$(BENCH_SCHOOL) \
		--small sqlite:///$(BENCH_DIR)/school200.sqlite3 --make-small
	cp $(BENCH_SCHOOL) $(BENCH_DIR)/serving.sqlite3  # the answer loop writes
	$(BIN)/python -m benchmarks.bench_serving --database-url sqlite:///$(BENCH_DIR)/serving.sqlite3 --redis-url $(BENCH_REDIS_URL)
	$(BIN)/python -m benchmarks.bench_dashboard_load --database-url sqlite:///$(BENCH_DIR)/serving.sqlite3 \
		--redis-url $(BENCH_REDIS_URL) --without-snapshot
	cp $(BENCH_SCHOOL) $(BENCH_DIR)/capacity.sqlite3  # the students write
	$(BIN)/python -m benchmarks.bench_capacity --database-url sqlite:///$(BENCH_DIR)/capacity.sqlite3 \
		--redis-url $(BENCH_REDIS_URL) $(CAPACITY_ARGS)
	cp $(BENCH_SCHOOL) $(BENCH_DIR)/rush.sqlite3
	$(BIN)/python -m benchmarks.bench_rush --database-url sqlite:///$(BENCH_DIR)/rush.sqlite3 --redis-url $(BENCH_REDIS_URL) $(RUSH_ARGS)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		$(BIN)/python -m benchmarks.bench_dashboard --database-url "$(BENCH_POSTGRES_URL)" && \
		$(BIN)/python -m benchmarks.bench_serving --database-url "$(BENCH_POSTGRES_URL)" --redis-url $(BENCH_REDIS_URL) && \
		$(BIN)/python -m benchmarks.bench_dashboard_load --database-url "$(BENCH_POSTGRES_URL)" \
			--redis-url $(BENCH_REDIS_URL) --without-snapshot && \
		$(BIN)/python -m benchmarks.bench_capacity --database-url "$(BENCH_POSTGRES_URL)" \
			--redis-url $(BENCH_REDIS_URL) $(CAPACITY_ARGS) && \
		$(BIN)/python -m benchmarks.bench_rush --database-url "$(BENCH_POSTGRES_URL)" --redis-url $(BENCH_REDIS_URL) $(RUSH_ARGS); \
	else echo "BENCH_POSTGRES_URL is not set: PostgreSQL figures skipped"; fi

clean:
	rm -rf $(VENV) instance/*.sqlite3 tests/artifacts .pytest_cache
