# Two commands matter: `make report` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
YEAR ?= 2022
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help report test test-fast lab preview lint look system-deps clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}' | sed 's/$$(YEAR)/$(YEAR)/g'

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name jaarverslag --display-name "Jaarverslag (Wijkkracht)" >/dev/null
	@touch $@

report: $(STAMP) ## set up the environment if needed and build the $(YEAR) report (HTML and PDF)
	$(VENV)/bin/jaarverslag build --year $(YEAR)

.PHONY: editions
editions: $(STAMP) ## build every edition of $(YEAR): the whole organisation and each gemeente
	$(VENV)/bin/jaarverslag build --year $(YEAR) --all

# Tests run in TEST_JOBS processes (pytest-xdist; auto: one per core). pytest exits 5 when it
# ran no test at all, and make stops on that as on a failure: an empty selection never passes.
TEST_JOBS ?= auto
# The tests start some 250 Python processes (kernels, CLI runs, workers). Where the environment
# sets PYTHONDONTWRITEBYTECODE (these machines do), each would compile the package, and each worker
# rewrite the tests' asserts, from source again: the tests write their bytecode (git-ignored).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

test: $(STAMP) ## run every test: unit, notebooks, backtests, end to end; in parallel (README: how long)
	$(PYTEST) -n $(TEST_JOBS)

test-fast: $(STAMP) ## unit tests and doctests, no report build and no kernel: for the edit loop
	$(PYTEST) -n $(TEST_JOBS) -m "not slow"

.PHONY: bench
bench: $(STAMP) ## time the build against papermill by hand and the limit; cold, no change, one change, all editions; and the preview
	$(PY) bench/build_bench.py
	$(if $(wildcard bench/preview_bench.py),$(PY) bench/preview_bench.py)

# JupyterLab at the project root: data/, the texts and notebooks/ all in its file browser. The
# notebooks name the kernel "jaarverslag", which $(STAMP) installs into the environment.
# Options pass through: make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
lab: $(STAMP) ## open JupyterLab on the whole project (data, texts, notebooks) with the project's kernel; options in LAB_ARGS
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Options pass through: make preview YEAR=2023 PREVIEW_ARGS="--no-browser --port 8001"
PREVIEW_ARGS ?=
preview: $(STAMP) ## show the $(YEAR) HTML in the browser and update it on every change (options in PREVIEW_ARGS)
	$(VENV)/bin/jaarverslag preview --year $(YEAR) $(PREVIEW_ARGS)

lint: $(STAMP) ## ruff on the package, tests and notebooks, then mypy on the package (settings in pyproject.toml)
	$(VENV)/bin/ruff check src tests notebooks $(wildcard bench)
	$(VENV)/bin/mypy

.PHONY: install-hooks
install-hooks: $(STAMP) ## strip notebook outputs and run ruff on every git commit (.pre-commit-config.yaml)
	$(VENV)/bin/pre-commit install

look: $(STAMP) ## screenshot the $(YEAR) HTML (desktop and phone) and the PDF pages into build/look/$(YEAR)/
	$(PY) -m jaarverslag.look build/$(YEAR)/wijkkracht/html build/$(YEAR)/wijkkracht/jaarverslag-$(YEAR)-wijkkracht.pdf build/look/$(YEAR)

system-deps: ## install the Debian packages the tests use (PDF tools, Chromium); needs root
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils chromium libpango-1.0-0 libpangoft2-1.0-0 >/dev/null

clean: ## remove build output (not the environment)
	rm -rf build
