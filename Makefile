# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The demo needs certcheck and the official SDK only (the [aliyun] extra), not the dev tools: its own stamp.
DEMO_STAMP := $(VENV)/.installed-demo
PLUGIN := tests/adapter_plugin

.PHONY: demo test lint bench fixtures clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The dev install also installs a test-only third-party upload adapter (an entry point in another distribution).
$(STAMP): pyproject.toml $(PLUGIN)/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./$(PLUGIN)
	touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[aliyun]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
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
