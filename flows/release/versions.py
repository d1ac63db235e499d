"""Release versions and their manifests: which releases exist, which is latest, the next version's name, and a sound parent to build on.

A version is the release's date in Beijing (``YYYY.MM.DD``, then ``.N`` for a second cut that day); ``LATEST`` names the newest and is repaired from the folders when it is missing or garbled.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def latest_version(releases: Path) -> str | None:
    pointer = releases / "LATEST"
    if not pointer.exists():
        return None
    return pointer.read_text(encoding="utf-8").strip() or None


def read_manifest(releases: Path, version: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((releases / version / "manifest.json").read_text(encoding="utf-8"))
    return manifest


class ManifestError(ValueError):
    """A release's manifest.json is unreadable or not shaped like a manifest; the message names it."""


def checked_manifest(releases: Path, version: str) -> dict[str, Any]:
    """The manifest of ``version``, checked for the keys and types the commands read (a manifest
    ``{}`` raised KeyError in `releases` and `verify`); ManifestError naming the file otherwise."""
    path = releases / version / "manifest.json"
    try:
        manifest = read_manifest(releases, version)
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: a manifest of 100,000 nested brackets
        raise ManifestError(f"{path}: unreadable ({getattr(exc, 'strerror', None) or exc})") from exc
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path}: not a JSON object")
    problems = [f"'{key}' missing or not {kind.__name__}" for key, kind in (("version", str), ("created", str), ("counts", dict), ("files", dict))
                if not isinstance(manifest.get(key), kind)]
    counts = manifest.get("counts")
    if isinstance(counts, dict):
        problems += [f"'counts.{key}' missing or not a number" for key in ("reports", "observations")
                     if not isinstance(counts.get(key), int) or isinstance(counts.get(key), bool)]
    files = manifest.get("files")
    if isinstance(files, dict):
        problems += [f"'files.{str(name)[:80]}' has no sha256" for name, entry in files.items()
                     if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str)]
    if problems:
        raise ManifestError(f"{path}: {'; '.join(problems[:5])}")
    return manifest


def manifest_folders(releases: Path) -> list[Path]:
    """Release folders that have a manifest.json, valid or not (temporaries excluded)."""
    if not releases.is_dir():
        return []
    return sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists())


def list_versions(releases: Path) -> list[str]:
    """Complete releases (with a valid manifest), oldest first; a broken one is left out here and
    named by `fazhi releases` and `fazhi verify`."""
    created = {}
    for folder in manifest_folders(releases):
        try:
            created[folder.name] = checked_manifest(releases, folder.name)["created"]
        except ManifestError:
            continue
    return sorted(created, key=lambda version: created[version])


# Releases are dated where the reports are published and read: a release cut at 02:00 in Beijing
# (18:00 UTC the day before) carries Beijing's date.
RELEASE_ZONE = ZoneInfo("Asia/Shanghai")


def next_version(releases: Path, now: datetime) -> str:
    """YYYY.MM.DD (the date in Beijing), then YYYY.MM.DD.1, .2 … for further releases the same day."""
    base = (now.astimezone(RELEASE_ZONE) if now.tzinfo else now).strftime("%Y.%m.%d")
    version, n = base, 0
    while (releases / version).exists():
        n += 1
        version = f"{base}.{n}"
    return version


def _released_on(now: datetime) -> str:
    """The release's date where the reports are published (a release cut at 02:00 in Beijing is
    dated that day, not the day before as in UTC)."""
    return (now.astimezone(RELEASE_ZONE) if now.tzinfo else now).date().isoformat()


def _released_date(created: datetime) -> date:
    return date.fromisoformat(_released_on(created))


def _remove_stale_temporaries(releases: Path) -> None:
    """Half-written release folders of processes that died (a live writer's are left alone)."""
    for folder in releases.glob(".tmp-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether a process of this id runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


RELEASE_VERSION = re.compile(r"\d{4}\.\d{2}\.\d{2}(?:\.\d{1,6})?")  # as next_version makes them


def sound_parent(releases: Path, repairs: list[str]) -> str | None:
    """The release the next one builds on: the one LATEST names, when LATEST is a release version
    and that release's folder and manifest are there. Otherwise (LATEST garbled, the latest folder
    deleted, its manifest damaged) the problem goes into ``repairs`` and the newest sound release
    stands in (None: none is left, the release is written whole from the store). A reused byte is
    checked against that release's manifest in any case (files.matches_parent_manifest)."""
    pointer = releases / "LATEST"
    if not pointer.exists():  # a first release, or a run killed before it pointed LATEST at its release (cut_release resumes it)
        return None
    problem: str | None = None
    try:
        named = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        named, problem = "", f"{pointer}: unreadable ({exc})"
    if problem is None and not RELEASE_VERSION.fullmatch(named):
        problem = f"{pointer}: {named[:80]!r} is not a release version"
    if problem is None and not (releases / named / "manifest.json").is_file():
        problem = f"{pointer} names {named}, but {releases / named} holds no release"
    if problem is None:
        try:
            checked_manifest(releases, named)
            return named
        except ManifestError as exc:
            problem = str(exc)
    versions = [v for v in list_versions(releases) if v != named]
    fallback = versions[-1] if versions else None
    repairs.append(f"{problem}; the release is cut again from the store" + (f" (after {fallback}, the newest sound one)" if fallback else ""))
    return fallback


def _point_latest(releases: Path, version: str) -> None:
    tmp = releases / f".LATEST-{os.getpid()}"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, releases / "LATEST")
