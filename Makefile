# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test check lint decks bench clean

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
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run
	$(BIN)/massage-course serve --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-test
	$(BIN)/massage-course check
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r course quizzes decks webapp commands -ll
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.stamp-run
	$(BIN)/massage-course check

decks: $(VENV)/.stamp-run
	$(BIN)/massage-course decks build --out out/decks

# Speed figures live here, not in timed tests; results go to benchmarks/RESULTS.md.
bench: $(VENV)/.stamp-test
	for script in benchmarks/bench_*.py; do \
		$(BIN)/python -m benchmarks.$$(basename $$script .py) || exit 1; \
	done

clean:
	rm -rf $(VENV) instance/*.sqlite3 tests/artifacts .pytest_cache
