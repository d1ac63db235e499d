"""Build the site from the latest release (sitegen + MkDocs), only when it is not built yet.

The new site is built beside the old one and swapped in when complete: readers never see a
half-built site, a failed build leaves the old one serving, and the old one is where unchanged
township pages are copied from (see sitegen.townships).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sitegen.build import build_site

from .layout import DataLayout
from .release import latest_version

MARKER = ".fazhi-release"  # in the built site: which release it shows


def site_is_current(layout: DataLayout, out_dir: Path) -> bool:
    version = latest_version(layout.releases)
    marker = out_dir / MARKER
    return version is not None and marker.exists() and marker.read_text(encoding="utf-8").strip() == version


def publish_latest(layout: DataLayout, out_dir: Path, *, strict: bool = False) -> str | None:
    """Build ``out_dir`` from the latest release; None when there is no release yet."""
    version = latest_version(layout.releases)
    if version is None:
        return None
    given, out_dir = out_dir, out_dir.resolve()
    staging = out_dir.with_name(f".{out_dir.name}.next")
    retired = out_dir.with_name(f".{out_dir.name}.old")
    for leftover in (staging, retired):  # from a run killed mid-build or mid-swap
        shutil.rmtree(leftover, ignore_errors=True)
    previous = out_dir if (out_dir / MARKER).exists() else None
    build_site(layout.releases, version, staging, layout.docs_dir, strict=strict, previous=previous)
    (staging / MARKER).write_text(version + "\n", encoding="utf-8")
    if out_dir.exists():
        os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
    return str(given)  # as the operator wrote it, like the night that finds the site current
