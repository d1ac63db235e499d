"""Named points where a test may kill the process with SIGKILL, to prove crashes lose nothing.

Set FAZHI_CRASHPOINT=<name> and the process dies there, as under `kill -9`, with no cleanup.
Unset (always, outside the crash tests), a crashpoint is a dictionary lookup.
"""

from __future__ import annotations

import os
import signal

CRASHPOINTS = ("merge:before-commit", "release:files-written", "release:renamed")


def crashpoint(name: str) -> None:
    if os.environ.get("FAZHI_CRASHPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
