"""The national night on one hosted runner, restore to save (issue 32's runner profile).

A GitHub-hosted runner starts empty: the nightly workflow restores the state (store, raw bytes,
latest release), runs the night, builds the site from scratch (the previous site is not kept
between runs), hands the site to Pages as one tar artifact, prunes releases and saves the state.
This script runs that path, each stage as its own process (the commands the workflow runs, where
there is one), on the cores it is given, and prints for each stage its wall time, CPU time, peak
RSS and the disk the work folder holds at its end, then the disk high-water mark (sampled every
few seconds) against the runner's limits: 14 GB of disk, 16 GB of memory.

The state is kept in an S3-compatible bucket (moto on 127.0.0.1, in this process: the bucket is
not the runner's disk). The night itself is `benchmarks/national.py --night K`: 100 new reports
and 20 revised ones parsed, merged and released (fetching 120 pages is not what a national night
spends its time on; `benchmarks/night_sources.py` measures the flow against thousands of hosts).

Usage: python benchmarks/runner.py --base DIR [--townships 40000 --years 5] [--night 2] [--cores 2]
       (DIR: a folder kept by `benchmarks/national.py --keep DIR`, its data/ holding the store and
       the releases; it is read, never written: the state is saved from a hard-linked copy)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISK_LIMIT, MEMORY_LIMIT = 14e9, 16e9  # a GitHub-hosted runner's free disk and memory (issue 32)
BUCKET, PREFIX = "fazhi-bench-state", "nightly"


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (hard links counted once), without following links."""
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    if (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        total += st.st_blocks * 512
            except OSError:
                continue
    return total


class DiskWatch:
    """The work folder's size, sampled on a thread: the high-water mark of a night's disk."""

    def __init__(self, path: Path, every: float = 5.0) -> None:
        self.path, self.every, self.high = path, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        size = folder_bytes(self.path)
        self.high = max(self.high, size)
        return size

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> DiskWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Stage:
    name: str
    seconds: float
    cpu: float
    peak_mb: float
    disk_gb: float


def run_stage(name: str, command: Sequence[str], env: dict[str, str], cores: set[int], watch: DiskWatch) -> Stage:
    """One stage as a child process pinned to ``cores``; its peak RSS and CPU come from wait4 (the
    child and the descendants it waited for)."""
    log = watch.path / "logs" / f"{name.split()[0]}.log"
    log.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        child = subprocess.Popen(list(command), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                 preexec_fn=lambda: os.sched_setaffinity(0, cores))
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        sys.exit("\n".join([*tail, f"runner: stage {name} failed (exit {child.returncode}): {' '.join(command)} (log: {log})"]))
    stage = Stage(name, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, watch.sample() / 1e9)
    print(f"{stage.name:28} {stage.seconds:9.1f} {stage.cpu:9.1f} {stage.peak_mb:11.0f} {stage.disk_gb:9.2f}", flush=True)
    return stage


def fazhi(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *args]


def save_base_state(base: Path, scratch: Path, env: dict[str, str], s3: list[str]) -> None:
    """The state a runner would find: the base's data saved to the bucket, from a hard-linked copy
    (the save writes its marker beside the store; the base is never written)."""
    copy = scratch / "base-data"
    subprocess.run(["cp", "-al", str(base / "data"), str(copy)], check=True)
    subprocess.run(fazhi("state", "save", "--data", str(copy), *s3, "--force"), env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="a folder kept by benchmarks/national.py --keep")
    parser.add_argument("--townships", type=int, default=40000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--night", type=int, default=2, help="the night's number (higher than the base's last night)")
    parser.add_argument("--cores", type=int, default=2, help="cores the stages may use (the runner's 4, or 2)")
    parser.add_argument("--work", type=Path, help="the runner's work folder (default: a temporary one, removed)")
    args = parser.parse_args()
    if not (args.base / "data" / "fazhi.sqlite").is_file():
        parser.error(f"{args.base}: no data/fazhi.sqlite (build one with benchmarks/national.py --keep {args.base})")
    cores = set(sorted(os.sched_getaffinity(0))[: args.cores])
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")]),
           # as the workflow: older releases' zips are linked where they live (GitHub releases), not
           # carried in the state or on Pages
           "FAZHI_RELEASE_URL": "https://github.com/owner/repo/releases/download/data-{version}/fazhi-{version}.zip"}
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                 aws_secret_access_key="bench").create_bucket(Bucket=BUCKET)
    s3 = ["--s3", f"s3://{BUCKET}/{PREFIX}", "--endpoint-url", endpoint]
    work = args.work or Path(tempfile.mkdtemp(prefix="fazhi-runner-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        save_base_state(args.base, work, env, s3)
        profile(args, work, env, s3, cores)
    finally:
        server.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def profile(args: argparse.Namespace, work: Path, env: dict[str, str], s3: list[str], cores: set[int]) -> None:
    data, public = work / "data", work / "public"
    print(f"runner profile: {args.townships} townships × {args.years} years; {len(cores)} cores; work folder {work}")
    print(f"{'stage':28} {'seconds':>9} {'CPU s':>9} {'peak RSS MB':>11} {'disk GB':>9}", flush=True)
    night = [sys.executable, "benchmarks/national.py", "--townships", str(args.townships), "--years", str(args.years),
             "--keep", str(work), "--night", str(args.night), "--no-site", "--workers", str(len(cores))]
    stages = [
        ("restore", fazhi("state", "restore", "--data", str(data), *s3)),
        ("night (parse, merge, release)", night),
        ("site (full build)", fazhi("build-site", "--data", str(data), "--out", str(public))),
        ("pages artifact (tar)", ["tar", "-cf", str(work / "artifact.tar"), "-C", str(public), "."]),
        ("prune releases", fazhi("releases", "prune", "--data", str(data))),
        ("save", fazhi("state", "save", "--data", str(data), *s3)),
    ]
    started = time.perf_counter()
    with DiskWatch(work) as watch:
        done = [run_stage(name, command, env, cores, watch) for name, command in stages]
    total = time.perf_counter() - started
    artifact = (work / "artifact.tar").stat().st_size
    files = sum(len(f) for _, _, f in os.walk(public))
    peak = max(s.peak_mb for s in done)
    print(f"{'whole night':28} {total:9.1f} {sum(s.cpu for s in done):9.1f} {peak:11.0f} {watch.high / 1e9:9.2f} (high-water)")
    print(f"site: {files} files, Pages artifact {artifact / 1e9:.2f} GB (GitHub Pages: at most 1 GB)")
    print(f"within the runner: disk {watch.high / 1e9:.1f} of {DISK_LIMIT / 1e9:.0f} GB "
          f"{'ok' if watch.high <= DISK_LIMIT else 'OVER'}; memory {peak / 1e3:.1f} of {MEMORY_LIMIT / 1e9:.0f} GB "
          f"{'ok' if peak * 1e6 <= MEMORY_LIMIT else 'OVER'}; time {total / 60:.1f} min of 30 {'ok' if total <= 1800 else 'OVER'}")


if __name__ == "__main__":
    main()
