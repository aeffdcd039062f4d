# Two commands matter: `make run` opens the board, `make test` runs the whole suite.
# Both create a local virtual environment (.venv) on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench dev clean compile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Our own modules compiled ahead (only what changed since): where PYTHONDONTWRITEBYTECODE is set,
# or __pycache__ cannot be written, every start compiled ~660 KB of source, 100-170 ms of the
# board's first frame. Python checks each .pyc against its source, so a stale one is never used.
compile: $(STAMP)
	@$(PY) -m compileall -q store tui themes

run: compile
	$(VENV)/bin/disputes $(ARGS)

test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

bench: compile
	$(PY) bench/run.py $(ARGS)

dev: $(STAMP)
	PATH="$(abspath $(VENV))/bin:$$PATH" textual run --dev tui.app:main

clean:
	rm -rf $(VENV) build *.egg-info
