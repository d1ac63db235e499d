"""Run a night's merge and release on a data dir (the stages the crash tests kill).

Usage: python -m tests.crash_worker DATA_DIR [revised]
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from flows import release, store
from flows.records import Night
from parsers.models import Source
from tests.helpers import NOW, all_seeds, harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]


def night(data: Path, revised: bool) -> None:
    items = all_seeds()
    now = NOW
    if revised:
        original = harvested("chuanxi").extraction.original
        items = [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))]
        now = NOW + timedelta(hours=1)
    with store.open_store(data / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(now, items))
        release.cut_release(conn, data / "releases", SOURCES, now)


if __name__ == "__main__":
    night(Path(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == "revised")
