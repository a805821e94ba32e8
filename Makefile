# wardnews: `make demo` runs the crawler on the bundled sample sites; `make test` checks everything.
# Both create .venv and install the pinned requirements on first use.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test bench browse lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) -r requirements-dev.txt
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/python -m tests.demo

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2  # two workers: most tests wait on crawl subprocesses

bench: $(VENV)/.dev
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The archive read-only in Datasette: make browse [ARCHIVE=path/to/archive.sqlite3] [PORT=8001]
browse: $(VENV)/.runtime
	$(BIN)/python -m archive browse $(if $(ARCHIVE),--archive $(ARCHIVE)) $(if $(PORT),--port $(PORT))

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data/demo.sqlite3*
