"""Tests for the lmtutor package as a whole: its module list and its import being side-effect free."""

import importlib
import subprocess
import sys
from pathlib import Path

import lmtutor

ROOT = Path(__file__).resolve().parents[1]


def test_all_lists_exactly_the_public_modules_and_each_has_tests():
    package = ROOT / "lmtutor"
    modules = sorted([p.stem for p in package.glob("*.py") if not p.stem.startswith("_")]
                     + [p.parent.name for p in package.glob("*/__init__.py")])  # subpackages (checks)
    assert sorted(lmtutor.__all__) == modules
    for name in modules:
        assert importlib.import_module(f"lmtutor.{name}").__doc__, f"lmtutor.{name} has no docstring"
        assert (ROOT / "tests" / f"test_{name}.py").is_file(), f"tests/test_{name}.py is missing"


def test_importing_lmtutor_loads_no_heavy_library():
    code = ("import sys, lmtutor; heavy = [m for m in ('tensorflow', 'keras', 'gensim', 'jieba', "
            "'matplotlib.pyplot') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_quiet_tensorflow_hides_the_start_up_messages_only():
    code = ("import lmtutor, sys; tf = lmtutor.quiet_tensorflow(); import keras; "
            "assert lmtutor.quiet_tensorflow() is tf is sys.modules['tensorflow']; "
            "keras.layers.Dense(2)(tf.zeros((1, 3))); print('ok'); sys.stderr.write('still here\\n')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
    assert "absl::InitializeLog" not in out.stderr and "oneDNN" not in out.stderr
    assert "still here" in out.stderr  # stderr works again after the import
