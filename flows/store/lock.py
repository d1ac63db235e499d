"""One writer per data directory: a second run on the same data waits, then gives up clearly.

An advisory lock (flock) on data/.lock, held for the whole run; the kernel drops it when the
process dies, even by kill -9, so a crash never leaves a stale lock behind. The nightly flow and
`fazhi build-site` take the same lock: the site is built from the data, and two builds (or a
build and a night's site step) at once would share one staging folder and one docs folder.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class DataLocked(RuntimeError):
    """Another run holds the data directory."""


class DataDirError(ValueError):
    """The data directory can't be used: it is a file, or it can't be written."""


# Data directories whose lock this process holds on behalf of everything it runs (the CLI takes
# the lock before Prefect starts, so that a lock wait ends in one line, not a flow's traceback;
# the flow's own data_lock then finds it held here and does not wait for itself).
_SHARED: set[Path] = set()
_SHARED_GUARD = threading.Lock()


def open_data_dir(data_dir: Path) -> IO[str]:
    """Create ``data_dir`` if needed and open its lock file; a clear DataDirError when the folder is a
    file or can't be written (read-only file system, permissions, disk full)."""
    if data_dir.exists() and not data_dir.is_dir():
        raise DataDirError(f"--data {data_dir}: is a file, not a directory")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        return (data_dir / ".lock").open("a+")
    except OSError as exc:
        raise DataDirError(f"--data {data_dir}: can't write here ({exc.strerror or exc})") from exc


@contextmanager
def data_lock(data_dir: Path, wait_seconds: float = 0.0, purpose: str = "nightly run", share: bool = False) -> Iterator[None]:
    """Hold data/.lock for the block; wait up to ``wait_seconds`` for another holder, then raise
    DataLocked naming it. ``share``: later data_lock calls in this process on the same folder
    (the flow the CLI starts) pass through instead of waiting for this one."""
    key = data_dir.resolve()
    with _SHARED_GUARD:
        held_here = key in _SHARED
    if held_here:
        yield
        return
    handle = open_data_dir(data_dir)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    who, _, what = handle.read().strip().partition(" (")  # "pid 12 since … (build-site)"
                    raise DataLocked(f"{data_dir}: another {what.rstrip(')') or 'nightly run'} is writing here ({who or 'another process'}); "
                                     "try again when it has finished") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')} ({purpose})")
        handle.flush()
        if share:
            with _SHARED_GUARD:
                _SHARED.add(key)
        try:
            yield
        finally:
            if share:
                with _SHARED_GUARD:
                    _SHARED.discard(key)
    finally:
        handle.close()
