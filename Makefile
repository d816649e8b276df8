# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The demo needs certcheck and the official SDK only (the [aliyun] extra), not the dev tools: its own stamp.
DEMO_STAMP := $(VENV)/.installed-demo
PLUGIN := tests/adapter_plugin

.PHONY: demo test lint bench fixtures fuzz golden mutation clean chromium

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

# Coverage-guided fuzzing (atheris), bounded: FUZZ_SECONDS (default 240). The corpus is seeded from fixtures/
# and kept in build/fuzz/corpus between runs; crashing inputs land in build/fuzz/ (see tests/fuzz/fuzz.py).
FUZZ_SECONDS ?= 240
FUZZ_STAMP := $(VENV)/.installed-fuzz

$(FUZZ_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,fuzz]'
	touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	$(BIN)/python tests/fuzz/seed.py build/fuzz/corpus
	$(BIN)/python tests/fuzz/fuzz.py build/fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix=build/fuzz/

fixtures: $(STAMP)
	$(BIN)/python fixtures/make.py
	$(BIN)/python fixtures/make_estate.py

# Rewrite fixtures/golden/ (the findings of every fixture case) from the current code; review `git diff` after.
golden: $(STAMP)
	$(BIN)/python tests/golden.py --update

# Mutation testing (not part of `make test`; ~15 minutes on 2 cores): mutmut mutates certcheck/rules/,
# certcheck/request.py and certcheck/pem.py ([tool.mutmut] in pyproject.toml) and runs the tests that reach
# each mutant; tests/run_mutmut.py lets it mutate the @rule functions too. Then tests/mutation_report.py prints
# the score per module and every survivor. One mutant's diff: `$(BIN)/mutmut show NAME`.
MUTATION_JOBS ?= 2
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	rm -rf mutants
	$(BIN)/python tests/run_mutmut.py run --max-children $(MUTATION_JOBS) > mutation.log 2>&1 \
		|| (tail -20 mutation.log; exit 1)
	$(BIN)/python tests/mutation_report.py --json mutation-report.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build/fuzz mutants mutation.log mutation-report.json
