"""Static tests of every notebook under notebooks/ (nothing is executed): the Setup cell has the
course's common form, notebook code defines no long function (those belong in lmtutor), and nbval's
markers are cell tags (``nbval-check-output``, ``nbval-ignore-output``), which a learner never sees,
instead of ``# NBVAL_...`` comment lines at the top of the code.

The Setup form (cell 2, under the "## Setup" heading), in this order, with no comment lines:

1. only where a variable must be set before NumPy loads: ``import os`` and ``os.environ.setdefault(...)``;
2. only where the notebook uses TensorFlow or Keras: ``import lmtutor`` and ``lmtutor.quiet_tensorflow()``;
3. standard-library imports, then third-party imports, then lmtutor imports (``from lmtutor import ...``),
   each group sorted as isort sorts it (``import x`` lines before ``from x import y`` lines);
4. ``plots.setup()`` and ``SEED = 0``;
5. optional settings: ``UPPER_CASE = value`` knobs (a trailing comment may say what the knob does),
   ``keras.utils.set_random_seed(SEED)``, ``np.set_printoptions(...)``.
"""

import ast
import json
import re
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LONGEST_FUNCTION = 15  # lines of code (no blank, comment or docstring lines); longer belongs in lmtutor
USES_TENSORFLOW = re.compile(r"\bkeras\b|\btf\.|\btensorflow\b|\blstm_lm\b|\btransformer\b|\bmlp_lm\b|\btraining\."
                             r"|\bcheckpoints\b|keras_embedding")
SETTINGS_CALLS = {"keras.utils.set_random_seed", "np.set_printoptions"}
ENV, TENSORFLOW, STDLIB, THIRD_PARTY, LMTUTOR, PLOTS_SETUP, SEED, SETTINGS = range(8)
GROUP_NAMES = ["os.environ settings", "import lmtutor / lmtutor.quiet_tensorflow()", "standard-library imports",
               "third-party imports", "lmtutor imports", "plots.setup()", "SEED = 0", "settings"]


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def call_name(node):
    """Return the dotted name of a call expression such as keras.utils.set_random_seed(SEED), else None."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return ast.unparse(node.value.func)
    return None


def group_of(node, previous):
    """Return the Setup group (ENV ... SETTINGS) of one top-level statement, or None if it fits none."""
    if isinstance(node, ast.Import) and [a.name for a in node.names] == ["os"] and previous in (None, ENV):
        return ENV
    if call_name(node) == "os.environ.setdefault":
        return ENV
    if isinstance(node, ast.Import) and [a.name for a in node.names] == ["lmtutor"] and previous in (None, ENV):
        return TENSORFLOW  # followed by quiet_tensorflow(), checked below
    if call_name(node) == "lmtutor.quiet_tensorflow":
        return TENSORFLOW
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        top = (module or "").split(".")[0]
        return LMTUTOR if top == "lmtutor" else STDLIB if top in sys.stdlib_module_names else THIRD_PARTY
    if call_name(node) == "plots.setup":
        return PLOTS_SETUP
    if (isinstance(node, ast.Assign) and ast.unparse(node) == "SEED = 0"):
        return SEED
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
        return SETTINGS
    if call_name(node) in SETTINGS_CALLS:
        return SETTINGS
    return None


def name_key(name):
    """Return isort's key for a name in `from x import ...`: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name.lower())


def isort_key(node):
    """Return the sort key of an import inside its group: `import x` lines first, then `from x import`."""
    if isinstance(node, ast.Import):
        return (0, node.names[0].name.lower())
    return (1, node.module.lower())


