"""Read a release, write the generated pages into docs_dir, run the MkDocs build."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from parsers.indicators import INDICATOR_KEYS

from . import pages

SITE_ROOT = Path(__file__).resolve().parents[1]  # the repository's site/ folder
PROJECT_ROOT = SITE_ROOT.parent
MKDOCS_YML = PROJECT_ROOT / "mkdocs.yml"
HAND_WRITTEN = SITE_ROOT / "pages"
ASSETS = SITE_ROOT / "assets"
DOWNLOADABLE = ("reports.csv", "observations.csv", "indicators.csv", "reports.jsonl", "datapackage.json", "manifest.json")


class SiteBuildError(RuntimeError):
    """The site could not be built; the message says which step failed."""


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _sha256(path: Path) -> str:
    """Read in blocks: a national release zip is hundreds of MB."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifests(releases: Path) -> list[dict[str, Any]]:
    found = []
    for folder in releases.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and (folder / "manifest.json").exists():
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            zip_path = folder / f"fazhi-{manifest['version']}.zip"
            manifest["zip_sha256"] = _sha256(zip_path) if zip_path.exists() else ""
            manifest["zip_bytes"] = zip_path.stat().st_size if zip_path.exists() else 0
            found.append(manifest)
    return sorted(found, key=lambda m: m["created"])


class TextIndex:
    """reports.jsonl read once for offsets and flags; a report's texts are read when its page is
    written, so the build never holds every text of the country at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offsets: dict[str, int] = {}
        self.flags: dict[str, list[dict[str, str]]] = {}
        with path.open("rb") as handle:
            offset = 0
            for line in handle:
                record = json.loads(line)
                self.offsets[record["report_id"]] = offset
                if record["flags"]:
                    self.flags[record["report_id"]] = record["flags"]
                offset += len(line)

    def record(self, report_id: str) -> dict[str, Any]:
        with self.path.open("rb") as handle:
            handle.seek(self.offsets[report_id])
            return json.loads(handle.readline())


def write_docs(releases: Path, version: str, docs: Path) -> int:
    """Generate every page of the site for ``version`` into ``docs`` (emptied first). Returns the page count."""
    folder = releases / version
    reports = _read_csv(folder / "reports.csv")
    observations = _read_csv(folder / "observations.csv")
    texts = TextIndex(folder / "reports.jsonl")
    flags = texts.flags
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")

    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    shutil.copytree(HAND_WRITTEN, docs, dirs_exist_ok=True)
    if ASSETS.exists():
        shutil.copytree(ASSETS, docs / "assets", dirs_exist_ok=True)

    written = 0

    def write(path: str, content: str) -> None:
        nonlocal written
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        written += 1

    groups = pages.group_townships(reports)
    by_report: dict[str, list[dict[str, Any]]] = {}
    for o in observations:
        by_report.setdefault(o["report_id"], []).append(o)
    years = sorted({int(r["year"]) for r in reports if r.get("year")})
    zip_name = f"fazhi-{version}.zip"
    write("index.md", pages.render_home(manifest, changelog, len(groups), years, f"downloads/{version}/{zip_name}"))
    write("townships/index.md", pages.render_township_index(groups))
    for province in sorted({p for p, _, _ in groups}):
        write(pages.province_path(province), pages.render_province(province, groups))
    for province, county in sorted({(p, c) for p, c, _ in groups}):
        write(pages.county_path(province, county), pages.render_county(province, county, groups))
    archive = docs / "archive"
    archive.mkdir(exist_ok=True)
    for key, rows in groups.items():
        obs = [o for r in rows for o in by_report.get(r["report_id"], [])]
        records = {r["report_id"]: texts.record(r["report_id"]) for r in rows}
        write(pages.place_path(rows[0]), pages.render_township(key, rows, obs, flags, {k: v["text"] for k, v in records.items()}))
        for r in rows:  # as published (before t2s), as plain text: a page from a portal is never served as HTML
            record = records[r["report_id"]]
            (archive / pages.archive_path(r).split("/", 1)[1]).write_text(record.get("original", record["text"]), encoding="utf-8")
    write("indicators/index.md", pages.render_indicator_index(observations))
    for key in INDICATOR_KEYS:
        write(f"indicators/{key}.md", pages.render_indicator(key, reports, observations))
    manifests = _manifests(releases)
    write("downloads.md", pages.render_downloads(manifests, package))
    for m in manifests:
        target = docs / "downloads" / m["version"]
        target.mkdir(parents=True, exist_ok=True)
        source = releases / m["version"]
        shutil.copy2(source / f"fazhi-{m['version']}.zip", target)
        # Served as plain text: the changelog quotes titles from government sites.
        shutil.copy2(source / "CHANGELOG.md", target / "CHANGELOG.txt")
        if m["version"] == version:
            for name in DOWNLOADABLE:
                shutil.copy2(source / name, target)
    return written


def build_site(releases: Path, version: str, site_dir: Path, docs_dir: Path, *, strict: bool = False) -> int:
    """Generate the pages of ``version`` and build them with MkDocs into ``site_dir``."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2; see README
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    count = write_docs(releases, version, docs_dir)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it sets DEBUG on import and logs its dictionary loading to stderr
    try:
        config = load_config(config_file=str(MKDOCS_YML), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict)
        build(config)
    except MkDocsException as exc:
        raise SiteBuildError(f"mkdocs build of release {version} failed: {exc}") from exc
    return count
