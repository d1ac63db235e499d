"""Who made a release: the code's version (a git describe, or the installed package's) and the extractor versions whose records it holds, written into the manifest so that a figure can be traced to the rules that read it.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from flows import store
from flows.release.versions import (
    read_manifest,
)
from parsers import (
    extractor_version,
)


def code_version() -> str:
    """The package version, with `git describe` when the code runs from a git checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    root = Path(__file__).resolve().parents[2]
    try:
        number = package_version("fazhi-atlas")
    except PackageNotFoundError:
        import tomllib

        try:
            number = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            number = "unknown"
    if (root / ".git").exists():
        try:
            described = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty", "--tags"],
                                       capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return number
        if described.returncode == 0 and described.stdout.strip():
            return f"{number}+git.{described.stdout.strip()}"
    return number


def provenance(conn: sqlite3.Connection) -> dict[str, Any]:
    """Which rules and code made a release: the extractor version in effect, how many of its
    reports each extractor version made (all of them by the one in effect once re-extracted;
    '' for figures stored before versions were recorded), and the code version."""
    return {"extractor_version": extractor_version(), "reports_by_extractor": store.extractor_counts(conn), "code_version": code_version()}


def _extractors_of(releases: Path, version: str | None) -> str | None:
    """The extractor version(s) that made a release's figures, as a change log names them."""
    if version is None:
        return None
    manifest = read_manifest(releases, version)
    made = manifest.get("reports_by_extractor")
    return _joined(made) if made else manifest.get("extractor_version")


def _joined(made: dict[str, int]) -> str:
    return "+".join(sorted(v or "unrecorded" for v in made))
