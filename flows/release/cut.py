"""Immutable, calendar-versioned releases of the dataset that analysts download and cite.

A release is written into a temporary folder and renamed into place, then ``LATEST`` is
replaced atomically: a reader (or a crash) sees the old release or the new one, never half of
one. Releases are never rewritten; a release is cut only when the store's content changed
(its fingerprint differs from the latest release's).
"""

from __future__ import annotations

import csv
import functools
import gc
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dataset import (
    BUCKETS,
    COVERAGE,
    DEADLINE_RULE_CODES,
    FRAME,
    METADATA_FILES,
    OPERATOR_TABLES,
    PROVENANCE,
    REPORTS,
    SOURCES,
    SOURCES_HEALTH,
    TABLES,
    TEXTS,
    TEXTS_FOLDER,
    UNREADABLE,
    CountySearch,
    ReportFact,
    Resource,
    citation,
    codebook,
    coverage,
    deadline_of,
    due_years,
    figure_resources,
    figures_long_resource,
    restore_cell,
    table_files,
    townships_resource,
)
from dataset.indicator_docs import LABELS_BEFORE_RECORDED
from flows import store
from flows.records import Failure, ReleaseInfo
from flows.release import screen
from flows.release.files import (
    FORMAT_VERSION,
    TABLE_BUCKET,
    _Background,
    _fmt,
    _fmt_number,
    _parent_tables,
    _parent_texts,
    _report_keys,
    _reusable,
    _write_bucketed,
    _write_csv,
    iter_texts,  # noqa: F401 - the release's texts, for its readers (reextract's tests, the hostile-content tests)
    write_parquet,  # noqa: F401
    write_texts,
)
from flows.release.zipped import ZIP_PART, ParentZip, ReleaseZip, sha256_of, zip_is_sound
from flows.run.crash import crashpoint
from parsers import (
    COLUMN_UNITS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    OCR_FLAG,
    UNCLASSIFIED,
    Source,
    covered_counties,
    extractor_version,
    prefecture_of,
    province_of,
    townships_of,
)

# The township register the codes come from (parsers/register.py reads it): named in the manifest,
# the codebook and the site's methodology page.
REGISTER_VINTAGE = {"name": "china-division", "version": "2.7.0", "codes_as_of": "2023-06-30",
                    "url": "https://github.com/modood/Administrative-divisions-of-China"}

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from dataset import bound_cell

MAX_TITLE = 1_000  # characters of a title in reports.csv: a page's <title> of 160,000 characters is a page's, not a title

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
NOT_A_TOWNSHIP_FIGURE = frozenset({"other"})  # documents that are not a rule-of-law report give no township figures

QUALIFIER_CODES = ("", "exact", "at_least", "approx")  # kept for importers (flows.release)


_sha256 = sha256_of


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


