"""Round two of the attacks on the issue-19 hardening: each test is an attack that got through
(or is marked xfail, strict, with the reason it is left open). Real processes, real folders,
real servers on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_hostile_cli import data, fazhi, one_line_error  # noqa: F401  (the fixture `data`: a store and one release)

ROOT = Path(__file__).parents[1]


def release_folder(data: Path) -> Path:  # noqa: F811
    return data / "releases" / (data / "releases" / "LATEST").read_text(encoding="utf-8").strip()


# ---------------------------------------------------------------- verify and releases


def test_verify_does_not_vouch_for_a_file_linked_from_outside_the_release(data: Path, tmp_path: Path) -> None:  # noqa: F811
    """A listed file replaced by a symbolic link to a copy elsewhere (same hash): verify must not
    say every file matches, since it then vouches for whatever the link points to tomorrow."""
    folder = release_folder(data)
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((folder / "reports.csv").read_bytes())
    (folder / "reports.csv").unlink()
    (folder / "reports.csv").symlink_to(outside)

    result = fazhi("verify", "--data", str(data))

    assert result.returncode == 2, result
    assert "reports.csv" in result.stderr and "link" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["verify", "releases"])
def test_a_manifest_nested_100000_deep_is_one_line_not_a_recursion_error(data: Path, command: str) -> None:  # noqa: F811
    (release_folder(data) / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    result = fazhi(command, "--data", str(data))

    assert result.returncode == 2, result
    assert "manifest.json" in one_line_error(result.stderr)
