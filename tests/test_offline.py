"""Offline classrooms: with OFFLINE=1 every pip install of make's setup reads the wheelhouse only
(--no-index), and make wheelhouse downloads every pin but lmtutor itself. The full install with the
network cut is benchmarks/offline_install.sh (it needs the 0.7 GB wheelhouse, so it is not run here)."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _dry_run(*args):
    """Return the commands make would run (make -n), every prerequisite treated as out of date."""
    done = subprocess.run(["make", "-n", "-B", *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_offline_setup_never_asks_an_index():
    lines = _dry_run("OFFLINE=1", "WHEELHOUSE=/media/wheels", ".venv/.installed-test")
    installs = [line for line in lines if " pip install" in line]
    assert len(installs) == 3, installs  # requirements, data packages, test tools
    assert all("--no-index --find-links /media/wheels" in line for line in installs), installs
    assert not any("--upgrade pip" in line for line in lines)  # pip itself is not upgraded from an index


def test_online_setup_is_unchanged():
    installs = [line for line in _dry_run(".venv/.installed-test") if " pip install" in line]
    assert installs and not any("--no-index" in line for line in installs)


def test_the_wheelhouse_holds_every_pin_but_lmtutor_itself():
    lines = _dry_run("WHEELHOUSE=/tmp/w", "wheelhouse")
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("mkdir -p /tmp/w")):]
    assert lines[1] == "grep -hv -e '^-e ' -e '^-r ' requirements.txt requirements-test.txt > /tmp/w/requirements.txt"
    kept = subprocess.run(["grep", "-hv", "-e", "^-e ", "-e", "^-r ", "requirements.txt", "requirements-test.txt"],
                          cwd=REPO, capture_output=True, text=True, check=True).stdout
    pins = [l.split("#")[0].strip() for l in kept.splitlines() if l.split("#")[0].strip()]
    assert pins and all("==" in p for p in pins), pins  # every line kept is a pin
    assert not any(p.startswith(("-e", "-r", ".")) for p in pins)
    assert any(p.startswith("tensorflow-cpu==") for p in pins) and any(p.startswith("nbgrader==") for p in pins)
    assert "pip setuptools" in lines[2] and "--no-deps" in lines[3] and "requirements-data.txt" in lines[3]
