"""Immutable, calendar-versioned releases of the dataset that analysts download and cite.

A release is written into a temporary folder and renamed into place, then ``LATEST`` is
replaced atomically: a reader (or a crash) sees the old release or the new one, never half of
one. Releases are never rewritten; a release is cut only when the store's content changed
(its fingerprint differs from the latest release's).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from dataset import (
    BUCKETS,
    COVERAGE,
    FRAME,
    OPERATOR_TABLES,
    PROVENANCE,
    REPORTS,
    SOURCES,
    SOURCES_HEALTH,
    TABLES,
    TEXTS,
    TEXTS_FOLDER,
    UNREADABLE,
    Resource,
    citation,
    codebook,
    figures_long_resource,
    townships_resource,
)
from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from flows import store
from flows.records import Failure, ReleaseInfo
from flows.release import screen
from flows.release.changes import _changelog, _downloads_url, _parent_labels, _reread_values, coverage_changes, diff_folders, label_changes
from flows.release.figurepass import PARALLEL_FROM, _figure_pass, _figure_resources, _read_child
from flows.release.files import (
    FORMAT_VERSION,
    TABLE_BUCKET,
    _file_sha256,
    _fmt,
    _parent_tables,
    _parent_texts,
    _report_keys,
    _reusable,
    _write_bucketed,
    _write_csv,
    write_texts,
)
from flows.release.frame import REGISTER_VINTAGE, write_townships
from flows.release.provenance import _extractors_of, _joined, provenance
from flows.release.sources import _report_rows, _source_health_rows, _source_rows
from flows.release.verify import _sha256, verify_release
from flows.release.versions import (
    RELEASE_ZONE,
    _point_latest,
    _released_on,
    _remove_stale_temporaries,
    list_versions,
    next_version,
    read_manifest,
    sound_parent,
)
from flows.release.zipped import ZIP_PART, ParentZip, ReleaseZip
from flows.run.crash import crashpoint
from parsers import (
    COLUMN_UNITS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    Source,
)

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}

QUALIFIER_CODES = ("", "exact", "at_least", "approx")  # kept for importers (flows.release)




def _datapackage(version: str, created: datetime, sources: list[Source], years: list[int], texts: dict[str, Any],
                 folder: Path | None = None) -> dict[str, Any]:
    """datapackage.json from the declared format (dataset.format): a strict Frictionless
    schema per table (keys, enums, minimums, patterns), and a resource per year of texts (one
    path each: tools that read a resource's path as a string keep working). ``texts``: their
    index (write_texts: sha256 and bytes of each); ``folder``: where the Parquet copies are, to
    declare their bytes and sha256."""
    text_resources = []
    for path in sorted(texts):
        resource = TEXTS.descriptor()
        year = path.removeprefix(f"{TEXTS_FOLDER}/").removesuffix(".jsonl.gz")
        resource.update(name=f"texts-{year}", path=path, description=f"{resource['description']} (this file: {year})",
                        bytes=texts[path]["bytes"], hash=f"sha256:{texts[path]['sha256']}")
        text_resources.append(resource)
    tables = _declared_tables(years)
    # Each table, then its Parquet copy, a file resource (dataset.format.FILE_RESOURCE) of known bytes and
    # sha256 (issue 26: the copies were no resource, so nothing checked them).
    copies = [r.parquet_descriptor() for r in tables if r.parquet]
    for copy in copies if folder is not None else []:
        stat = (folder / copy["path"]).stat()
        copy.update(bytes=stat.st_size, hash=f"sha256:{_file_sha256(str(folder / copy['path']), stat.st_size, stat.st_mtime_ns, stat.st_ino)}")
    resources = [r.descriptor() for r in tables] + copies
    released_year = int(_released_on(created)[:4])
    for resource in resources:  # no report covers a year after the release's
        for field in resource["schema"]["fields"]:
            if field["name"] == "year":
                field.setdefault("constraints", {})["maximum"] = released_year
    return {
        "name": "fazhi-atlas",
        "title": "Fazhi Atlas: township rule-of-law reports and their figures",
        "version": version,
        "created": (created.astimezone(RELEASE_ZONE) if created.tzinfo else created).isoformat(timespec="seconds"),
        "licenses": [LICENSE],
        # The licence covers what Fazhi Atlas made: the extracted figures, metadata and tables. The
        # governments' report texts (texts/, the archive) are included for reference, under their
        # publishers' own terms.
        "rights": "Extracted data: CC-BY-4.0 (Fazhi Atlas). Report texts: published by the governments named in each row, "
                  "reproduced for reference under their own terms.",
        # "name" is the source_id of reports.csv (sources.csv has the rest)
        "sources": [{"name": s.id, "title": s.name, "path": s.pages[0]} for s in sources],
        "resources": resources + text_resources,
    }


def _write_files(folder: Path, conn: sqlite3.Connection, version: str, parent: str | None, releases: Path,
                 sources: list[Source], created: datetime, finished: Callable[..., None] = lambda path, known=None, buckets=None: None,
                 extractors: tuple[str | None, str] | None = None,
                 zip_segments: Callable[[], dict[str, Any]] = dict, left_out: dict[str, str] | None = None) -> tuple[dict[str, int], dict[str, Any]]:
    """Stream the store into the release files; returns the counts and the texts' index (for the manifest).

    Two passes that share nothing but the store: reports (reports.csv, sources.csv, provenance.csv
    and the texts) and figures (observations.csv, values.csv, indicators.csv). On a large store the
    figure pass runs in a second process, on the second core, while this one writes the rest (26 s
    and 33 s at 200,000 reports, measured: one after the other, they were most of the release).
    Texts of a year whose reports did not change are the parent release's file, hard-linked."""
    (folder / TEXTS_FOLDER).mkdir()
    parent_texts = _parent_texts(releases, parent)
    parent_path = releases / parent if parent else None
    report_count = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    if report_count >= PARALLEL_FROM and database:
        # A plain child process (python -m flows.release.figurepass): multiprocessing's spawn would re-import
        # the caller's main script, and fork is unsafe in a process with Prefect's threads.
        # Its errors go to a file, not a pipe: a pipe left unread while the texts are written could fill and stall it.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors, tempfile.NamedTemporaryFile("w", suffix=".json") as hidden:
            json.dump(sorted(left_out or ()), hidden)  # the reports left out: the child's connection hides them too
            hidden.flush()
            child = subprocess.Popen([sys.executable, "-m", "flows.release.figurepass", "figure-pass", database, str(folder),
                                      str(releases / parent) if parent else "", hidden.name],
                                     stdout=subprocess.PIPE, stderr=errors, text=True)
            assert child.stdout is not None
            result: list[dict[str, Any]] = []
            failures: list[BaseException] = []

            def read() -> None:
                try:
                    _read_child(child.stdout, folder, finished, result)  # type: ignore[arg-type]
                except BaseException as exc:  # noqa: BLE001 - raised below, in this thread
                    failures.append(exc)
                    child.kill()

            reader = threading.Thread(target=read, name="figure-pass-reader", daemon=True)
            reader.start()
            try:
                counts, texts = _report_pass(conn, folder, sources, parent_texts, finished, releases / parent if parent else None)
                years = _townships_pass(conn, folder, sources, created, counts, finished, parent_path)  # while the figure pass runs (the longer one)
                child.wait()
                reader.join()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
                reader.join()
            if child.returncode != 0 or failures or not result:
                errors.seek(0)
                why = f"exit {child.returncode}" if child.returncode != 0 else (str(failures[0]) if failures else "no result")
                raise RuntimeError(f"release {version}: the figure pass failed ({why}): {errors.read().strip()[-2000:]}")
        figures = result[0]
    else:
        counts, texts = _report_pass(conn, folder, sources, parent_texts, finished, releases / parent if parent else None)
        years = _townships_pass(conn, folder, sources, created, counts, finished, parent_path)
        figures = _figure_pass(conn, folder, releases / parent if parent else None, announce=lambda path, buckets: finished(path, buckets=buckets))
    tables: dict[str, Any] = counts.pop("tables") | figures.pop("tables")
    counts.update(figures)
    package = _datapackage(version, created, sources, years, texts, folder)
    for extra in OPERATOR_TABLES:  # sources_health.csv, unreadable.csv: not one of TABLES (dataset.format), listed when written
        if (folder / extra.path).is_file():
            package["resources"].append(extra.descriptor())
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    finished(folder / "datapackage.json")
    _write_codebook(folder, version, created, years, finished)
    withdrawn = {row[0] for row in conn.execute("SELECT report_id FROM reports WHERE status = 'withdrawn'")}
    changed = _changed_ranges(releases, parent, tables)
    changes = diff_folders(releases / parent if parent else None, folder, withdrawn, changed,
                           reread=lambda rid, revision: _reread_values(conn, rid, revision))
    changes += label_changes(_parent_labels(releases, parent), dict(INDICATOR_LABELS))
    if left_out:
        sources_of = dict(conn.execute("SELECT report_id, source_id FROM main.reports"))
        changes += [f"- left out of this release (it cannot be written): report `{rid}` of source {sources_of.get(rid, '?')}: {why}"
                    for rid, why in sorted(left_out.items())]
    if parent is not None:
        changes += coverage_changes(releases / parent / COVERAGE.path, folder / COVERAGE.path, changed.get(COVERAGE.path))
    cite = citation(version, _released_on(created), _downloads_url())
    (folder / "CHANGELOG.md").write_text(_changelog(version, parent, changes, counts, extractors, cite), encoding="utf-8")
    finished(folder / "CHANGELOG.md")
    # Where each bucket lies in the bucketed files, and in the zip (once the zip has them all: it
    # waits here for the tables): what the next release reuses. A file of its own, not the
    # manifest, which every `fazhi releases` and site build reads for every release.
    segments = zip_segments()
    (folder / BUCKETS).write_text(json.dumps({"texts": texts, "tables": tables, ZIP_PART: segments}, separators=(",", ":")), encoding="utf-8")
    finished(folder / BUCKETS)
    return counts, {"texts": texts, "tables": tables}


def _write_codebook(folder: Path, version: str, created: datetime, years: list[int], finished: Callable[..., None]) -> None:
    """README.md, CODEBOOK.md, codebook.csv, LICENSE and CITATION.cff, generated from the declared
    format and the indicator table this release was cut with (dataset.codebook)."""
    released_on = _released_on(created)
    tables = _declared_tables(years) + [r for r in OPERATOR_TABLES if (folder / r.path).is_file()]  # every table the datapackage declares
    labels = dict(INDICATOR_LABELS)
    units = {k: COLUMN_UNITS.get(k, "") for k in labels}
    texts = {"README.md": codebook.readme_md(version, released_on, citation(version, released_on, _downloads_url()), tables, REGISTER_VINTAGE),
             "CODEBOOK.md": codebook.codebook_md(tables, labels, units, REGISTER_VINTAGE),
             "codebook.csv": "\ufeff" + codebook.codebook_csv(tables, labels, units),
             "LICENSE": codebook.license_text(released_on),
             "CITATION.cff": codebook.citation_cff(version, released_on, _downloads_url())}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
        finished(folder / name)


def _declared_tables(years: list[int]) -> list[Resource]:
    """The tables of a release as declared in its datapackage.json (townships.csv with its years,
    the figure tables with this indicator table)."""
    figures = {r.name: r for r in (*_figure_resources(), figures_long_resource(INDICATOR_KEYS))}
    return [townships_resource(years) if r.name == "townships" else figures.get(r.name, r) for r in TABLES]


def _townships_pass(conn: sqlite3.Connection, folder: Path, sources: list[Source], created: datetime, counts: dict[str, Any],
                    finished: Callable[..., None], parent: Path | None = None) -> list[int]:
    """townships.csv, coverage.csv and frame.csv, written by this process while the figure pass
    runs in the other (the first two by buckets of counties, reused from the parent); their years."""
    years, counts["covered_townships"], tables = write_townships(folder, conn, sources, created, _parent_tables(parent))
    counts["tables"].update(tables)
    for resource in (townships_resource(years), COVERAGE, FRAME):
        finished(folder / resource.path, buckets=tables.get(resource.path))
        finished(folder / resource.parquet_path)
    return years


def _changed_ranges(releases: Path, parent: str | None, tables: dict[str, Any]) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """For each bucketed table, its byte ranges in the parent and in the new release of the
    buckets whose key changed; a table is left out (compared whole) when the parent has no index
    of the same header."""
    before = _parent_tables(releases / parent if parent else None)
    found = {}
    for name in ("reports.csv", "values.csv", "indicators.csv", COVERAGE.path):
        entry, index = before[1].get(name) if before else None, tables.get(name)
        if index is None or not isinstance(entry, dict) or entry.get("header") != index["header"]:
            continue
        parent_file = releases / str(parent) / name
        if not parent_file.is_file():
            continue
        with parent_file.open("rb") as handle:
            header = len(handle.readline())
        old = _reusable(entry, parent_file, header)
        if not old and entry["buckets"]:  # the parent's file does not fit its index: compared whole
            continue
        new = {c[0]: c for c in index["buckets"]}
        changed = sorted(b for b in old.keys() | new.keys() if (old.get(b) or [None, None])[1] != (new.get(b) or [None, None])[1])
        found[name] = ([(old[b][2], old[b][3]) for b in changed if b in old], [(new[b][2], new[b][3]) for b in changed if b in new])
    return found


def _report_pass(conn: sqlite3.Connection, folder: Path, sources: list[Source], parent_texts: tuple[Path, dict[str, Any]] | None,
                 finished: Callable[..., None], parent: Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """reports.csv (by buckets, as the figure tables), sources.csv, provenance.csv and the texts;
    their counts (reports.csv's bucket index under "tables") and the texts' index."""
    header = REPORTS.header

    def rows(ids: list[str]) -> Iterator[list[Any]]:
        for r in _report_rows(conn, ids):
            yield [_fmt(r[k]) for k in header]

    counts: dict[str, Any] = {}
    table_keys, text_keys = _report_keys(conn)
    counts["reports"], reports_index = _write_bucketed(folder, REPORTS, table_keys, rows, _parent_tables(parent))
    counts["tables"] = {REPORTS.path: reports_index}
    used_sources = dict(conn.execute("SELECT source_id, min(url) FROM reports GROUP BY source_id").fetchall())  # withdrawn ones stay in reports.csv
    finished(folder / REPORTS.path, buckets=reports_index)
    finished(folder / REPORTS.parquet_path)
    counts["sources"] = _write_csv(folder, SOURCES, _source_rows(conn, sources, used_sources))
    # provenance.csv by buckets too, keyed by its rows themselves (read once to key them, then
    # only the changed buckets' rows again): what a row holds comes from the fetch log as well as
    # the revision, so no cheaper key says for sure that it did not change. (Keys built from lines
    # SQLite makes of the revision, the report, the extractor and the newest fetch-log ids were
    # tried: 0.30 s CPU against 0.28 s at 20,000 reports; the query is the cost, not the hashing.)
    counts["provenance"], counts["tables"][PROVENANCE.path] = _write_bucketed(
        folder, PROVENANCE, _row_buckets(store.revision_provenance(conn)),
        lambda ids: ([*row[:2], _fmt(bool(row[2])), *row[3:]] for row in store.revision_provenance(conn, ids)), _parent_tables(parent))
    finished(folder / SOURCES.path)
    finished(folder / SOURCES.parquet_path)
    counts["sources_health"] = _write_csv(folder, SOURCES_HEALTH, _source_health_rows(conn, sources))
    finished(folder / SOURCES_HEALTH.path)
    counts["unreadable"] = _write_csv(folder, UNREADABLE, (list(row) for row in store.still_unread(conn)))
    finished(folder / UNREADABLE.path)
    finished(folder / PROVENANCE.path, buckets=counts["tables"][PROVENANCE.path])
    finished(folder / PROVENANCE.parquet_path)
    texts = write_texts(conn, folder, parent_texts, text_keys)
    for name, entry in sorted(texts.items()):
        finished(folder / name, entry)
    return counts, texts


def _row_buckets(rows: Iterable[tuple[Any, ...]]) -> dict[str, tuple[str, list[str]]]:
    """Buckets of rows in report_id order (the report id first): bucket → (a digest of its rows,
    its report ids)."""
    found: dict[str, tuple[Any, list[str]]] = {}
    seed = f"format {FORMAT_VERSION}\n".encode()
    for row in rows:
        digest, ids = found.setdefault(row[0][:TABLE_BUCKET], (hashlib.sha256(seed), []))
        digest.update(repr(row).encode() + b"\n")
        if not ids or ids[-1] != row[0]:
            ids.append(row[0])
    return {b: (d.hexdigest()[:32], ids) for b, (d, ids) in found.items()}


def _info(releases: Path, version: str) -> ReleaseInfo:
    manifest = read_manifest(releases, version)
    counts = manifest["counts"]
    left_out = [Failure(source_id=str(e.get("source_id")), url=str(e.get("url")),
                        reason=f"report {e.get('report_id')} left out of release {version}: it cannot be written ({e.get('reason')})")
                for e in manifest.get("left_out") or [] if isinstance(e, dict)]
    return ReleaseInfo(version=version, path=str(releases / version), reports=counts["reports"], observations=counts["observations"],
                       unclassified=counts.get("unclassified"), left_out=left_out)


def cut_release(conn: sqlite3.Connection, releases: Path, sources: list[Source], now: datetime) -> ReleaseInfo | None:
    """Write a new release if the store changed since the latest one; None when nothing changed.

    A run killed after renaming a release into place but before pointing LATEST at it left a
    complete release of exactly this state: the next run points LATEST at it instead of cutting
    a twin."""
    releases.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(releases)
    repairs: list[str] = []
    parent = sound_parent(releases, repairs)
    state = store.fingerprint(conn)
    if parent and read_manifest(releases, parent).get("fingerprint") == state:
        if not repairs:
            return None
        _point_latest(releases, parent)  # the newest sound release is this state: LATEST points at it again
        return _info(releases, parent).model_copy(update={"repairs": repairs})
    for version in list_versions(releases):
        manifest = read_manifest(releases, version)
        if manifest.get("parent") == parent and manifest.get("fingerprint") == state and not verify_release(releases, version):
            _point_latest(releases, version)
            return _info(releases, version)
    left_out = _still_unwritable(conn, releases, parent)
    try:
        return _cut(conn, releases, sources, now, parent, state, repairs, left_out)
    except screen.NOT_A_REPORTS_FAULT:
        raise
    except Exception as exc:  # noqa: BLE001 - screened below, raised again when no report is at fault
        # Without its traceback: its frames hold the store's cursors the writer was reading, open
        # statements that would keep the next cut from hiding a report (a locked table).
        failed = exc.with_traceback(None)
    gc.collect()
    # One report the writer cannot write must not stop every release (issue 31, item 6): find
    # which (the writer's steps, report by report) and cut again without them, naming them.
    screened = [rid for (rid,) in conn.execute("SELECT report_id FROM main.reports ORDER BY report_id") if rid not in left_out]
    found = screen.unwritable(conn, screened)
    if not found or len(found) == len(screened) > 1:  # none at fault, or all: the writer's fault, not a report's
        raise failed
    return _cut(conn, releases, sources, now, parent, state, repairs, left_out | found)


def _still_unwritable(conn: sqlite3.Connection, releases: Path, parent: str | None) -> dict[str, str]:
    """The reports the parent release left out that still cannot be written (screened again: a
    handful, so a bad record costs one failed cut, not one a night)."""
    if parent is None:
        return {}
    entries = read_manifest(releases, parent).get("left_out")
    ids = [e["report_id"] for e in entries if isinstance(e, dict) and isinstance(e.get("report_id"), str)] if isinstance(entries, list) else []
    known = [rid for rid in ids if conn.execute("SELECT 1 FROM main.reports WHERE report_id = ?", (rid,)).fetchone()]
    return screen.unwritable(conn, known) if known else {}


def _cut(conn: sqlite3.Connection, releases: Path, sources: list[Source], now: datetime, parent: str | None, state: str,
         repairs: list[str], left_out: dict[str, str]) -> ReleaseInfo:
    """A new release of the store, without the reports of ``left_out`` (report_id → why)."""
    version = next_version(releases, now)
    tmp = releases / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    zip_name = f"fazhi-{version}.zip"
    bundle = ReleaseZip(tmp / zip_name, f"fazhi-{version}/", ParentZip.of(releases / parent if parent else None))
    try:
        with store.leaving_out(conn, sorted(left_out)):
            made_by = provenance(conn)
            counts, index = _write_files(tmp, conn, version, parent, releases, sources, now, finished=bundle.add, zip_segments=bundle.drain,
                                         extractors=(_extractors_of(releases, parent), _joined(made_by["reports_by_extractor"])),
                                         left_out=left_out)
        files = dict(sorted(bundle.finish().items()))
        released_on = _released_on(now)
        manifest = {"version": version, "parent": parent, "created": now.isoformat(timespec="seconds"), "released_on": released_on,
                    "citation": citation(version, released_on, _downloads_url()), "fingerprint": state,
                    "format": FORMAT_VERSION, "counts": counts, **made_by, "register": REGISTER_VINTAGE,
                    "indicator_labels": dict(INDICATOR_LABELS), "files": files}
        if left_out:  # named, with why: the release's notes (CHANGELOG.md says it too) and the night's failures
            manifest["left_out"] = screen.described(conn, left_out)
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        bundle.close(tmp / "manifest.json")
    except BaseException:
        bundle.abandon()  # stop the zip thread before its folder goes
        shutil.rmtree(tmp, ignore_errors=True)  # a failed release leaves nothing behind; the store is untouched
        raise
    # Beside the zip, in `sha256sum -c` form: readers check their download, and the site lists it
    # without hashing every past zip on every build.
    (tmp / f"{zip_name}.sha256").write_text(f"{_sha256(tmp / zip_name)}  {zip_name}\n", encoding="utf-8")
    crashpoint("release:files-written")
    os.rename(tmp, releases / version)
    crashpoint("release:renamed")
    _point_latest(releases, version)
    return _info(releases, version).model_copy(update={"repairs": repairs})
