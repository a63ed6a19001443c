# lmtutor: set up the course, open it, test it.   make lab | make test   (see README.md)
#
# The virtual environment lives in .venv and is reinstalled only when requirements*.txt or
# pyproject.toml change (make compares their times with the stamp files below).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python)
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
CELL_TIMEOUT ?= 600
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# JupyterLab refuses to run as root unless told to (containers, some cloud machines).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: help setup lab test unit notebooks student benchmark models clean

help:
	@echo "make lab        set up .venv and open the course in JupyterLab"
	@echo "make test       set up .venv (with test tools) and run unit tests + every notebook (nbval)"
	@echo "make unit       unit tests only (faster)"
	@echo "make notebooks  re-execute every notebook in place so committed outputs are fresh"
	@echo "make student    write the student version (solutions removed) to notebooks/student/"
	@echo "make benchmark  time every notebook and measure its peak memory"
	@echo "make models     retrain the LSTM checkpoints in data/models (about 1 h 40 min on 2 cores)"

$(PY):
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; print(f"Using Python {v[0]}.{v[1]} ($(PYTHON))"); sys.exit(0 if v >= (3, 11) else "lmtutor needs Python 3.11 (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt pyproject.toml
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name lmtutor --display-name "Python 3 (lmtutor)"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $@

setup: $(VENV)/.installed

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_FLAGS)

test: $(VENV)/.installed-test
	$(PY) -m pytest tests $(NOTEBOOKS) --nbval-lax --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider

unit: $(VENV)/.installed-test
	$(PY) -m pytest tests -p no:cacheprovider

notebooks: $(VENV)/.installed
	$(PY) -m lmtutor.classroom execute --timeout $(CELL_TIMEOUT) $(NOTEBOOKS)

student: $(VENV)/.installed-test
	$(PY) -m lmtutor.classroom student --out notebooks/student $(NOTEBOOKS)

benchmark: $(VENV)/.installed-test
	$(PY) benchmarks/notebooks.py $(NOTEBOOKS)

models: $(VENV)/.installed
	$(PY) data/train_models.py lee_chars_lstm pd_chars_lstm pd_jieba_lstm

clean:
	rm -rf build notebooks/student
