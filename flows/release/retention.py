"""Release retention: which releases a data folder keeps, and pruning the others.

A release is about 1.4 GB at national scale; a year of nightly releases kept whole would be about
500 GB. The policy (declared here, printed by `fazhi releases prune --dry-run`):

- **the latest** (``releases/LATEST``) is always kept: the next release is cut from it;
- **every release of the last 14 days** (by its manifest's ``created``);
- **one a month before that**: the last release of each calendar month (dates in Beijing, as
  versions are);
- **every release cited or archived**: listed in ``releases/KEEP``, one version a line (``#``
  starts a comment; e.g. ``2026.03.31  # cited in doi:10.1234/abcd``). A citation names a version;
  a reader must still find it.

Releases share bytes with their parent (texts of unchanged years hard-linked, unchanged buckets
copied with copy_file_range): a hard link is a second name of one file and a copied range is a copy,
so removing a pruned release's names never takes bytes from a kept one (the space freed is what no
kept release also names). A release is read by another only while the next one is cut from it,
and that is the latest, never pruned. Folders that are not complete releases (no valid manifest,
temporaries of a cut in progress) are not touched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pydantic import BaseModel

from flows.release.versions import RELEASE_ZONE, checked_manifest, latest_version, list_versions

RECENT_DAYS = 14
KEEP_FILE = "KEEP"


class Decision(BaseModel):
    """A release and why it is kept (``reasons``), or pruned (no reasons)."""

    version: str
    created: datetime
    reasons: list[str]

    @property
    def kept(self) -> bool:
        return bool(self.reasons)


class PrunePlan(BaseModel):
    decisions: list[Decision]
    freed_bytes: int = 0  # bytes no kept release also names: what pruning gives back

    @property
    def pruned(self) -> list[str]:
        return [d.version for d in self.decisions if not d.kept]

    @property
    def kept(self) -> list[str]:
        return [d.version for d in self.decisions if d.kept]


class KeepListError(ValueError):
    """releases/KEEP names something that is not a version; the message names the line."""


def kept_by_list(releases: Path) -> set[str]:
    """The versions releases/KEEP lists (cited or archived); empty when there is no such file."""
    path = releases / KEEP_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    found = set()
    for number, line in enumerate(text.splitlines(), start=1):
        version = line.split("#", 1)[0].strip()
        if not version:
            continue
        if Path(version).name != version or version in (".", "..") or " " in version:
            raise KeepListError(f"{path}:{number}: '{version[:80]}' is not a release version")
        found.add(version)
    return found


def plan(releases: Path, now: datetime) -> PrunePlan:
    """What the policy keeps and prunes among the complete releases of ``releases``, at ``now``."""
    versions = list_versions(releases)
    created = {v: _aware(datetime.fromisoformat(checked_manifest(releases, v)["created"])) for v in versions}
    latest = latest_version(releases)
    listed = kept_by_list(releases)
    recent_since = now - timedelta(days=RECENT_DAYS)
    last_of_month: dict[str, str] = {}
    for version in versions:  # oldest first: the last one seen in a month wins
        last_of_month[_month(created[version])] = version
    monthly = set(last_of_month.values())
    decisions = []
    for version in versions:
        reasons = []
        if version == latest:
            reasons.append("latest")
        if created[version] >= recent_since:
            reasons.append(f"of the last {RECENT_DAYS} days")
        if version in monthly and created[version] < recent_since:
            reasons.append(f"last of {_month(created[version])}")
        if version in listed:
            reasons.append(f"listed in {KEEP_FILE}")
        decisions.append(Decision(version=version, created=created[version], reasons=reasons))
    if latest is None and versions:  # no pointer (restored by hand?): keep the newest, as cut_release would read it
        decisions[-1].reasons.append("newest (no LATEST)")
    result = PrunePlan(decisions=decisions)
    result.freed_bytes = _freed_bytes(releases, result.pruned)
    return result


def _aware(moment: datetime) -> datetime:
    """A manifest's time; one written without a zone is read as UTC (the writer's clock)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _month(moment: datetime) -> str:
    return (moment.astimezone(RELEASE_ZONE) if moment.tzinfo else moment).strftime("%Y-%m")


def _freed_bytes(releases: Path, pruned: Iterable[str]) -> int:
    """Bytes of the files whose every name is inside the pruned releases (a file also named by a
    kept release, through a hard link, stays on disk)."""
    names: dict[tuple[int, int], list[int]] = {}  # (device, inode) → [names seen, links, size]
    for version in pruned:
        for folder, _, files in os.walk(releases / version):
            for name in files:
                info = os.lstat(Path(folder) / name)
                seen = names.setdefault((info.st_dev, info.st_ino), [0, info.st_nlink, info.st_size])
                seen[0] += 1
    return sum(size for seen, links, size in names.values() if seen >= links)


def prune(releases: Path, now: datetime, dry_run: bool = False) -> PrunePlan:
    """Remove the releases the policy does not keep (each first renamed to a hidden temporary, so
    that a pruning stopped half-way leaves no half-release that looks complete), oldest first."""
    decided = plan(releases, now)
    if dry_run:
        return decided
    for version in decided.pruned:
        doomed = releases / f".pruned-{version}-{os.getpid()}"
        os.rename(releases / version, doomed)
        shutil.rmtree(doomed)
    for stale in releases.glob(".pruned-*"):  # left by a pruning that was stopped
        shutil.rmtree(stale, ignore_errors=True)
    return decided
