"""Progress of a night's long stages, announced as records on the ``fazhi.progress`` logger.

The flow only says (stage, done, total); whoever runs it decides how to show it: ``fazhi
nightly`` draws a rich progress bar in a terminal and plain lines in CI, and a Prefect
deployment, which attaches no handler, shows nothing extra.
"""

from __future__ import annotations

import logging

LOGGER = logging.getLogger("fazhi.progress")
LOGGER.propagate = False  # never mixed into Prefect's or the root logger's output
LOGGER.setLevel(logging.INFO)


def announce(stage: str, done: int, total: int) -> None:
    LOGGER.info("%s: %d/%d", stage, done, total, extra={"stage": stage, "done": done, "total": total})
