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

# Until the workout app lands, the demo coaches the first 4.5 minutes of a built-in
# workout on the virtual treadmill at 10x, through the real Bluetooth client, with the app
# driving the belt; then shows the cued and the real turns, and what the detector made of them.
DEMO_OUT := $(shell mktemp -u /tmp/treadmill-demo-XXXXXX.jsonl)
demo: $(VENV)/.app
	@echo "Treadmill Companion $$($(BIN)/treadmill --version | cut -d' ' -f2): the workout screen is not built yet."
	@echo "Here is the built-in virtual treadmill, found and recorded through the real Bluetooth client:"
	$(BIN)/treadmill scan --virtual
	@echo "Coaching 'first steps backward' (4.5 minutes at 10x), the app driving the belt (--control):"
	$(BIN)/treadmill record --virtual --plan first-steps-backward --control --duration 270 --time-scale 10 --out $(DEMO_OUT)
	@echo "The app's cues and what the virtual runner really did (first lines of $(DEMO_OUT)):"
	@grep -E '"(cue|truth)"' $(DEMO_OUT) | head -12
	@echo "What the direction detector made of it, live (no peeking at the truth):"
	$(BIN)/treadmill analyze $(DEMO_OUT)

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.test
	$(BIN)/python bench/decode_bench.py
	$(BIN)/python bench/replay_bench.py
	$(BIN)/python bench/detector_bench.py
	$(BIN)/python bench/eval_detector.py

fuzz: $(VENV)/.test
	$(BIN)/python bench/fuzz_codecs.py

soak: $(VENV)/.test
	$(BIN)/python bench/ble_soak.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