def setup_problems(path) -> list[str]:
    """Return what is wrong with the Setup cell of the notebook at ``path`` (empty: it has the form)."""
    notebook = cells(path)
    if notebook[1]["cell_type"] != "markdown" or not source(notebook[1]).startswith("## Setup"):
        return ["cell 1 must be the markdown heading '## Setup'"]
    if notebook[2]["cell_type"] != "code":
        return ["cell 2 must be the Setup code cell"]
    text = source(notebook[2])
    problems = [f"comment line in Setup: {line.strip()!r}" for line in text.splitlines()
                if line.strip().startswith("#")]
    tree = ast.parse(text)
    groups, previous = [], None
    for node in tree.body:
        group = group_of(node, previous)
        if group is None:
            problems.append(f"line {node.lineno} fits no part of the Setup form: {ast.unparse(node)[:60]!r}")
            continue
        if previous is not None and group < previous:
            problems.append(f"line {node.lineno} ({GROUP_NAMES[group]}) comes after {GROUP_NAMES[previous]}")
        if isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
            if names != sorted(names, key=name_key):
                problems.append(f"line {node.lineno}: sort the imported names {names}")
        groups.append((group, node))
        previous = group
    for group in (STDLIB, THIRD_PARTY, LMTUTOR):
        imports = [node for g, node in groups if g == group]
        if [isort_key(n) for n in imports] != sorted(isort_key(n) for n in imports):
            problems.append(f"sort the {GROUP_NAMES[group]}: {[ast.unparse(n) for n in imports]}")
    for comment_line in (line for line in text.splitlines() if "#" in line and not line.strip().startswith("#")):
        statement = comment_line.split("#")[0].strip()
        if not re.match(r"[A-Z_][A-Z0-9_]* = |os\.environ\.setdefault\(", statement):
            problems.append(f"only a setting may carry a comment: {comment_line.strip()!r}")
    used = {g for g, _ in groups}
    for required in (LMTUTOR, PLOTS_SETUP, SEED):
        if required not in used:
            problems.append(f"Setup lacks {GROUP_NAMES[required]}")
    tensorflow = [ast.unparse(n) for g, n in groups if g == TENSORFLOW]
    if tensorflow and tensorflow != ["import lmtutor", "lmtutor.quiet_tensorflow()"]:
        problems.append(f"TensorFlow is loaded by exactly 'import lmtutor' then 'lmtutor.quiet_tensorflow()', "
                        f"got {tensorflow}")
    code = "\n".join(source(c) for c in notebook if c["cell_type"] == "code")
    if USES_TENSORFLOW.search(code) and not tensorflow:
        problems.append("the notebook uses TensorFlow/Keras: Setup must start with lmtutor.quiet_tensorflow()")
    if tensorflow and not USES_TENSORFLOW.search(code.replace("quiet_tensorflow", "")):
        problems.append("the notebook does not use TensorFlow: drop lmtutor.quiet_tensorflow() from Setup")
    if (ENV in used) != ("import os" in text and "os.environ" in text):
        problems.append("import os goes with os.environ.setdefault(...) lines, before anything else")
    return problems


def exercises_start(notebook) -> int:
    """Return the index of the first markdown cell with an '## Exercises' heading (len(notebook) if none)."""
    for index, cell in enumerate(notebook):
        if cell["cell_type"] == "markdown" and re.search(r"^## Exercises", source(cell), re.MULTILINE):
            return index
    return len(notebook)


