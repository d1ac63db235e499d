"""Build the site from the latest release (sitegen + MkDocs), only when it is not built yet."""

from __future__ import annotations

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
    build_site(layout.releases, version, out_dir, layout.docs_dir, strict=strict)
    (out_dir / MARKER).write_text(version + "\n", encoding="utf-8")
    return str(out_dir)
