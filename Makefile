# Two commands matter: `make run` opens the board, `make test` runs the whole suite.
# Both create a local virtual environment (.venv) on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench dev clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/disputes $(ARGS)

test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py $(ARGS)

dev: $(STAMP)
	PATH="$(abspath $(VENV))/bin:$$PATH" textual run --dev tui.app:main

clean:
	rm -rf $(VENV) build *.egg-info
