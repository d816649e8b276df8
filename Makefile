# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fixtures clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@bash fixtures/demo.sh $(BIN)/certcheck

# The estate report's tests render it in headless Chromium (Debian's package; CI runs as root on a fresh machine).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y chromium)

test: $(STAMP) chromium
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
	$(BIN)/python fixtures/make_estate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
