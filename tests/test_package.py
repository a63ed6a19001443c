"""Tests for the lmtutor package as a whole: its module list and its import being side-effect free."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def _wheel(tmp_path_factory) -> Path:
    """Return the path of a wheel of lmtutor built from this checkout, offline (no build isolation)."""
    import shutil

    # Build from a copy: setuptools leaves build/lib in the source folder, and a stale module there
    # (one since removed or turned into a package) would end up in the next wheel built in place.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "lmtutor", source / "lmtutor", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(out), str(source)], check=True, capture_output=True, text=True)
    wheels = list(out.glob("lmtutor-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return _wheel(tmp_path_factory)


def test_the_wheel_holds_every_module_of_the_package(wheel):
    import zipfile

    in_wheel = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    in_tree = {p.relative_to(ROOT).as_posix() for p in (ROOT / "lmtutor").rglob("*.py")}
    assert in_tree and in_tree <= in_wheel, f"missing from the wheel: {sorted(in_tree - in_wheel)}"
    assert any(name.startswith("lmtutor/checks/") for name in in_wheel)


def test_a_normal_install_imports_every_module_and_runs_a_check(wheel, tmp_path):
    """`pip install .` (not -e): the installed copy, not this checkout, must give a working package."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, text=True)
    code = ("import importlib, pathlib, lmtutor\n"
            "assert pathlib.Path(lmtutor.__file__).resolve().is_relative_to(pathlib.Path(TARGET).resolve()), lmtutor.__file__\n"
            "for name in lmtutor.__all__:\n"
            "    importlib.import_module('lmtutor.' + name)\n"
            "from lmtutor import checks\n"
            "result = checks.check_oov_rate(lambda tokens, vocab: sum(t not in vocab for t in tokens) / len(tokens) if tokens else 0.0)\n"
            "print(repr(result)); assert result.passed\n")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", f"TARGET = {str(target)!r}\n" + code], capture_output=True,
                         text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "oov_rate" in out.stdout


_DISTRIBUTION = {"sklearn": "scikit-learn", "yaml": "pyyaml"}  # import name -> distribution name, where they differ


def _third_party_imports() -> set[str]:
    import ast

    names = set()
    for path in (ROOT / "lmtutor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("lmtutor", "__future__")}


def test_pyproject_declares_every_third_party_import():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + [d for extra in project.get("optional-dependencies", {}).values() for d in extra]
    names = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].strip().lower() for d in declared}
    names |= {"tensorflow"} if "tensorflow-cpu" in names else set()  # the CPU wheel provides `import tensorflow`
    missing = {m for m in _third_party_imports() if _DISTRIBUTION.get(m, m).lower() not in names}
    assert not missing, f"imported by lmtutor but not declared in pyproject.toml: {sorted(missing)}"
    assert {"numpy", "scipy", "keras", "jieba"} <= names
