# The two commands in README.md: `make demo` and `make test`. Each sets itself up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench fuzz clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Treadmill Companion needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@ $(VENV)/.app

# Until the workout app lands, the demo decodes real treadmill frames (see README).
demo: $(VENV)/.app
	@echo "Treadmill Companion $$($(BIN)/treadmill --version): the workout app is not built yet;"
	@echo "here is what the decoder makes of frames recorded from real treadmills."
	$(BIN)/treadmill decode 2acd 84242c01110000010000000016001b0000
	$(BIN)/treadmill decode 2acd 1f0084012a00000000000001000000
	$(BIN)/treadmill decode 2acd 80064e020200ffffff372700
	$(BIN)/treadmill decode 2ada 059600
	$(BIN)/treadmill decode 2ad9 800701
	$(BIN)/treadmill decode 2a37 1659a202

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.test
	$(BIN)/python bench/decode_bench.py

fuzz: $(VENV)/.test
	$(BIN)/python bench/fuzz_codecs.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