def _report_rows(conn: sqlite3.Connection, report_ids: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every report as a release row, streamed from the store: a withdrawn report stays, with its
    status and the day it was found gone (history is never rewritten: issue 26)."""
    for r in store.current_reports(conn, report_ids):
        report = json.loads(r["report"])
        place = report["place"]
        yield {
            "report_id": r["report_id"],
            "revision": r["revision"],
            "township": place.get("township"),
            "township_code": place.get("township_code"),
            "county": place.get("county"),
            "province": place.get("province"),
            "adcode": place.get("adcode"),
            "level": report["level"],
            "kind": report["kind"],
            "year": report["year"],
            "published_on": report["published_on"],
            "on_time": report["on_time"],
            "title": bound_cell(report["title"], MAX_TITLE) if report["title"] else report["title"],
            "url": r["url"],
            "source_id": r["source_id"],
            "sha256": r["sha256"],
            "script": report["script"],
            "status": r["status"],
            "mirror_urls": r["mirror_urls"],
            "withdrawn_on": (r["withdrawn_on"] or "")[:10] or None,
            "published_on_source": report.get("published_on_source"),
            "signed_on": report.get("signed_on"),
        }


YearValue = tuple[float, str, str, str, str]  # value, unit, qualifier, basis, flag codes (;-separated)


def _chosen_reports(reports: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The report each row of indicators.csv (one per place, year and kind) comes from, in the
    rows' order: of two reports of one kind, a place and a year, from two sources, the first by id
    (the other's values are in values.csv). Another report of the place and year never fills a
    gap: a row that mixed reports would name only one of them. ``reports``: LIGHT_FIELDS tuples."""
    rid, kind, status, year, township, county, province, adcode, code = range(len(LIGHT_FIELDS))
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in sorted(reports, key=lambda r: r[rid]):
        if r[kind] in NOT_A_TOWNSHIP_FIGURE or r[status] != "active" or r[year] is None:  # "other": a township document that is not its report
            continue
        # Keyed by the township's code: two 西湖镇 of different counties never merge. An annual report
        # and a 述法 report of one township and year are two rows: never one row of two reports.
        key = (r[code], r[year], r[kind]) if r[code] else (r[province], r[county], r[township], r[year], r[kind])
        rows.setdefault(key, r)
    return [rows[k] for k in sorted(rows, key=lambda k: tuple("" if v is None else str(v) for v in k))]


def _indicator_rows(chosen: list[tuple[Any, ...]], values: dict[str, dict[str, YearValue]]) -> list[list[Any]]:
    """indicators.csv's rows: per chosen report (_chosen_reports), its place and, per indicator in
    INDICATOR_KEYS order, the year's value, qualifier, basis and flags."""
    rows = []
    for r in chosen:
        cells: list[Any] = []
        found = values.get(r[0], {})
        for key in INDICATOR_KEYS:
            v = found.get(key)
            cells += [_fmt_number(v[0]), v[2], v[3], v[4] or None] if v else [None, None, None, None]
        rid, _kind, _status, year, township, county, province, adcode, code = r[:9]
        rows.append([code, township, county, province, adcode, year, r[1], rid, *cells])
    return rows


def _long_rows(chosen: list[tuple[Any, ...]], values: dict[str, dict[str, YearValue]]) -> Iterator[list[Any]]:
    """figures_long.csv's rows: indicators.csv's cells one per row, with the codes of every level."""
    order = {key: i for i, key in enumerate(INDICATOR_KEYS)}
    for r in chosen:
        rid, kind, _status, year, township, _county, _province, adcode, code = r[:9]
        county = code[:6] if code else adcode
        above, top = (prefecture_of(county), province_of(county)) if county else (None, None)
        prefecture, province = (above[0] if above else None), (top[0] if top else None)
        for key, v in sorted(values.get(rid, {}).items(), key=lambda kv: order.get(kv[0], len(order))):
            yield [code, county, prefecture, province, township, year, kind, key, _fmt_number(v[0]), v[1], v[2], v[3],
                   json.dumps([f for f in v[4].split(";") if f]), rid]


def diff_folders(old: Path | None, new: Path, withdrawn: Collection[str] = (),
                 ranges: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] | None = None,
                 reread: Callable[[str, int], dict[str, str] | None] | None = None) -> list[str]:
    """What changed from release folder ``old`` to ``new``: one line per report added, revised,
    withdrawn or gone (``withdrawn``: the ids of reports the store knows as withdrawn; a report
    that left reports.csv without being one is "gone"), per row that left, joined or changed report
    in indicators.csv, and per year's value changed (old → new), saying whether the report's text
    changed (a new revision) or only the rules that read it (same revision, another extractor):
    those lines start "- figure changed by the rules:", and a report the rules now place or date
    differently "- identification changed by the rules:". Reads the released CSVs only, so it works
    on any two releases, however far apart.

    Both releases list reports and figures in report_id order, so the two are walked side by side
    (a merge join): memory holds one report's figures at a time and a label for each report the two
    share, not two copies of the dataset (3 GB at 200,000 reports when it did). ``ranges``: for
    reports.csv and values.csv, the byte ranges in ``old`` and ``new`` that can differ (the buckets
    of report ids that changed, as the release writer knows them): only those are read and compared.

    ``reread``: the year's values (as shown) the new rules give the previous revision of a report,
    from the store (None when it was not re-extracted): a figure of a revised report that the
    previous text, read by the new rules, already gives changed by the rules, not by the text."""
    ranges = ranges or {}
    old_reports, new_reports = ranges.get("reports.csv", (None, None))
    old_values, new_values = ranges.get("values.csv", (None, None))

    def place(row: dict[str, str]) -> str:  # the true text, not the CSV's neutralised cells
        return ", ".join(restore_cell(p) for p in (row["township"], row["county"], row["year"]) if p) or "?"

    def label(row: dict[str, str]) -> str:
        return f"{restore_cell(row['title'])} ({place(row)}) `{row['report_id']}`"

    lines: list[str] = []
    shared: dict[str, tuple[str, bool, int]] = {}  # report_id → (its label, its text changed, its previous revision)
    for rid, before, row in _merge_join(_sorted_rows(old / "reports.csv", old_reports) if old else iter(()), _sorted_rows(new / "reports.csv", new_reports)):
        if before is None:
            assert row is not None  # the merge join gives at least one side
            lines.append(f"- added: {label(row)}")
        elif row is None:
            lines.append(f"- {'withdrawn' if rid in withdrawn else 'gone'}: {label(before)}")
        else:
            revised = before["revision"] != row["revision"]
            shared[rid] = (label(row), revised, int(before["revision"]))
            if revised:
                lines.append(f"- revised: {label(row)}: revision {before['revision']} → {row['revision']}")
            elif place(before) != place(row) or before.get("kind") != row.get("kind"):
                lines.append(f"- identification changed by the rules: `{rid}` {place(before)} ({before.get('kind')}) → {place(row)} ({row.get('kind')})")
            if before["status"] != row["status"]:
                lines.append(f"- {'withdrawn' if row['status'] == 'withdrawn' else 'restored'}: {label(row)}")
    # "gone" lines after the others, as before: added/revised/withdrawn in report order, then gone
    lines.sort(key=lambda line: line.startswith("- gone:"))
    if old is not None and (old / "indicators.csv").exists():
        lines += _indicator_changes(old / "indicators.csv", new / "indicators.csv", ranges.get("indicators.csv"))
    old_figures = _values_by_report(old, old_values) if old else iter(())
    new_figures = _values_by_report(new, new_values)
    for rid, before_values, after_values in _merge_join(old_figures, new_figures):
        if rid not in shared:
            continue
        what, text_changed, previous = shared[rid]
        before_values, after_values = before_values or {}, after_values or {}
        reread_values = reread(rid, previous) if text_changed and reread is not None else None
        for indicator in sorted(set(before_values) | set(after_values)):
            if before_values.get(indicator) != after_values.get(indicator):
                by_rules = not text_changed or (reread_values is not None and reread_values.get(indicator) == after_values.get(indicator))
                cause = "figure changed by the rules" if by_rules else "figure changed"
                lines.append(f"- {cause}: {what} {indicator}: {before_values.get(indicator, '—')} → {after_values.get(indicator, '—')}")
    return lines


def _indicator_changes(old: Path, new: Path, ranges: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None) -> list[str]:
    """Rows of indicators.csv (one per township, year and kind) that left, joined, or now come from
    another report, named by township, county and year: an analyst's series loses or gains a point.
    Only the lines that are not in both files are parsed (a night changes a few of 200,000); a
    row's cells hold names, codes and figures, never a line break, so a line is a row. ``ranges``:
    the byte ranges of the old and new file that can differ (their buckets that changed)."""

    def place(row: dict[str, str]) -> str:
        return ", ".join(restore_cell(p) for p in (row["township"], row["county"], row["year"]) if p) or "?"

    old_lines, new_lines = (_lines(old), _lines(new)) if ranges is None else (_lines(old, ranges[0]), _lines(new, ranges[1]))
    if not old_lines or not new_lines or old_lines[0] != new_lines[0]:  # another header: every row is compared
        old_only, new_only = old_lines[1:], new_lines[1:]
    else:
        shared = set(old_lines[1:]) & set(new_lines[1:])
        old_only, new_only = [line for line in old_lines[1:] if line not in shared], [line for line in new_lines[1:] if line not in shared]
    before = dict(_keyed_indicator_rows(old_lines[:1] + old_only))
    after = dict(_keyed_indicator_rows(new_lines[:1] + new_only))
    pairs = [(key, before.get(key), after.get(key)) for key in sorted(before.keys() | after.keys())]
    lines = []
    for _, was, now in pairs:
        if now is None and was is not None:
            lines.append(f"- indicators.csv row left: {place(was)} (township {was['township_code'] or 'unresolved'}; was report `{was['report_id']}`)")
        elif was is None and now is not None:
            lines.append(f"- indicators.csv row added: {place(now)} (township {now['township_code'] or 'unresolved'}; report `{now['report_id']}`)")
        elif was is not None and now is not None and was["report_id"] != now["report_id"]:
            lines.append(f"- indicators.csv row from another report: {place(now)}: `{was['report_id']}` → `{now['report_id']}`")
    return lines


