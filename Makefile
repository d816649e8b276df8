# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fixtures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@bash fixtures/demo.sh $(BIN)/certcheck

test: $(STAMP)
	$(BIN)/ruff check certcheck tests benchmarks fixtures
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check certcheck tests benchmarks fixtures
	$(BIN)/ruff format --check certcheck tests benchmarks fixtures
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

fixtures: $(STAMP)
	$(BIN)/python fixtures/make.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
