# Two commands matter (README): `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLES := samples/bundle

.PHONY: demo test bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("hv needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

DEMO_OUT := samples/out

demo: $(VENV)/.installed  ## the reports of the bundled samples, in samples/out/
	mkdir -p $(DEMO_OUT)
	$(BIN)/hv import --config $(SAMPLES)/hv.toml
	$(BIN)/hv check --config $(SAMPLES)/hv.toml --fail-on never -o $(DEMO_OUT)/report.xlsx -o $(DEMO_OUT)/report.html
	$(BIN)/hv check --config $(SAMPLES)/hv.toml --fail-on never -q --by town -o $(DEMO_OUT)/督导清单.xlsx --annotate
	$(BIN)/hv rates --config $(SAMPLES)/hv.toml

test: $(VENV)/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.installed  ## import/check of a 1M-person bundle, linking 1M x 1M, a 1M-finding history, every report
	$(BIN)/python bench/run.py
	$(BIN)/python bench/link_bench.py
	$(BIN)/python bench/history_bench.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/html_bench.py
	$(BIN)/python bench/inspection_bench.py
	$(BIN)/python bench/annotate_bench.py

clean:
	rm -rf $(VENV) bench/out
