# make demo / make test work on a fresh machine with only Python and make: they build .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck demo bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite waits more than it computes (subprocesses, sockets): more workers than cores still pays.
TEST_WORKERS ?= 4

# Compiled once up front: with PYTHONDONTWRITEBYTECODE set, as on our machines, each of the suite's thousands of
# short processes (the stand-in akka above all) would otherwise compile the same sources again.
test: lint typecheck
	$(BIN)/python -m compileall -q -j 0 bootstrap providers tests >/dev/null
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

demo: $(STAMP)
	$(BIN)/python -m bootstrap.sandbox.demo

bench: $(STAMP)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/onboard.py

clean:
	rm -rf $(VENV) build *.egg-info
