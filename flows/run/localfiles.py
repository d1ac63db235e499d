"""Read a file named on the command line, as untrusted as a download.

`fazhi extract /dev/zero` read forever into memory and `fazhi extract fifo` waited forever for a
writer: only regular files are read (the type is checked on the open descriptor, opened without
blocking, so a FIFO swapped in after a check can't hang it), and no more than the cap a fetched
body has.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # the HTTP client's body cap: no report read from disk is bigger than one fetched


class LocalFileError(ValueError):
    """The file can't be read as a report; the message names it."""


def read_local_file(path: Path, limit: int = MAX_BYTES) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LocalFileError(f"{path}: can't open ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
            raise LocalFileError(f"{path}: {kind}, not a regular file")
        try:
            body = handle.read(limit + 1)
        except OSError as exc:
            raise LocalFileError(f"{path}: can't read ({exc.strerror or exc})") from exc
    if len(body) > limit:
        raise LocalFileError(f"{path}: larger than {limit // (1024 * 1024)} MB, the cap for a report")
    return body


def special_file(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file nor a folder nor absent ("a FIFO", "a
    device or socket"): a reader that opens one waits forever or reads forever. None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
