# bureau-data: every command a contributor types. `make help` lists them.
# `make articles` and `make test` install what they need on their first run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KERNEL_NAME := bureau-data
# Jobs of `make articles` (notebooks executed in parallel).
J ?= 2

# The local data folder: ../shared/data when it exists beside the checkout, unless
# BUREAU_DATA_LOCAL_DIR is already set. Leave it empty to download from the official URLs.
SHARED_DATA := $(abspath ../shared/data)
BUREAU_DATA_LOCAL_DIR ?= $(if $(wildcard $(SHARED_DATA)/README.md),$(SHARED_DATA),)
export BUREAU_DATA_LOCAL_DIR

.DEFAULT_GOAL := help
.PHONY: help install articles test check lint types lab bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv, install the package (editable, dev extra) and its Jupyter kernel

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "Python (bureau-data)"
	touch $@

articles: install ## execute the notebooks and build the site in articles/
	$(BIN)/bureau-data construire -j $(J)

test: install ## run the test suite (pytest)
	$(BIN)/python -m pytest

lint: install ## check style with ruff
	$(BIN)/ruff check bureau_data tests

types: install ## check types with mypy
	$(BIN)/mypy

check: lint types test ## lint, types and tests

lab: install ## open JupyterLab on the notebooks
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	$(BIN)/jupyter lab notebooks/

bench: install ## run the benchmarks and write docs/benchmarks.md
	$(BIN)/python benchmarks/run.py

clean: ## remove the built site, the caches and the virtual environment
	rm -rf articles/ data/cache/ .pytest_cache/ .mypy_cache/ .ruff_cache/ $(VENV)
