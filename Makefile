# The two commands in README.md: `make demo` and `make test`. Each sets itself up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench fuzz soak clean

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

# The app on the built-in virtual treadmill, through the real Bluetooth client: the
# "first steps backward" workout at 4x, so the first turn comes within the first minute.
demo: $(VENV)/.app
	$(BIN)/treadmill demo

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(VENV)/.test
	$(BIN)/python -m bench.decode_bench
	$(BIN)/python -m bench.replay_bench
	$(BIN)/python -m bench.detector_bench
	$(BIN)/python -m bench.eval_detector
	$(BIN)/python -m bench.tui_bench
	$(BIN)/python -m bench.serve_bench
	$(BIN)/python -m bench.serve_bench --phone
	$(BIN)/python -m bench.mqtt_bench
	$(BIN)/python -m bench.pyftms_interop
	$(BIN)/python -m bench.hostile_peer

# Every reader of outside data (decoders, recordings, plans, the profile, MQTT commands) with
# the deep Hypothesis profile, then the decoders for longer still.
fuzz: $(VENV)/.test
	TREADMILL_HYPOTHESIS=deep $(BIN)/python -m pytest -q tests/test_fuzz.py tests/test_hostile_input.py
	$(BIN)/python -m bench.fuzz_codecs

soak: $(VENV)/.test
	$(BIN)/python -m bench.ble_soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
