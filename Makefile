# The README's commands. Each creates the virtual environment first if needed.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DATA   ?= data
PORT   ?= 8001
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-packages.sh scripts/system-packages.txt
	bash scripts/install-system-packages.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,ocr]'
	touch $@

demo: $(STAMP)
	$(VENV)/bin/nianbao --data $(DATA) demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
