"""kill -9 of `fazhi nightly --demo` at random points: the store always opens, LATEST always points
to a complete release, and the next run finishes with the same result as an uninterrupted one."""

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.release.verify import verify_release
from flows.release.versions import latest_version
from tests.conftest import subprocess_env

ROOT = Path(__file__).parents[2]
SEED = int(os.environ.get("FAZHI_KILL_SEED", "20261122"))  # printed on failure: a failing run can be replayed


def command(data: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "flows.cli", "nightly", "--demo", "--quiet", "--data", str(data), "--out", str(out)]


def env() -> dict[str, str]:
    return subprocess_env()


def released(data: Path) -> list[list[str]]:
    """The released reports and figures, without the demo portals' ports (new at every run)."""
    version = latest_version(data / "releases")
    assert version is not None
    rows = []
    for name in ("reports.csv", "observations.csv", "indicators.csv"):
        with (data / "releases" / version / name).open(encoding="utf-8-sig") as handle:
            rows += [[cell for cell in row if not cell.startswith("http://127.0.0.1")] for row in csv.reader(handle)]
    return rows


def assert_intact(data: Path) -> None:
    if (data / "fazhi.sqlite").exists():
        conn = sqlite3.connect(data / "fazhi.sqlite")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    version = latest_version(data / "releases") if (data / "releases").exists() else None
    if version is not None:
        assert verify_release(data / "releases", version) == []


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[list[str]], float]:
    root = tmp_path_factory.mktemp("whole")
    started = time.monotonic()
    run = subprocess.run(command(root / "data", root / "public"), env=env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return released(root / "data"), time.monotonic() - started


def kill_and_finish(tmp_path: Path, uninterrupted: tuple[list[list[str]], float], rng: random.Random) -> None:
    rows, duration = uninterrupted
    data, out = tmp_path / "data", tmp_path / "public"
    delay = rng.uniform(0.2, duration)
    process = subprocess.Popen(command(data, out), env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and the Prefect server it started, as a crash would
    process.wait(timeout=60)
    assert_intact(data)
    finish = subprocess.run(command(data, out), env=env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, f"killed after {delay:.2f} s (seed {SEED}); then: {finish.stdout}{finish.stderr}"
    assert_intact(data)
    assert released(data) == rows, f"killed after {delay:.2f} s (seed {SEED})"


@pytest.mark.parametrize("attempt", range(3))
def test_3_random_kill_9s_of_the_nightly_run(attempt: int, tmp_path: Path, uninterrupted: tuple[list[list[str]], float]) -> None:
    kill_and_finish(tmp_path, uninterrupted, random.Random(SEED + attempt))


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(20))
def test_20_more_random_kill_9s_of_the_nightly_run(attempt: int, tmp_path: Path, uninterrupted: tuple[list[list[str]], float]) -> None:
    kill_and_finish(tmp_path, uninterrupted, random.Random(SEED + 100 + attempt))