def _lines(path: Path, ranges: list[tuple[int, int]] | None = None) -> list[str]:
    """The file's lines; with ``ranges``, its header line and the lines in those byte ranges."""
    if ranges is None:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return handle.read().splitlines()
    with path.open("rb") as handle:
        found = [handle.readline().decode("utf-8-sig").rstrip("\r\n")]
        for offset, length in ranges:
            handle.seek(offset)
            found += handle.read(length).decode("utf-8").splitlines()
    return found


def _keyed_indicator_rows(lines: list[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """(key, row) of indicators.csv lines (the header first): the township code, year and kind,
    else province, county, township, year and kind (releases before the kind column: none)."""
    reader = csv.reader(lines)
    header = next(reader, [])
    for cells in reader:
        row = dict(zip(header, cells))
        parts = ((row["township_code"], row["year"], row.get("kind", "")) if row["township_code"]
                 else (row["province"], row["county"], row["township"], row["year"], row.get("kind", "")))
        yield "\0".join(restore_cell(p) for p in parts), row


T = TypeVar("T")


def _merge_join(old: Iterator[tuple[str, T]], new: Iterator[tuple[str, T]]) -> Iterator[tuple[str, T | None, T | None]]:
    """Two streams sorted by key → (key, old item or None, new item or None), in key order."""
    end = ("\U0010ffff", None)
    a, b = next(old, end), next(new, end)
    while a[1] is not None or b[1] is not None:
        if b[1] is None or (a[1] is not None and a[0] < b[0]):
            yield a[0], a[1], None
            a = next(old, end)
        elif a[1] is None or b[0] < a[0]:
            yield b[0], None, b[1]
            b = next(new, end)
        else:
            yield a[0], a[1], b[1]
            a, b = next(old, end), next(new, end)


def _sorted_rows(path: Path, ranges: list[tuple[int, int]] | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """(report_id, row) of a release's reports.csv (only its byte ranges ``ranges``, when given),
    checking the order the merge join relies on."""
    previous = ""
    columns = ("report_id", "revision", "status", "title", "township", "county", "year", "kind")
    for row in _read_csv_ranges(path, ranges, columns) if ranges is not None else _read_csv(path, columns):
        if row["report_id"] <= previous:
            raise ValueError(f"{path}: rows are not in report_id order ({row['report_id']} after {previous})")
        previous = row["report_id"]
        yield row["report_id"], row


def _values_by_report(folder: Path, ranges: list[tuple[int, int]] | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """(report_id, {indicator: value as shown}) of each report's year's values, in report_id order:
    from values.csv (only its byte ranges ``ranges``, when given), or from the canonical rows of
    observations.csv in releases made before it."""
    rows: Iterator[dict[str, str]]
    if ranges is not None:
        rows = _read_csv_ranges(folder / "values.csv", ranges, ("report_id", "indicator", "value", "qualifier"))
    elif (folder / "values.csv").exists():
        rows = _read_csv(folder / "values.csv", ("report_id", "indicator", "value", "qualifier"))
    else:
        rows = (r for r in _read_csv(folder / "observations.csv", ("report_id", "indicator", "value", "qualifier", "canonical")) if r["canonical"] == "true")
    current, values = "", dict[str, str]()
    for row in rows:
        if row["report_id"] != current:
            if values:
                yield current, values
            if row["report_id"] < current:
                raise ValueError(f"{folder}: rows are not in report_id order ({row['report_id']} after {current})")
            current, values = row["report_id"], {}
        shown = row["value"] + ("" if row["qualifier"] in ("exact", "") else f" ({row['qualifier']})")
        values.setdefault(row["indicator"], shown)
    if values:
        yield current, values


def _read_csv_ranges(path: Path, ranges: list[tuple[int, int]], columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """The rows in these byte ranges of a CSV (whole rows: the ranges of a bucketed table)."""
    with path.open("rb") as handle:
        header = next(csv.reader([handle.readline().decode("utf-8-sig")]))
        where = [(name, header.index(name)) for name in columns]
        for offset, length in ranges:
            handle.seek(offset)
            for row in csv.reader(io.StringIO(handle.read(length).decode("utf-8"), newline="")):
                yield {name: row[i] for name, i in where}


def _reread_values(conn: sqlite3.Connection, report_id: str, revision: int) -> dict[str, str] | None:
    """The year's values (as a change log shows them) that the extractor of the report's current
    revision gives its revision ``revision``; None when that revision was not re-extracted by it."""
    found = store.revision_values(conn, report_id, revision)
    if found is None:
        return None
    return {indicator: _fmt_number(value) + ("" if qualifier in ("exact", "") else f" ({qualifier})") for indicator, value, qualifier in found}


COVERAGE_LINES = 200  # status changes listed one by one; beyond, counted per transition only


def coverage_changes(old: Path, new: Path) -> list[str]:
    """Status changes of coverage.csv (a township's year found, withdrawn, past its deadline, newly
    searched): counted per transition, and listed one by one up to COVERAGE_LINES. Only lines that
    are not in both files are parsed (a night changes a few of hundreds of thousands)."""
    if not old.is_file() or not new.is_file():
        return []
    old_lines, new_lines = _lines(old), _lines(new)
    if not old_lines or not new_lines or old_lines[0] != new_lines[0]:
        return []  # another format: nothing comparable
    shared = set(old_lines[1:]) & set(new_lines[1:])
    key = ("township_code", "report_group", "year")

    def keyed(lines: list[str]) -> dict[tuple[str, ...], dict[str, str]]:
        return {tuple(row[k] for k in key): row for row in csv.DictReader([new_lines[0], *(line for line in lines if line not in shared)])}

    before, after = keyed(old_lines[1:]), keyed(new_lines[1:])
    changed = []
    for k in sorted(before.keys() | after.keys()):
        was, now = before.get(k), after.get(k)
        was_status = (was["status"] + (" (withdrawn)" if was["withdrawn"] == "true" else "")) if was else "—"
        now_status = (now["status"] + (" (withdrawn)" if now["withdrawn"] == "true" else "")) if now else "—"
        if was_status != now_status:
            changed.append((k, was_status, now_status))
    if not changed:
        return []
    counts: dict[tuple[str, str], int] = {}
    for _, a, b in changed:
        counts[(a, b)] = counts.get((a, b), 0) + 1
    lines = [f"- status changed ({n} township-years): {a} → {b}" for (a, b), n in sorted(counts.items())]
    lines += [f"- status changed: township {code} {group} {year}: {a} → {b}" for (code, group, year), a, b in changed[:COVERAGE_LINES]]
    return lines


def label_changes(before: dict[str, str] | None, after: dict[str, str]) -> list[str]:
    """One change-log line per indicator whose Chinese label changed (keys are never renamed: a
    label is corrected when it did not say what the key counts), and per key added."""
    if before is None:
        return []
    lines = [f"- indicator label changed: {key}: {before[key]} → {label}" for key, label in after.items() if key in before and before[key] != label]
    return lines + [f"- indicator added: {key} ({label})" for key, label in after.items() if key not in before]


def _parent_labels(releases: Path, parent: str | None) -> dict[str, str] | None:
    """The indicator labels a parent release was cut with (its manifest); for a parent cut before
    releases recorded them, the labels of then (LABELS_BEFORE_RECORDED); None without a parent."""
    if parent is None:
        return None
    try:
        labels = read_manifest(releases, parent).get("indicator_labels")
    except (OSError, ValueError):
        return None
    if isinstance(labels, dict):
        return labels
    return {**INDICATOR_LABELS, **{k: v for k, v in LABELS_BEFORE_RECORDED.items() if k in INDICATOR_LABELS}}


def _released_on(now: datetime) -> str:
    """The release's date where the reports are published (a release cut at 02:00 in Beijing is
    dated that day, not the day before as in UTC)."""
    return (now.astimezone(RELEASE_ZONE) if now.tzinfo else now).date().isoformat()


def _downloads_url() -> str | None:
    """Where releases are downloaded, when the site's published address is set (FAZHI_SITE_URL)."""
    site = os.environ.get("FAZHI_SITE_URL", "").strip()
    return f"{site.rstrip('/')}/downloads/" if site.startswith(("https://", "http://")) else None


def _changelog(version: str, parent: str | None, lines: list[str], counts: dict[str, int], extractor: tuple[str | None, str] | None = None,
               cite: str | None = None) -> str:
    """``extractor``: (the parent's extractor version, this release's), to say when the rules changed;
    ``cite``: the release's citation line."""
    head = [f"# Fazhi Atlas {version}", ""]
    if cite:
        head += [f"Cite as: {cite}", ""]
    if parent is None:
        head += [f"First release: {counts['reports']} reports, {counts['observations']} figures"
                 f"{_queue_words(counts.get('unclassified'))}.", ""]
    else:
        head += [f"Changes since {parent}.", ""]
    if extractor and parent is not None and extractor[0] != extractor[1]:
        by_rules = sum(line.startswith("- figure changed by the rules:") for line in lines)
        head += [f"The extraction rules changed (extractor {extractor[0] or 'unrecorded'} → {extractor[1]}; stored reports are read again "
                 f"from the bytes as fetched): {by_rules} figure(s) changed because of the rules alone (lines \"figure changed by the rules\"), "
                 "the others because the report's text changed.", ""]
    return "\n".join(head + (lines or ["- no change in reports or figures"])) + "\n"


def _queue_words(unclassified: int | None) -> str:
    """The reviewers' queue beside a count of figures (releases cut before it was counted apart say nothing)."""
    return f"; {unclassified} unclassified counts in the reviewers' queue" if unclassified is not None else ""


def _read_csv(path: Path, columns: tuple[str, ...] | None = None) -> Iterator[dict[str, str]]:
    """Rows one at a time: observations.csv holds millions of rows at national scale.
    ``columns``: only these (a dict of 4 cells instead of 12, per row, 3.4 million times)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if columns is None:
            yield from csv.DictReader(handle)
            return
        reader = csv.reader(handle)
        header = next(reader, [])
        where = [(name, header.index(name)) for name in columns]
        for row in reader:
            yield {name: row[i] for name, i in where}


def _datapackage(version: str, created: datetime, sources: list[Source], years: list[int], texts: list[str]) -> dict[str, Any]:
    """datapackage.json from the declared format (dataset.format): a strict Frictionless
    schema per table (keys, enums, minimums, patterns), and a resource per year of texts (one
    path each: tools that read a resource's path as a string keep working)."""
    text_resources = []
    for path in texts:
        resource = TEXTS.descriptor()
        year = path.removeprefix(f"{TEXTS_FOLDER}/").removesuffix(".jsonl.gz")
        resource.update(name=f"texts-{year}", path=path, description=f"{resource['description']} (this file: {year})")
        text_resources.append(resource)
    tables = _declared_tables(years)
    # Each table, then its Parquet copy: frictionless validates both (issue 26: the copies were no resource, so nothing checked them).
    resources = [r.descriptor() for r in tables] + [r.parquet_descriptor() for r in tables if r.parquet]
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


def _figure_resources() -> tuple[Resource, Resource, Resource]:
    """observations, values and indicators for the indicator table this process reads."""
    return figure_resources(INDICATOR_KEYS, INDICATOR_LABELS)


LIGHT_FIELDS = ("report_id", "kind", "status", "year", "township", "county", "province", "adcode", "township_code")
PARALLEL_FROM = 20_000  # reports: from here the figures are written by a second process (its start-up, ~1 s, pays off)


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
    report_count = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    if report_count >= PARALLEL_FROM and database:
        # A plain child process (python -m flows.release.cut): multiprocessing's spawn would re-import
        # the caller's main script, and fork is unsafe in a process with Prefect's threads.
        # Its errors go to a file, not a pipe: a pipe left unread while the texts are written could fill and stall it.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors, tempfile.NamedTemporaryFile("w", suffix=".json") as hidden:
            json.dump(sorted(left_out or ()), hidden)  # the reports left out: the child's connection hides them too
            hidden.flush()
            child = subprocess.Popen([sys.executable, "-m", "flows.release.cut", "figure-pass", database, str(folder),
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
                years = _townships_pass(conn, folder, sources, created, counts, finished)  # while the figure pass runs (the longer one)
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
        years = _townships_pass(conn, folder, sources, created, counts, finished)
        figures = _figure_pass(conn, folder, releases / parent if parent else None, announce=lambda path, buckets: finished(path, buckets=buckets))
    tables: dict[str, Any] = counts.pop("tables") | figures.pop("tables")
    counts.update(figures)
    package = _datapackage(version, created, sources, years, sorted(texts))
    for extra in OPERATOR_TABLES:  # sources_health.csv, unreadable.csv: not one of TABLES (dataset.format), listed when written
        if (folder / extra.path).is_file():
            package["resources"].append(extra.descriptor())
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    finished(folder / "datapackage.json")
    _write_codebook(folder, version, created, years, finished)
    withdrawn = {row[0] for row in conn.execute("SELECT report_id FROM reports WHERE status = 'withdrawn'")}
    changes = diff_folders(releases / parent if parent else None, folder, withdrawn, _changed_ranges(releases, parent, tables),
                           reread=lambda rid, revision: _reread_values(conn, rid, revision))
    changes += label_changes(_parent_labels(releases, parent), dict(INDICATOR_LABELS))
    if left_out:
        sources_of = dict(conn.execute("SELECT report_id, source_id FROM main.reports"))
        changes += [f"- left out of this release (it cannot be written): report `{rid}` of source {sources_of.get(rid, '?')}: {why}"
                    for rid, why in sorted(left_out.items())]
    if parent is not None:
        changes += coverage_changes(releases / parent / COVERAGE.path, folder / COVERAGE.path)
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
                    finished: Callable[..., None]) -> list[int]:
    """townships.csv, written by this process while the figure pass runs in the other; its years."""
    years, counts["covered_townships"] = write_townships(folder, conn, sources, created)
    for resource in (townships_resource(years), COVERAGE, FRAME):
        finished(folder / resource.path)
        finished(folder / resource.parquet_path)
    return years


def _changed_ranges(releases: Path, parent: str | None, tables: dict[str, Any]) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """For each bucketed table, its byte ranges in the parent and in the new release of the
    buckets whose key changed; a table is left out (compared whole) when the parent has no index
    of the same header."""
    before = _parent_tables(releases / parent if parent else None)
    found = {}
    for name in ("reports.csv", "values.csv", "indicators.csv"):
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
    # the revision, so no cheaper key says for sure that it did not change.
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


def _source_health_rows(conn: sqlite3.Connection, sources: list[Source]) -> Iterator[list[Any]]:
    """sources_health.csv: each registry source's health over its recorded nights (flows.store.health)."""
    for s in store.source_status(conn, sources):
        yield [s.source_id, _fmt(s.checked), s.checked_on, s.nights, s.last_success, s.last_error_on, s.last_error, s.items_last,
               s.items_usual, s.nights_since_new, s.newest, " ".join(f"{y}:{n}" for y, n in sorted(s.years.items())) or None,
               "; ".join(s.flags) or None]


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


def _source_rows(conn: sqlite3.Connection, sources: list[Source], used: dict[str, str]) -> Iterator[list[Any]]:
    """Every source of the registry, and every other source a current report comes from (its
    entry as last used, kept in the store; else its id and the site of one of its reports):
    every source_id resolves."""
    known = {s.id: s for s in sources}
    stored = {row[0]: row[1] for row in conn.execute("SELECT source_id, entry FROM source_entries")}
    reads = store.listing_reads(conn)
    for source_id in sorted(known.keys() | used):
        source, in_registry = known.get(source_id), source_id in known
        if source is None and source_id in stored:
            try:
                source = Source.model_validate_json(stored[source_id])
            except ValueError:
                source = None
        if source is None:
            parts = urlsplit(used[source_id])
            yield [source_id, source_id, f"{parts.scheme}://{parts.netloc}/", None, None, None, None, None, "false", *_read_cells(reads.get(source_id), None)]
            continue
        province = province_of(source.adcode) if source.adcode else None
        yield [source.id, source.name, source.pages[0], " ".join(source.listing), province[1] if province else None, source.county,
               source.adcode, " ".join(covered_counties(source)), _fmt(in_registry), *_read_cells(reads.get(source.id), source.max_pages)]


def _read_cells(read: store.SourceReads | None, max_pages: int | None) -> list[Any]:
    """sources.csv's frame columns: when and how far back the source's listing was read."""
    if read is None:
        return [None, None, 0, None, max_pages, None, None, None]
    return [read.monitored_since, read.last_listing, read.reads, read.max_pages_read, max_pages, _fmt(read.reached_end), read.oldest_listed,
            _fmt(read.stopped_by_max_pages)]


def _figure_pass_in(database: str, folder: str, parent: str = "", hidden: str = "") -> dict[str, Any]:  # in the child: see _write_files
    """The figure pass in a process of its own: its own connection, read-only (the data lock
    keeps writers out while a release is cut, so both passes read the same state). Each file
    written is announced on stdout as a JSON line {"file": name, "buckets": index} (the parent
    zips it meanwhile); the counts come last, as {"result": counts}."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    lock = threading.Lock()
    root = Path(folder)

    def announce(path: Path, buckets: dict[str, Any] | None) -> None:
        with lock:  # the Parquet thread announces too
            print(json.dumps({"file": path.relative_to(root).as_posix(), "buckets": buckets}), flush=True)

    left_out = json.loads(Path(hidden).read_text(encoding="utf-8")) if hidden else []
    try:
        with screen.leaving_out(conn, left_out):
            return _figure_pass(conn, root, Path(parent) if parent else None, announce)
    finally:
        conn.close()


def _read_child(lines: Iterable[str], folder: Path, finished: Callable[..., None], result: list[dict[str, Any]]) -> None:
    """The figure pass's announcements (see _figure_pass_in), handed to the zip as they come."""
    for line in lines:
        message = json.loads(line)
        if "result" in message:
            result.append(message["result"])
            continue
        name = str(message["file"])
        if not _release_name(name):  # only files of this release, as the writer names them
            raise ValueError(f"the figure pass announced '{name[:80]}', not a file of the release")
        finished(folder / name, buckets=message.get("buckets"))


Announce = Callable[[Path, "dict[str, Any] | None"], None]  # a release file written (its bucket index, if any): the zip takes it


def _figure_pass(conn: sqlite3.Connection, folder: Path, parent: Path | None = None,
                 announce: Announce = lambda path, buckets: None) -> dict[str, Any]:
    """observations.csv, values.csv and indicators.csv, from the figures and each report's place,
    kind and flags (not its texts); returns their counts, the number of townships, and under
    "tables" the bucket index of observations.csv and values.csv.

    Those two are written by buckets of report ids, like the texts: a bucket whose reports did not
    change is the parent's bytes, copied; only the changed buckets are read from the store and
    formatted (3.4 million observations at national scale, rewritten every night, were most of
    the figure pass). indicators.csv is derived across reports (one row per township and year):
    it is written by buckets of townships (_indicator_buckets), from the values of the reports of
    the buckets that changed (reading every value took 9 s a night at 200,000 reports)."""
    light: list[tuple[Any, ...]] = []
    states: dict[str, str] = {}  # report_id → what its indicators.csv cells are made of
    flags_by_report: dict[str, str] = {}  # as JSON: parsed for the reports whose rows are written (200,000 parsed took 2.5 s)
    key_rows: list[tuple[Any, ...]] = []  # the tables' bucket keys, from these rows (as current_text_keys reads them)
    shared: dict[Any, Any] = {}  # one object per distinct name, kind, code …: 200,000 rows of fresh strings took 250 MB
    for row in store.current_report_places(conn):  # withdrawn reports too: their status changes their buckets' keys, they give no figures
        place = tuple(shared.setdefault(v, v) if i else v for i, v in enumerate(row[:9]))
        light.append(place)
        states[row[0]] = "\t".join(map(str, (*place, row[11], row[12])))
        if row[10] != "[]":
            flags_by_report[row[0]] = row[10]
        key_rows.append((row[0], row[11], row[3], row[12], row[10], row[13], row[2]))

    @functools.lru_cache(maxsize=64)
    def flags_of(report_id: str) -> list[dict[str, str]]:
        found = flags_by_report.get(report_id)
        return json.loads(found) if found else []

    def flag_codes(report_id: str, indicator: str, own: str = "") -> str:
        report_flags = flags_of(report_id)
        codes = [c for c in own.split(";") if c]
        if report_flags:  # a flag naming the indicator, or one about the whole text (read by OCR: every figure may be misread)
            codes += [f["code"] for f in report_flags if (indicator in f["detail"] or f["code"] == OCR_FLAG) and f["code"] not in codes]
        return ";".join(codes)

    def observation_rows(ids: list[str]) -> Iterable[list[Any]]:
        for report_id, revision, seq, indicator, value, unit, qualifier, quote, start, end, section, chosen, scope in store.current_observation_tuples(conn, ids):
            yield [report_id, revision, seq, indicator, _fmt_number(value), unit, qualifier, quote, start, end, section,
                   "true" if chosen else "false", flag_codes(report_id, indicator), scope, "active"]

    def value_rows(ids: list[str]) -> Iterable[list[Any]]:
        for report_id, _revision, indicator, value, unit, qualifier, basis, quote, start, end, own_flags in store.current_value_tuples(conn, ids):
            yield [report_id, indicator, _fmt_number(value), unit, qualifier, basis, quote, start, end, flag_codes(report_id, indicator, own_flags)]

    observations, value_table, indicators = _figure_resources()
    buckets, _ = _report_keys(conn, key_rows)
    del key_rows
    before = _parent_tables(parent)
    counts: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    # Each file is announced when written, so that the zip takes it while the next is written.
    with _Background(done=lambda path: announce(path, None)) as background:  # the Parquet copies, beside the next table
        # "observations" counts the figures of an indicator; the counts no indicator takes (the
        # reviewers' queue, rows of observations.csv too) are counted apart: "118 figures" of which
        # 46 were unclassified overstated what a release holds.
        rows, tables[observations.path] = _write_bucketed(folder, observations, buckets, observation_rows, before, background,
                                                          tally=_is_unclassified)
        counts["observation_rows"], counts["unclassified"] = rows, sum(tables[observations.path]["tally"].values())
        counts["observations"] = rows - counts["unclassified"]
        announce(folder / observations.path, tables[observations.path])
        counts["values"], tables[value_table.path] = _write_bucketed(folder, value_table, buckets, value_rows, before, background)
        announce(folder / value_table.path, tables[value_table.path])
        by_id = {r[0]: r for r in light}

        def indicator_rows(ids: list[str]) -> list[list[Any]]:
            chosen = _chosen_reports([by_id[i] for i in ids])
            return _indicator_rows(chosen, _year_values(conn, [r[0] for r in chosen], flag_codes))

        def long_rows(ids: list[str]) -> Iterator[list[Any]]:
            chosen = _chosen_reports([by_id[i] for i in ids])
            return _long_rows(chosen, _year_values(conn, [r[0] for r in chosen], flag_codes))

        township_buckets = _indicator_buckets(light, states)
        counts["indicator_rows"], tables[indicators.path] = _write_bucketed(folder, indicators, township_buckets, indicator_rows, before, background)
        announce(folder / indicators.path, tables[indicators.path])
        long = figures_long_resource(INDICATOR_KEYS)
        counts["long_rows"], tables[long.path] = _write_bucketed(folder, long, township_buckets, long_rows, before, background)
        announce(folder / long.path, tables[long.path])
    counts["townships"] = len({r[8] or (r[6], r[5], r[4]) for r in light if r[4]})  # the code, else province, county, township
    counts["tables"] = tables
    return counts


INDICATOR_COLUMN = 3  # of observations.csv


def _is_unclassified(row: list[Any]) -> bool:
    """An observations.csv row of the reviewers' queue (a count no indicator takes), not a figure."""
    return bool(row[INDICATOR_COLUMN] == UNCLASSIFIED)


def _indicator_buckets(light: list[tuple[Any, ...]], states: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """indicators.csv's buckets: a row's bucket is the first TOWNSHIP_BUCKET digits of its
    township code (rows of unresolved townships together, last), so the rows keep township-code
    order and a night's new report changes a bucket of a few townships only. A bucket's key digests the
    state of each report whose row it may hold (place, kind, year, revision, extractor): a report
    that moves to another township changes both buckets."""
    rid, kind, status, year, code = 0, 1, 2, 3, 8
    found: dict[str, tuple[Any, list[str]]] = {}
    for r in light:
        if r[kind] in NOT_A_TOWNSHIP_FIGURE or r[status] != "active" or r[year] is None:
            continue
        bucket = str(r[code])[:TOWNSHIP_BUCKET] if r[code] else UNRESOLVED_BUCKET
        digest, ids = found.setdefault(bucket, (hashlib.sha256(f"format {FORMAT_VERSION}\n".encode()), []))
        digest.update(states[r[rid]].encode() + b"\n")
        ids.append(r[rid])
    return {b: (d.hexdigest()[:32], ids) for b, (d, ids) in sorted(found.items())}


UNRESOLVED_BUCKET = "~"  # after every code: rows of townships without a register code come last
TOWNSHIP_BUCKET = 8  # digits of the township code: ~1 to 10 townships a bucket (by county, 6 digits, a night reformatted 8,000 reports' rows)


def _year_values(conn: sqlite3.Connection, report_ids: list[str], flag_codes: Callable[[str, str, str], str]) -> dict[str, dict[str, YearValue]]:
    """These reports' year's values by report and indicator (read per bucket of townships that
    changed: a night reads a few hundred, not 200,000). ``flag_codes``: the value's own flags with
    the report's flags on the indicator."""
    values: dict[str, dict[str, YearValue]] = {}
    for report_id, _revision, indicator, value, unit, qualifier, basis, _quote, _start, _end, own in store.current_value_tuples(conn, report_ids):
        if indicator in INDICATOR_LABELS:
            values.setdefault(report_id, {})[indicator] = (value, unit, qualifier, basis, flag_codes(report_id, indicator, own))
    return values


def write_townships(folder: Path, conn: sqlite3.Connection, sources: list[Source], created: datetime) -> tuple[list[int], int]:
    """townships.csv, coverage.csv and frame.csv: every township of the sources' covered counties
    (and any other a report names, withdrawn or not), with the status of its annual report and of
    a 述法 report for each year due, as far as the counties were searched; returns the years and
    the number of townships."""
    reads = store.listing_reads(conn)
    searched = _county_searches(sources, reads)
    facts = [_township_fact(row) for row in store.current_report_places(conn)]
    # A report found but not read (unreadable.csv) counts for its township and year as unreadable, not as nothing found.
    facts += [ReportFact(u.township_code, u.year, None, u.kind or "unknown", unreadable=True) for u in store.still_unread(conn) if u.township_code]
    years, rows = _write_townships(folder, facts, _counties_of(sources), _released_date(created), searched)
    _write_csv(folder, FRAME, _frame_rows(sources, reads, rows))
    return years, len(rows)


def _released_date(created: datetime) -> date:
    return date.fromisoformat(_released_on(created))


def _counties_of(sources: list[Source]) -> list[str]:
    return sorted({county for source in sources for county in covered_counties(source)})


def _county_searches(sources: list[Source], reads: dict[str, store.SourceReads]) -> dict[str, CountySearch]:
    """How each covered county was searched: by the registry's sources covering it that were read."""
    found: dict[str, CountySearch] = {}
    for source in sources:
        read = reads.get(source.id)
        if read is None:
            continue
        mine = CountySearch(datetime.fromisoformat(read.monitored_since).date(), read.reached_end,
                            date.fromisoformat(read.oldest_listed) if read.oldest_listed else None)
        for county in covered_counties(source):
            other = found.get(county)
            if other is not None:
                oldest = [d for d in (other.oldest_listed, mine.oldest_listed) if d is not None]
                mine = CountySearch(min(other.monitored_since, mine.monitored_since), other.reached_end or mine.reached_end,
                                    min(oldest) if oldest else None)
            found[county] = mine
    return found


def _frame_rows(sources: list[Source], reads: dict[str, store.SourceReads], townships: list[Any]) -> Iterator[list[Any]]:
    """frame.csv: every covered county and every county of townships.csv, with its sources and
    how far back they were read."""
    from parsers import load_register, prefecture_of

    register = load_register()
    covering: dict[str, list[str]] = {}
    for source in sources:
        for county in covered_counties(source):
            covering.setdefault(county, []).append(source.id)
    counties = sorted(set(covering) | {t.county_code for t in townships})
    for county in counties:
        ids = sorted(covering.get(county, []))
        done = [reads[i] for i in ids if i in reads]
        oldest = [r.oldest_listed for r in done if r.oldest_listed]
        prefecture, province = prefecture_of(county), province_of(county)
        yield [county, register.counties[county][0] if county in register.counties else None, prefecture[1] if prefecture else None,
               province[1] if province else None, sum(1 for _ in townships_of(county)), json.dumps(ids, ensure_ascii=False), _fmt(bool(ids)),
               min(r.monitored_since for r in done) if done else None, max(r.last_listing for r in done) if done else None,
               min(oldest) if oldest else None, max(r.max_pages_read for r in done) if done else None,
               _fmt(any(r.reached_end for r in done)) if done else None]


def _township_fact(place: tuple[Any, ...]) -> ReportFact:
    """What townships.csv needs of a report (a store.current_report_places row)."""
    rid, kind, status, year, _, _, _, _, code, published_on, *_ = place
    return ReportFact(code, year, date.fromisoformat(published_on) if published_on else None, kind, status == "withdrawn", rid)


def _write_townships(folder: Path, facts: list[ReportFact], counties: list[str], today: date,
                     searched: dict[str, CountySearch] | None = None) -> tuple[list[int], list[Any]]:
    """townships.csv (wide: a column per year) and coverage.csv (long: a row per township, group
    and year) from the reports' facts."""
    named = {f.township_code for f in facts if f.township_code}
    years = due_years(today, [f.year for f in facts if f.year and f.township_code])
    rows = coverage(counties, facts, years, also=named, searched=searched if searched is not None else {}, today=today)  # every township_code of reports.csv resolves here
    _write_csv(folder, townships_resource(years), (
        [r.code, r.name, r.county_code, r.county, r.prefecture, r.province] + [r.annual[y] for y in years] + [r.shufa[y] for y in years]
        for r in rows
    ))
    deadlines = {y: deadline_of(y).isoformat() for y in years}
    _write_csv(folder, COVERAGE, (
        [r.code, r.county_code, group, y, cell.status, "true" if cell.withdrawn else "false", deadlines[y] if group == "annual" else None,
         DEADLINE_RULE_CODES[group], cell.report_id or None]
        for r in rows for (group, y), cell in r.cells.items()
    ))
    return years, rows


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


def _info(releases: Path, version: str) -> ReleaseInfo:
    manifest = read_manifest(releases, version)
    counts = manifest["counts"]
    left_out = [Failure(source_id=str(e.get("source_id")), url=str(e.get("url")),
                        reason=f"report {e.get('report_id')} left out of release {version}: it cannot be written ({e.get('reason')})")
                for e in manifest.get("left_out") or [] if isinstance(e, dict)]
    return ReleaseInfo(version=version, path=str(releases / version), reports=counts["reports"], observations=counts["observations"],
                       unclassified=counts.get("unclassified"), left_out=left_out)


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
        with screen.leaving_out(conn, sorted(left_out)):
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


def verify_release(releases: Path, version: str) -> list[str]:
    """Problems found checking every file against the manifest; empty when the release is intact.

    The manifest must list files, each a plain name inside the release folder (``../`` or a path
    would make `verify` hash files elsewhere and vouch for them), and every file of the folder
    must be listed, but the manifest itself and the zip, which contains the manifest and is checked
    against its .sha256 beside it instead."""
    if not version or Path(version).name != version or version in (".", ".."):
        return [f"{releases}: '{version[:80]}' is not a release version"]
    folder = releases / version
    try:
        manifest = checked_manifest(releases, version)
    except ManifestError as exc:
        return [str(exc)]
    files: dict[str, dict[str, Any]] = manifest["files"]
    zip_name = f"fazhi-{version}.zip"
    unlisted = ("manifest.json", zip_name, f"{zip_name}.sha256")
    if not files:
        return [f"{folder / 'manifest.json'}: lists no files"]
    problems = []
    if isinstance(manifest.get("format"), int) and manifest["format"] >= 2:  # the declared format: every file it names is there
        required = [*table_files(), *METADATA_FILES, *codebook.CODEBOOK_FILES] if manifest["format"] >= 3 else \
            [name for name in [*table_files(), *METADATA_FILES] if name not in FORMAT_3_TABLES]
        problems += [f"{folder / 'manifest.json'}: lists no {name}, a file of every release" for name in required if name not in files]
    if (folder / TEXTS_FOLDER).is_symlink():  # its files would be hashed wherever it points, and vouched for
        return [f"{folder / TEXTS_FOLDER}: a symbolic link, not a folder of this release"]
    for name, expected in files.items():
        if not _release_name(name) or name in unlisted:
            problems.append(f"{folder / 'manifest.json'}: '{name[:80]}' is not a file name of this release")
            continue
        path = folder / name
        if path.is_symlink():  # is_file() follows it: verify would vouch for a file outside the release
            problems.append(f"{path}: a symbolic link, not a file of this release")
        elif not path.exists():
            problems.append(f"{path}: missing")
        elif not path.is_file():  # a folder, a FIFO (hashing it would wait forever) or a device
            problems.append(f"{path}: not a regular file")
        elif _sha256(path) != expected["sha256"]:
            problems.append(f"{path}: sha256 differs from the manifest")
    for path in sorted(folder.iterdir()):
        if path.name == TEXTS_FOLDER and path.is_dir() and not path.is_symlink():
            problems += [f"{inner}: not listed in the manifest" for inner in sorted(path.iterdir()) if f"{TEXTS_FOLDER}/{inner.name}" not in files]
        elif path.name not in files and path.name not in unlisted:
            problems.append(f"{path}: not listed in the manifest")
    recorded = folder / f"{zip_name}.sha256"
    bundle = folder / zip_name
    if bundle.is_symlink() or (bundle.exists() and not bundle.is_file()):
        return [*problems, f"{bundle}: not a regular file"]
    if recorded.is_symlink() or (recorded.exists() and not recorded.is_file()):
        return [*problems, f"{recorded}: not a regular file"]
    if bundle.is_file() and not zip_is_sound(bundle):  # a .sha256 rewritten with the zip says nothing of its members
        problems.append(f"{bundle}: a member fails its CRC check (or the zip is unreadable)")
    if (folder / zip_name).exists() and not recorded.is_file():  # a replaced zip with its .sha256 deleted passed unchecked
        problems.append(f"{folder / zip_name}: its {recorded.name} is missing, so the zip can't be checked")
    if (folder / zip_name).is_file() and recorded.is_file():
        if recorded.read_text(encoding="utf-8", errors="replace").split()[:1] != [_sha256(folder / zip_name)]:
            problems.append(f"{folder / zip_name}: sha256 differs from {recorded.name}")
    return problems


FORMAT_3_TABLES = frozenset({"frame.csv", "frame.parquet", "coverage.csv", "coverage.parquet", "figures_long.csv", "figures_long.parquet"})


def _release_name(name: str) -> bool:
    """A file name the release writer makes: a plain name, or a plain name in texts/."""
    folder, _, inner = name.rpartition("/")
    return _plain_name(inner) and folder in ("", TEXTS_FOLDER)


def _plain_name(name: str) -> bool:
    """One path component, as the release writer makes them: no separator, no ``..``, no NUL."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


if __name__ == "__main__":  # the figure pass as a child process of _write_files
    if len(sys.argv) in (4, 5, 6) and sys.argv[1] == "figure-pass":
        print(json.dumps({"result": _figure_pass_in(*sys.argv[2:])}), flush=True)
    else:
        raise SystemExit("usage: python -m flows.release.cut figure-pass DATABASE FOLDER [PARENT [LEFT_OUT.json]] (used by cut_release)")
