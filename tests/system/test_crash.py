"""kill -9 in the middle of merge and release: nothing is lost, nothing is half-published."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flows.release.verify import verify_release
from flows.release.versions import latest_version, list_versions
from flows.run.crash import CRASHPOINTS

ROOT = Path(__file__).parents[2]
DATA_FILES = ("reports.csv", "observations.csv", "values.csv", "indicators.csv")  # and texts/<year>.jsonl.gz


def night(data: Path, *extra: str, crash: str | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "FAZHI_CRASHPOINT"}
    if crash:
        env["FAZHI_CRASHPOINT"] = crash
    return subprocess.run([sys.executable, "-m", "tests.crash_worker", str(data), *extra], cwd=ROOT, env=env, timeout=120).returncode


def published(data: Path) -> dict[str, bytes]:
    version = latest_version(data / "releases")
    assert version is not None
    folder = data / "releases" / version
    return {name: (folder / name).read_bytes() for name in DATA_FILES} | {p.name: p.read_bytes() for p in (folder / "texts").glob("*.jsonl.gz")}


def assert_consistent(data: Path) -> None:
    conn = sqlite3.connect(data / "fazhi.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    version = latest_version(data / "releases")
    assert version is not None and verify_release(data / "releases", version) == []


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    data = tmp_path_factory.mktemp("reference")
    assert night(data) == 0 and night(data, "revised") == 0
    return published(data)


@pytest.mark.parametrize("point", CRASHPOINTS)
def test_kill_9_during_a_night_then_the_next_night_finishes_the_job(point: str, tmp_path: Path, uninterrupted: dict[str, bytes]) -> None:
    data = tmp_path / "data"
    assert night(data) == 0
    first = latest_version(data / "releases")

    assert night(data, "revised", crash=point) == -9  # killed by SIGKILL at the crash point
    assert_consistent(data)
    if point == "merge:before-commit":
        assert latest_version(data / "releases") == first

    assert night(data, "revised") == 0
    assert_consistent(data)
    assert published(data) == uninterrupted
    assert len(list_versions(data / "releases")) == 2  # no twin release, no half-written one
    assert not list((data / "releases").glob(".tmp-*"))
