# Two commands: `make run` and `make test`. Both set up everything they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lock system run test lint typecheck structure pytest problems bench clean

install: system $(STAMP)

system:
	@PYTHON=$(PYTHON) scripts/system-packages.sh

# Installs exactly what requirements.lock pins (versions and hashes); nothing is resolved here.
# `make lock` re-resolves on purpose; commit the new lock on its own.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "InterviewKit needs Python >= 3.11 (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

lock:
	scripts/lock.sh

run: install
	$(BIN)/interviewkit serve

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

# import cycles, files over 700 lines, imports pointing up the layers (LAYERS in the script)
structure: install
	$(BIN)/python scripts/check_structure.py

pytest: install
	$(BIN)/pytest

# every reference solution in every language against all its tests, in the sandbox
problems: install
	$(BIN)/interviewkit problems validate

test: lint typecheck structure pytest problems

bench: install
	$(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