def code_lines(node, text_lines) -> int:
    """Return the lines of code of a def or class: no blank lines, comment lines or docstring."""
    skip = set()
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            skip.update(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(1 for number in range(node.lineno, node.end_lineno + 1)
               if number not in skip and text_lines[number - 1].strip()
               and not text_lines[number - 1].strip().startswith("#"))


def long_definitions(path) -> list[str]:
    """Return 'cell i: name (n lines)' for each def/class above LONGEST_FUNCTION outside the Exercises."""
    notebook = cells(path)
    found = []
    for index, cell in enumerate(notebook[:exercises_start(notebook)]):
        if cell["cell_type"] != "code":
            continue
        text = "\n".join(line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!")))
        tree, text_lines = ast.parse(text), text.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                length = code_lines(node, text_lines)
                if length > LONGEST_FUNCTION:
                    found.append(f"cell {index}: {node.name} ({length} lines)")
    return found


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 9, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_setup_cell_has_the_common_form(path):
    assert setup_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_long_function_outside_the_exercises(path):
    assert long_definitions(path) == []


# ------------------------------------------------------------------ the checkers catch what they should
def write_notebook(tmp_path, setup, *, other="", heading="## Setup", exercise=""):
    cell = lambda kind, text: {"cell_type": kind, "metadata": {}, "source": text,
                               **({"outputs": [], "execution_count": None} if kind == "code" else {})}
    notebook = {"cells": [cell("markdown", "# 99 · Title"), cell("markdown", heading), cell("code", setup),
                          cell("code", other), cell("markdown", "## Summary\n\n## Exercises"),
                          cell("code", exercise)], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_test.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


GOOD = ("import lmtutor\nlmtutor.quiet_tensorflow()\n\nimport time\nfrom pathlib import Path\n\n"
        "import keras\nimport numpy as np\n\nfrom lmtutor import checks, plots\n\nplots.setup()\nSEED = 0\n"
        "BUDGET = 15  # seconds of training\n")


def test_the_form_checker_accepts_the_form(tmp_path):
    assert setup_problems(write_notebook(tmp_path, GOOD, other="keras.layers.Dense(2)")) == []
    no_tf = GOOD.replace("import lmtutor\nlmtutor.quiet_tensorflow()\n\n", "").replace("import keras\n", "")
    assert setup_problems(write_notebook(tmp_path, no_tf)) == []
    env = 'import os\nos.environ.setdefault("OPENBLAS_NUM_THREADS", "1")\n\n' + GOOD
    assert setup_problems(write_notebook(tmp_path, env, other="keras.layers.Dense(2)")) == []


@pytest.mark.parametrize("setup, other, words", [
    (GOOD.replace("import keras\n", ""), "", "drop lmtutor.quiet_tensorflow()"),
    (GOOD.replace("lmtutor.quiet_tensorflow()\n", "tf = lmtutor.quiet_tensorflow()\n"), "keras.ops", "fits no part"),
    (GOOD.replace("import lmtutor\nlmtutor.quiet_tensorflow()\n\n", ""), "keras.ops", "Setup must start with"),
    (GOOD.replace("import numpy as np\n", "import numpy as np\nimport matplotlib.pyplot as plt\n"), "keras.ops",
     "sort the third-party imports"),
    (GOOD.replace("checks, plots", "plots, checks"), "keras.ops", "sort the imported names"),
    (GOOD.replace("SEED = 0\n", ""), "keras.ops", "Setup lacks SEED = 0"),
    (GOOD.replace("plots.setup()\n", ""), "keras.ops", "Setup lacks plots.setup()"),
    (GOOD + "def helper():\n    return 1\n", "keras.ops", "fits no part"),
    (GOOD + "# a comment\n", "keras.ops", "comment line in Setup"),
    (GOOD.replace("import time\n", "import time  # clocks\n"), "keras.ops", "only a setting may carry a comment"),
    (GOOD.replace("import time\n", "") + "import time\n", "keras.ops", "comes after"),
    ("import os\n" + GOOD, "keras.ops", "import os goes with"),
])
def test_the_form_checker_names_what_is_wrong(tmp_path, setup, other, words):
    problems = setup_problems(write_notebook(tmp_path, setup, other=other))
    assert any(words in p for p in problems), problems


def test_the_length_checker_counts_code_lines_and_spares_the_exercises(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(14))
    short = 'def f():\n    """Doc."""\n\n    # a comment\n' + body + "    return x0\n"  # 1 + 14 + 1 = 16 code lines
    assert long_definitions(write_notebook(tmp_path, GOOD, other=short)) == ["cell 3: f (16 lines)"]
    assert long_definitions(write_notebook(tmp_path, GOOD, other=short.replace("    x13 = 13\n", ""))) == []
    assert long_definitions(write_notebook(tmp_path, GOOD, exercise=short)) == []
    assert long_definitions(write_notebook(tmp_path, GOOD, other="class A:\n" + body + "    y = 1\n    z = 2\n")) \
        == ["cell 3: A (17 lines)"]


# ------------------------------------------------------------------ nbval markers are tags, not comments
NBVAL_COMMENT = re.compile(r"^\s*#\s*(NBVAL|PYTEST_VALIDATE)_\w+", re.M)
NBVAL_TAGS = {"nbval-check-output", "nbval-ignore-output", "nbval-skip", "nbval-raises-exception"}


def nbval_comment_cells(path):
    """Return the indices of code cells that carry an nbval marker as a comment a learner would see."""
    return [i for i, c in enumerate(cells(path)) if c["cell_type"] == "code" and NBVAL_COMMENT.search(source(c))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_nbval_markers_are_cell_tags_not_comments(path):
    assert nbval_comment_cells(path) == []
    tagged = [set(c.get("metadata", {}).get("tags", [])) & NBVAL_TAGS for c in cells(path) if c["cell_type"] == "code"]
    assert any(tagged), "no cell is tagged nbval-check-output or nbval-ignore-output"
    assert all(len(t) <= 1 for t in tagged), "a cell carries two nbval tags"


def test_the_marker_checker_finds_a_comment(tmp_path):
    path = write_notebook(tmp_path, "import numpy as np", other="# NBVAL_CHECK_OUTPUT\nprint(1)")
    assert nbval_comment_cells(path) == [3]


# ------------------------------------------------------------------ no red stderr box for the learner
def stderr_cells(path):
    """Return the indices of code cells whose committed outputs include a stderr stream."""
    return [i for i, c in enumerate(cells(path)) if c["cell_type"] == "code"
            and any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in c.get("outputs", []))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_committed_output_is_a_stderr_box(path):
    assert stderr_cells(path) == [], "a warning or a library's log line shows as a red box: silence it at its source"


# ------------------------------------------------------------------ every printed claim holds
FAILED_CLAIM = re.compile(r"claim: .*: NO\b")


def failed_claims(path) -> list[str]:
    """Return the committed output lines where a notebook's checked claim printed NO."""
    lines = []
    for i, c in enumerate(cells(path)):
        for o in c.get("outputs", []):
            text = o.get("text", o.get("data", {}).get("text/plain", ""))
            lines += [f"cell {i}: {line}" for line in "".join(text).splitlines() if FAILED_CLAIM.search(line)]
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_printed_claim_holds(path):
    assert failed_claims(path) == [], "the prose claims what the notebook's own check denies: rewrite one of them"


def test_the_claim_checker_finds_a_claim_that_printed_no(tmp_path):
    path = write_notebook(tmp_path, "import numpy as np", other="print('claim: x beats y:', 'NO')")
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["claim: x beats y: NO\n"]}]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert len(failed_claims(path)) == 1
    nb["cells"][3]["outputs"][0]["text"] = ["claim: x beats y: yes\n"]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert failed_claims(path) == []
