"""Build the site from the latest release (sitegen + MkDocs), only when it is not built yet.

The new site is built beside the old one and swapped in when complete: readers never see a
half-built site, a failed build leaves the old one serving, and the old one is where unchanged
township pages are copied from (see sitegen.render.townships).

Only a folder this project built is ever replaced or removed: every built site (and every
staging folder, from its first moment) carries the marker file MARKER. A ``--out`` that exists,
holds anything and has no marker is refused, as is an ``--out`` that is, holds or lies inside
the data directory (``--data D --out D`` would otherwise swap the store away).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sitegen.build import build_site
from sitegen.stats import SiteStats

from flows.release.versions import latest_version, pid_alive
from flows.store.layout import DataLayout

MARKER = ".fazhi-release"  # in the built site: which release it shows ("building" while staged)
BUILDING = "building"


class SiteOutError(ValueError):
    """The site's folder can't be used: it is not a site this project built, or it overlaps the data."""


@dataclass(frozen=True)
class PublishedSite:
    """Where the site was built, and what the build did (None: the site was already current)."""

    path: str
    stats: SiteStats | None = None


def is_built_site(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def check_out_dir(out_dir: Path, data_dir: Path) -> None:
    """Raise SiteOutError (one line: the option, the folder, what is wrong) unless ``out_dir`` may
    be replaced by a built site: absent, empty, or a site built here; apart from ``data_dir``."""
    out, data = out_dir.resolve(), data_dir.resolve()
    if out == data or out in data.parents or data in out.parents:
        raise SiteOutError(f"--out {out_dir}: is, holds or lies inside --data {data_dir}; the site must go elsewhere (e.g. --out public)")
    if out.exists() and not out.is_dir():
        raise SiteOutError(f"--out {out_dir}: is a file, not a folder")
    if out.is_dir() and not is_built_site(out) and any(out.iterdir()):
        raise SiteOutError(f"--out {out_dir}: not empty and not a site built by fazhi (no {MARKER}); "
                           "refusing to replace it: give a new or empty folder")


# What a complete build always has: a site that lost one of these (to a concurrent build, before
# build-site took the lock) is rebuilt by the next night even though its marker is current.
COMPLETE = ("index.html", "404.html", "assets", "search/search_index.json")


def site_is_current(layout: DataLayout, out_dir: Path) -> bool:
    version = latest_version(layout.releases)
    marker = out_dir / MARKER
    return (version is not None and marker.is_file() and marker.read_text(encoding="utf-8").strip() == version
            and all((out_dir / part).exists() for part in COMPLETE))


def _remove_if_ours(folder: Path) -> None:
    """A leftover staging or retired folder (from a run killed mid-build or mid-swap) goes, if it
    is ours: marked, or empty. Anything else with that name is the user's: refuse."""
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_dir() and not folder.is_symlink():
        if is_built_site(folder):
            shutil.rmtree(folder)
            return
        if not any(folder.iterdir()):
            folder.rmdir()
            return
    raise SiteOutError(f"{folder}: in the way of the site build and not built by fazhi (no {MARKER}); move it away")


def publish_latest(layout: DataLayout, out_dir: Path, *, strict: bool = False) -> PublishedSite | None:
    """Build ``out_dir`` from the latest release; None when there is no release yet.

    Raises SiteOutError, before building anything, when ``out_dir`` is not ours to replace. Any
    failure (disk full included) removes the staging folder and leaves the old site as it was."""
    version = latest_version(layout.releases)
    if version is None:
        return None
    check_out_dir(out_dir, layout.root)
    given, out_dir = out_dir, out_dir.resolve()
    staging = out_dir.with_name(f".{out_dir.name}.next")
    retired = out_dir.with_name(f".{out_dir.name}.old")
    for leftover in (staging, retired):
        _remove_if_ours(leftover)
    _remove_trash(retired)
    previous = out_dir if is_built_site(out_dir) else None
    try:
        staging.mkdir(parents=True)
        # Marked from its first moment (MkDocs keeps hidden files when it empties site_dir), so a
        # run killed mid-build leaves a folder the next run knows it may remove.
        (staging / MARKER).write_text(BUILDING + "\n", encoding="utf-8")
        stats = build_site(layout.releases, version, staging, layout.docs_dir, strict=strict, previous=previous)
        (staging / MARKER).write_text(version + "\n", encoding="utf-8")
        _swap_in(staging, out_dir, retired)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)  # frees the space a full disk needs back; the old site stays
        if exc.filename is None:  # MkDocs re-raises some without the file: name the folder being built
            raise OSError(exc.errno, exc.strerror, str(staging)) from exc
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _discard(retired, detached=stats.reused + stats.rendered >= DETACHED_FROM)
    return PublishedSite(path=str(given), stats=stats)


DETACHED_FROM = 2_000  # township pages: from here the retired site is removed by a process of its own


def _discard(folder: Path, detached: bool) -> None:
    """The retired site goes. A national one is 450,000 files, 6 s to unlink that the night need
    not wait for (the new site is already in place): it is renamed to a name of its own (so a next
    build never meets it half-removed; one left by a killed remover goes at the next build) and
    removed by a detached process. A small site is removed here."""
    if not detached:
        shutil.rmtree(folder, ignore_errors=True)
        return
    trash = folder.with_name(f"{folder.name}-{os.getpid()}-{time.time_ns()}")
    try:
        os.rename(folder, trash)
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(trash)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(trash if trash.exists() else folder, ignore_errors=True)


def _remove_trash(retired: Path) -> None:
    """Retired sites whose detached remover died (its pid in the name is not alive), if ours."""
    for folder in retired.parent.glob(f"{retired.name}-*-*"):
        pid = folder.name.removeprefix(f"{retired.name}-").split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)) and folder.is_dir() and not folder.is_symlink() and is_built_site(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path, retired: Path) -> None:
    """Put the finished build in place of ``out_dir``, checked again at the last moment: the old
    site is moved aside only when it carries the marker."""
    moved_aside = False
    if out_dir.exists():
        if is_built_site(out_dir):
            os.rename(out_dir, retired)
            moved_aside = True
        elif out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        else:
            raise SiteOutError(f"{out_dir}: filled while the site was built and not a site built by fazhi; left as it is")
    try:
        os.rename(staging, out_dir)
    except OSError:
        if moved_aside:
            os.rename(retired, out_dir)  # the old site goes back up
        raise
