# Two entry points (see README "Quick start"): `make report` and `make test`.
# Both create .venv on first use (extras `lab` and `dev`: the report notebooks, JupyterLab,
# the test and lint tools). `make test` also installs the Debian packages the end-to-end
# tests use (cargo's offline criterion, headless chromium, node) when it can (root or
# passwordless sudo); otherwise it says which tests will skip and runs the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.vmbench-installed

.PHONY: setup system report test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: $(STAMP)

system:
	bash scripts/install-system-deps.sh

report: $(STAMP)
	$(BIN)/vmbench report all --output-dir outputs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: system $(STAMP) lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) outputs/*.ipynb outputs/*.html outputs/*.md outputs/*.json
