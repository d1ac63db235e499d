"""The code holds to its checks: mypy --strict on every package (as configured in pyproject.toml)
and ruff with the project's rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def test_mypy_finds_no_error() -> None:
    pytest.importorskip("mypy")
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert run.stdout.startswith("Success: no issues found")


def test_ruff_finds_nothing() -> None:
    ruff = Path(sys.executable).parent / "ruff"  # installed by the test extras
    run = subprocess.run([str(ruff), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
