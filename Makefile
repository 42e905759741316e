# Two commands matter: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Two pytest-xdist workers: most of the suite waits on local stacks and subprocesses, not on a core.
# A file's tests stay on one worker, slowest folders first (tests/conftest.py).
PYTEST_WORKERS ?= -n 2 --dist loadgroup --no-loadscope-reorder

.PHONY: demo test install lint unit e2e system-deps clean

demo: install ## Run the local stack: a story on screen at http://127.0.0.1:8000
	$(BIN)/storyteller up

test: install system-deps ## Lint, type-check and run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_WORKERS)

install: $(STAMP)

# --no-compile: bytecode for the ~300 MB of installed sources (aws-cdk-lib alone: 180 MB) is written at first
# import, for the few modules ever imported, instead of for all of it at install (~55 CPU-seconds).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "storyteller needs Python 3.11 or newer (set PYTHON=python3.12, say)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e ".[local,dev,cdk]"
	@rm -f $(VENV)/.installed-*
	@touch $@

system-deps: ## Debian packages the browser tests need (installed when we are root, else named)
	@bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

unit: install
	$(BIN)/python -m pytest tests/unit -q

e2e: install
	$(BIN)/python -m pytest tests/e2e tests/integration -q $(PYTEST_WORKERS)

clean:
	rm -rf $(VENV) .storyteller cdk.out .pytest_cache .mypy_cache .ruff_cache

# --- AWS (docs/deploy.md). The CDK CLI is pinned in package.json and runs from ./node_modules. ---
CDK_ENV := JSII_RUNTIME_PACKAGE_CACHE_ROOT=$(CURDIR)/.jsii-cache JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
CDK     := $(CDK_ENV) npx --no-install cdk
# Extra CLI arguments, e.g. make deploy CDK_ARGS="-c notifyEmail=you@example.org --profile family"
CDK_ARGS ?=

.PHONY: synth deploy diff cdk-cli

cdk-cli: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

synth: install cdk-cli ## Write cdk.out/ (no Docker, no AWS credentials needed)
	$(CDK) synth --quiet $(CDK_ARGS)

diff: install cdk-cli ## What `make deploy` would change in your account
	$(CDK) diff $(CDK_ARGS)

deploy: install cdk-cli ## Deploy to the account and region of your AWS profile (docs/deploy.md)
	$(BIN)/python -m infra.preflight $(CDK_ARGS)
	$(CDK) deploy $(CDK_ARGS)

# --- Benchmarks (bench/README.md): tables on screen, JSON in bench/results/; a few minutes on 2 cores. ---
.PHONY: bench

bench: install ## Every benchmark, then bench/results/summary.json (missed targets are shown, not fatal)
	$(BIN)/python -m bench
