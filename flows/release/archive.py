"""A monthly archival bundle of the dataset, ready to deposit for a DOI (Zenodo): the month's last
release as published (its zip, checked against its .sha256), its CITATION.cff, the change logs of
every release of the month, and ``.zenodo.json`` (Zenodo's deposit metadata: title, creators,
licence, version, date, the downloads address). Releases are cut up to four times a day; a paper
cites the archived month, whose DOI outlives any web address."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from dataset.codebook import AUTHORS
from dataset.format import DATASET_TITLE
from flows.release.changes import _downloads_url
from flows.release.verify import verify_release
from flows.release.versions import checked_manifest, list_versions


class ArchiveError(ValueError):
    """No release to archive for the month, or the release does not verify; the message says which."""


def zenodo_metadata(manifest: dict[str, Any], month: str, versions: list[str], url: str | None) -> dict[str, Any]:
    """Zenodo's deposit metadata (.zenodo.json) for the month's bundle."""
    metadata: dict[str, Any] = {
        "title": f"{DATASET_TITLE} ({month})",
        "upload_type": "dataset",
        "description": (f"Monthly archive of the Fazhi Atlas dataset: release {manifest['version']} ({manifest.get('released_on')}), the last of "
                        f"{month} ({len(versions)} release(s): {', '.join(versions)}). Township rule-of-law reports published by Chinese "
                        "township governments, the figures they state with the sentences they come from, and per township and year whether a "
                        "report was found, on time or late, or not searched. See README.md and CODEBOOK.md in the zip."),
        "creators": [{"name": AUTHORS}],
        "license": "cc-by-4.0",
        "version": manifest["version"],
        "publication_date": manifest.get("released_on"),
        "keywords": ["rule of law", "township government", "China", "annual reports", "法治政府建设年度报告"],
        "access_right": "open",
    }
    if url:
        metadata["related_identifiers"] = [{"identifier": url, "relation": "isIdenticalTo", "resource_type": "dataset"}]
    return metadata


def archive_month(releases: Path, month: str, out: Path) -> Path:
    """The bundle of ``month`` (YYYY-MM) in ``out``/fazhi-atlas-<month>/; returns its folder. Written
    beside and renamed into place: an interrupted run leaves no half bundle."""
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        raise ArchiveError(f"month {month!r}: write YYYY-MM")
    versions = [v for v in list_versions(releases) if str(checked_manifest(releases, v).get("released_on", "")).startswith(month)]
    if not versions:
        raise ArchiveError(f"{releases}: no release of {month} to archive")
    last = versions[-1]
    problems = verify_release(releases, last)
    if problems:
        raise ArchiveError(f"release {last} does not verify: {problems[0]}")
    manifest = checked_manifest(releases, last)
    target = out / f"fazhi-atlas-{month}"
    if target.exists():
        raise ArchiveError(f"{target} exists: an archive is written once")
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".tmp-fazhi-atlas-{month}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for name in (f"fazhi-{last}.zip", f"fazhi-{last}.zip.sha256", "CITATION.cff", "README.md", "manifest.json"):
            if (releases / last / name).is_file():
                shutil.copyfile(releases / last / name, tmp / name)
        changes = [f"# Fazhi Atlas releases of {month}", ""]
        for version in versions:
            log = releases / version / "CHANGELOG.md"
            changes += [log.read_text(encoding="utf-8") if log.is_file() else f"# Fazhi Atlas {version}\n", ""]
        (tmp / "CHANGES.md").write_text("\n".join(changes), encoding="utf-8")
        (tmp / ".zenodo.json").write_text(json.dumps(zenodo_metadata(manifest, month, versions, _downloads_url()), ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
