"""Immutable, calendar-versioned releases of the dataset that analysts download and cite.

A release is written into a temporary folder and renamed into place, then ``LATEST`` is
replaced atomically: a reader (or a crash) sees the old release or the new one, never half of
one. Releases are never rewritten; a release is cut only when the store's content changed
(its fingerprint differs from the latest release's).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from parsers import (INDICATOR_KEYS, INDICATOR_LABELS, ReportFact, Source, coverage, covered_counties, due_years, extractor_version,
                     neutralise_cell, restore_cell)

from . import store
from .crash import crashpoint
from .records import ReleaseInfo

LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
KIND_PRIORITY = ("government_annual_report", "rule_of_law_work_report", "work_summary", "shufa", "unknown")
NOT_A_TOWNSHIP_FIGURE = frozenset({"other"})  # documents that are not a rule-of-law report give no township figures

REPORT_FIELDS: list[tuple[str, str, str]] = [
    ("report_id", "string", "Stable id of the report: sha256 of source id and URL path, 16 hex digits"),
    ("revision", "integer", "Revision of the report's text; a changed text on the portal is a new revision"),
    ("township", "string", "Township (乡/镇/街道/苏木) that published the report; empty when unresolved"),
    ("township_code", "string", "9-digit 统计用区划代码 of the township: its stable key; empty when unresolved"),
    ("county", "string", "County-level division; empty when the report does not say and the source does not know"),
    ("province", "string", "Province-level division"),
    ("adcode", "string", "6-digit administrative code of the county"),
    ("level", "string", "township, county, department or unknown"),
    ("kind", "string", "government_annual_report, rule_of_law_work_report, shufa (an official's 述法), work_summary, other (a look-alike: 信息公开 report, plan, news) or unknown"),
    ("year", "integer", "Year the report covers"),
    ("published_on", "date", "Publication date, from page metadata, a 发布时间 line or the signature"),
    ("on_time", "boolean", "Published before 1 April of the following year (督察工作规定)"),
    ("title", "string", "Title as published (simplified)"),
    ("url", "string", "Where the report was fetched"),
    ("source_id", "string", "Id of the source in sources.yaml"),
    ("sha256", "string", "sha256 of the normalised text of this revision"),
    ("script", "string", "Script the report was published in: simplified or traditional"),
    ("status", "string", "active, or withdrawn when the portal took it down"),
    ("mirror_urls", "string", "Other URLs where the same text was found (one report, several addresses), separated by spaces"),
]
OBSERVATION_FIELDS: list[tuple[str, str, str]] = [
    ("report_id", "string", "Report the figure comes from (reports.csv)"),
    ("revision", "integer", "Revision of the report's text"),
    ("indicator", "string", "Indicator key (see the indicator pages of the site)"),
    ("value", "number", "The figure as a number (万 and Chinese numerals resolved)"),
    ("unit", "string", "Unit as written: 起, 件, 人次, 份, %, …"),
    ("qualifier", "string", "exact; at_least for 余/多/以上; approx for 近/约/左右"),
    ("quote", "string", "The exact clause of the normalised text the figure was read from"),
    ("quote_start", "integer", "Start offset of the quote in the normalised text (reports.jsonl)"),
    ("quote_end", "integer", "End offset of the quote in the normalised text"),
    ("section", "string", "Heading of the section the figure stands under"),
    ("canonical", "boolean", "This mention is counted in the report's value for the indicator (values.csv): the stated total, else the listed parts (summed), else the largest mention; never a plan, another year, a period or another body's figure"),
    ("flag_codes", "string", "Consistency flags on this indicator in this report, separated by ;"),
    ("scope", "string", "What the mention counts: year (the year's activity), part, plan, other_year, period or other_body; only year and part mentions are ever counted"),
]
# The year's value of each indicator a report states: the number an analyst adds up (tidy: one row
# per report and indicator), from Extraction.values as stored per extractor version.
VALUE_FIELDS: list[tuple[str, str, str]] = [
    ("report_id", "string", "Report the value comes from (reports.csv)"),
    ("indicator", "string", "Indicator key (see the indicator pages of the site)"),
    ("value", "number", "The year's value (万 and Chinese numerals resolved; never a bare number for a lower bound: see qualifier)"),
    ("unit", "string", "The indicator's unit"),
    ("qualifier", "string", "exact; at_least for 余/多/以上 (1万余人: 10000, at_least); approx for 近/约/左右"),
    ("basis", "string", "How the value was chosen: stated_total (a total for the whole year), sum_of_parts (disjoint parts the report lists) or single_mention"),
    ("quote", "string", "The clause(s) of the normalised text counted: several parts are joined by ' … '"),
    ("quote_start", "integer", "Start offset of the first counted clause in the normalised text (reports.jsonl)"),
    ("quote_end", "integer", "End offset of the last counted clause in the normalised text"),
    ("flag_codes", "string", "Consistency flags on this value, separated by ; (e.g. total_below_part)"),
]
TEXT_FIELDS: list[tuple[str, str, str]] = [
    ("report_id", "string", "Report id (reports.csv)"),
    ("revision", "integer", "Revision of the text"),
    ("status", "string", "active or withdrawn"),
    ("report", "object", "The full report record: place with its evidence, year, dates with their evidence, kind, level, script"),
    ("flags", "array", "Consistency and identification flags: code and detail"),
    ("text", "string", "The normalised text (simplified, half-width digits); quote offsets in observations.csv refer to it"),
    ("original", "string", "The text as published (traditional characters kept), whitespace and conversion debris cleaned"),
]
INDICATOR_ID_FIELDS: list[tuple[str, str, str]] = [
    ("township_code", "string", "9-digit code of the township (the key with year); empty when unresolved"),
    ("township", "string", "Township"),
    ("county", "string", "County-level division"),
    ("province", "string", "Province-level division"),
    ("adcode", "string", "6-digit administrative code of the county"),
    ("year", "integer", "Year covered"),
    ("report_id", "string", "Report every value of the row comes from (the government annual report when there are several)"),
]
QUALIFIER_CODES = ("", "exact", "at_least", "approx")  # packed per report and indicator in the figure pass (0: no value)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _fmt_number(value)
    return str(value)


def _fmt_number(value: float) -> str:
    """157.0 → "157", 98.5 → "98.5": figures as people write them."""
    return f"{value:g}" if value == int(value) and abs(value) < 1e15 else repr(value)


def _write_csv(path: Path, header: list[str], rows: Iterable[list[Any]], text_columns: tuple[int, ...] = ()) -> int:
    """UTF-8 with BOM, so that Excel opens the Chinese text correctly. Returns the row count.

    Rows come formatted (floats and booleans through _fmt by their producer; str, int and None
    the csv module writes as _fmt would): formatting 50 million cells here cost 20 s at 200,000
    reports. ``text_columns`` are neutralised against formula injection (see _neutralised)."""
    counted = _Counter(_neutralised(rows, text_columns) if text_columns else rows)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(counted)
    return counted.count


def _text_columns(fields: list[tuple[str, str, str]]) -> tuple[int, ...]:
    """Positions of the text columns (type string in the datapackage): the cells a spreadsheet
    could take for a formula. Numbers, dates and booleans are never touched (-3 stays a number)."""
    return tuple(i for i, (_, kind, _) in enumerate(fields) if kind == "string")


def _neutralised(rows: Iterable[list[Any]], columns: tuple[int, ...]) -> Iterator[list[Any]]:
    """Rows whose text cells starting with = + - @ tab or CR carry a leading ' (OWASP CSV
    injection): titles and quotes come from government sites and analysts open these files in
    Excel. reports.jsonl keeps the true text; parsers.spreadsheet.restore_cell reads it back."""
    for row in rows:
        for i in columns:
            cell = row[i]
            if cell.__class__ is str:
                row[i] = neutralise_cell(cell)
        yield row


class _Counter:
    def __init__(self, rows: Iterable[list[Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def latest_version(releases: Path) -> str | None:
    pointer = releases / "LATEST"
    if not pointer.exists():
        return None
    return pointer.read_text(encoding="utf-8").strip() or None


def read_manifest(releases: Path, version: str) -> dict[str, Any]:
    return json.loads((releases / version / "manifest.json").read_text(encoding="utf-8"))


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


def _report_rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every current report as a release row, streamed from the store (texts under "_" keys)."""
    for r in store.current_reports(conn):
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
            "title": report["title"],
            "url": r["url"],
            "source_id": r["source_id"],
            "sha256": r["sha256"],
            "script": report["script"],
            "status": r["status"],
            "mirror_urls": r["mirror_urls"],
            "_flags": json.loads(r["flags"]),
            "_text": r["text"],
            "_original": r["original"],
            "_report": report,
        }


def _indicator_rows(reports: list[tuple[Any, ...]], values: dict[str, tuple[array[float], bytes]]) -> list[list[Any]]:
    """One row per place and year, every cell from one report: the one of the highest-priority kind.

    ``reports`` holds LIGHT_FIELDS tuples; ``values`` each report's year's values in INDICATOR_KEYS
    order (NaN: none) and their qualifiers (QUALIFIER_CODES indexes), packed: 200,000 reports take
    ~70 MB, not the 2 million Python objects of a dict of figures. Another report of the place and
    year never fills a gap: a row that mixed reports would name only one of them."""
    rid, kind, status, year, township, county, province, adcode, code = range(len(LIGHT_FIELDS))
    ordered = sorted((r for r in reports if r[kind] not in NOT_A_TOWNSHIP_FIGURE),
                     key=lambda r: (KIND_PRIORITY.index(r[kind]) if r[kind] in KIND_PRIORITY else len(KIND_PRIORITY), r[rid]))
    rows: dict[tuple[Any, ...], list[Any]] = {}
    width = len(INDICATOR_KEYS)
    for r in ordered:
        if r[status] != "active" or r[year] is None or r[kind] == "other":  # "other": a township document that is not its report
            continue
        # Keyed by the township's code: two 西湖镇 of different counties never merge.
        key = (r[code], r[year]) if r[code] else (r[province], r[county], r[township], r[year])
        if key in rows:
            continue
        cells: list[Any] = [None] * (2 * width)
        packed = values.get(r[rid])
        if packed is not None:
            numbers, qualifiers = packed
            for i, value in enumerate(numbers):
                if not math.isnan(value):
                    cells[2 * i], cells[2 * i + 1] = _fmt_number(value), QUALIFIER_CODES[qualifiers[i]]
        rows[key] = [r[code], r[township], r[county], r[province], r[adcode], r[year], r[rid], *cells]
    return [rows[k] for k in sorted(rows, key=lambda k: tuple("" if v is None else str(v) for v in k))]


def _indicator_columns() -> list[tuple[str, str, str]]:
    """Each indicator's value, then its qualifier, so that "1万余" never reads as a bare 10000."""
    columns: list[tuple[str, str, str]] = []
    for key in INDICATOR_KEYS:
        columns.append((key, "number", INDICATOR_LABELS[key]))
        columns.append((f"{key}_qualifier", "string", f"{INDICATOR_LABELS[key]}: exact, at_least or approx"))
    return columns


def diff_folders(old: Path | None, new: Path) -> list[str]:
    """What changed from release folder ``old`` to ``new``: one line per report added, revised,
    withdrawn or gone, and per year's value changed (old → new), saying whether the report's text
    changed (a new revision) or only the rules that read it (same revision, another extractor):
    those lines start "- figure changed by the rules:", and a report the rules now place or date
    differently "- identification changed by the rules:". Reads the released CSVs only, so it works
    on any two releases, however far apart.

    Both releases list reports and figures in report_id order, so the two are walked side by side
    (a merge join): memory holds one report's figures at a time and a label for each report the two
    share, not two copies of the dataset (3 GB at 200,000 reports when it did)."""

    def place(row: dict[str, str]) -> str:  # the true text, not the CSV's neutralised cells
        return ", ".join(restore_cell(p) for p in (row["township"], row["county"], row["year"]) if p) or "?"

    def label(row: dict[str, str]) -> str:
        return f"{restore_cell(row['title'])} ({place(row)}) `{row['report_id']}`"

    lines: list[str] = []
    shared: dict[str, tuple[str, bool]] = {}  # report_id → (its label, its text changed)
    for rid, before, row in _merge_join(_sorted_rows(old / "reports.csv") if old else iter(()), _sorted_rows(new / "reports.csv")):
        if before is None:
            assert row is not None  # the merge join gives at least one side
            lines.append(f"- added: {label(row)}")
        elif row is None:
            lines.append(f"- gone: {label(before)}")
        else:
            revised = before["revision"] != row["revision"]
            shared[rid] = (label(row), revised)
            if revised:
                lines.append(f"- revised: {label(row)}: revision {before['revision']} → {row['revision']}")
            elif place(before) != place(row) or before.get("kind") != row.get("kind"):
                lines.append(f"- identification changed by the rules: `{rid}` {place(before)} ({before.get('kind')}) → {place(row)} ({row.get('kind')})")
            if before["status"] != row["status"]:
                lines.append(f"- {'withdrawn' if row['status'] == 'withdrawn' else 'restored'}: {label(row)}")
    # "gone" lines after the others, as before: added/revised/withdrawn in report order, then gone
    lines.sort(key=lambda line: line.startswith("- gone:"))
    old_figures = _values_by_report(old) if old else iter(())
    for rid, before_values, after_values in _merge_join(old_figures, _values_by_report(new)):
        if rid not in shared:
            continue
        what, text_changed = shared[rid]
        cause = "figure changed" if text_changed else "figure changed by the rules"
        before_values, after_values = before_values or {}, after_values or {}
        for indicator in sorted(set(before_values) | set(after_values)):
            if before_values.get(indicator) != after_values.get(indicator):
                lines.append(f"- {cause}: {what} {indicator}: {before_values.get(indicator, '—')} → {after_values.get(indicator, '—')}")
    return lines


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


def _sorted_rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(report_id, row) of a release's reports.csv, checking the order the merge join relies on."""
    previous = ""
    for row in _read_csv(path, ("report_id", "revision", "status", "title", "township", "county", "year", "kind")):
        if row["report_id"] <= previous:
            raise ValueError(f"{path}: rows are not in report_id order ({row['report_id']} after {previous})")
        previous = row["report_id"]
        yield row["report_id"], row


def _values_by_report(folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(report_id, {indicator: value as shown}) of each report's year's values, in report_id order:
    from values.csv, or from the canonical rows of observations.csv in releases made before it."""
    if (folder / "values.csv").exists():
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


def _changelog(version: str, parent: str | None, lines: list[str], counts: dict[str, int], extractor: tuple[str | None, str] | None = None) -> str:
    """``extractor``: (the parent's extractor version, this release's), to say when the rules changed."""
    head = [f"# Fazhi Atlas {version}", ""]
    if parent is None:
        head += [f"First release: {counts['reports']} reports, {counts['observations']} figures.", ""]
    else:
        head += [f"Changes since {parent}.", ""]
    if extractor and parent is not None and extractor[0] != extractor[1]:
        by_rules = sum(line.startswith("- figure changed by the rules:") for line in lines)
        head += [f"The extraction rules changed (extractor {extractor[0] or 'unrecorded'} → {extractor[1]}; stored reports are read again "
                 f"from the bytes as fetched): {by_rules} figure(s) changed because of the rules alone (lines \"figure changed by the rules\"), "
                 "the others because the report's text changed.", ""]
    return "\n".join(head + (lines or ["- no change in reports or figures"])) + "\n"


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


def _schema(fields: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"fields": [{"name": n, "type": t, "description": d} for n, t, d in fields]}


def _datapackage(version: str, created: datetime, sources: list[Source]) -> dict[str, Any]:
    indicator_fields = INDICATOR_ID_FIELDS + _indicator_columns()
    csv_dialect = {"delimiter": ",", "header": True}
    return {
        "name": "fazhi-atlas",
        "title": "Fazhi Atlas: township rule-of-law reports and their figures",
        "version": version,
        "created": (created.astimezone(RELEASE_ZONE) if created.tzinfo else created).isoformat(timespec="seconds"),
        "licenses": [LICENSE],
        # The licence covers what Fazhi Atlas made: the extracted figures, metadata and tables. The
        # governments' report texts (reports.jsonl, the archive) are included for reference, under their
        # publishers' own terms.
        "rights": "Extracted data: CC-BY-4.0 (Fazhi Atlas). Report texts: published by the governments named in each row, "
                  "reproduced for reference under their own terms.",
        "sources": [{"title": s.name, "path": s.listing[0]} for s in sources],
        "resources": [
            {"name": "reports", "path": "reports.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
             "dialect": csv_dialect, "description": "One row per report, its current revision", "schema": _schema(REPORT_FIELDS)},
            {"name": "observations", "path": "observations.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
             "dialect": csv_dialect, "description": "Every figure extracted, with the clause it was read from", "schema": _schema(OBSERVATION_FIELDS)},
            {"name": "values", "path": "values.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig", "dialect": csv_dialect,
             "description": "The year's value of each indicator a report states, with its unit, qualifier, basis and the clause(s) counted",
             "schema": _schema(VALUE_FIELDS)},
            {"name": "indicators", "path": "indicators.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
             "dialect": csv_dialect, "description": "The year's values (values.csv), wide: one row per township and year from one report, a value and a qualifier column per indicator",
             "schema": _schema(indicator_fields)},
            {"name": "reports-text", "path": "reports.jsonl", "format": "jsonl", "mediatype": "application/jsonl", "encoding": "utf-8",
             "description": "One JSON object per report: the record, its flags, the normalised and the published text", "schema": _schema(TEXT_FIELDS)},
        ],
    }


LIGHT_FIELDS = ("report_id", "kind", "status", "year", "township", "county", "province", "adcode", "township_code")
PARALLEL_FROM = 20_000  # reports: from here the figures are written by a second process (its start-up, ~1 s, pays off)


def _write_files(folder: Path, conn: sqlite3.Connection, version: str, parent: str | None, releases: Path,
                 sources: list[Source], created: datetime, finished: Callable[[Path], None] = lambda path: None,
                 extractors: tuple[str | None, str] | None = None) -> dict[str, int]:
    """Stream the store into the release files. The texts pass through once and are never all held.

    Two passes that share nothing but the store: reports (reports.csv, reports.jsonl: the texts)
    and figures (observations.csv, indicators.csv). On a large store the figure pass runs in a
    second process, on the second core, while this one writes the texts (26 s and 33 s at 200,000
    reports, measured: one after the other, they were most of the release)."""
    report_count = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    if report_count >= PARALLEL_FROM and database:
        # A plain child process (python -m flows.release): multiprocessing's spawn would re-import
        # the caller's main script, and fork is unsafe in a process with Prefect's threads.
        # Its errors go to a file, not a pipe: a pipe left unread while the texts are written could fill and stall it.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
            child = subprocess.Popen([sys.executable, "-m", "flows.release", "figure-pass", database, str(folder)],
                                     stdout=subprocess.PIPE, stderr=errors, text=True)
            try:
                counts = {"reports": _report_pass(conn, folder)}
                finished(folder / "reports.csv")
                finished(folder / "reports.jsonl")
                out, _ = child.communicate()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            if child.returncode != 0:
                errors.seek(0)
                raise RuntimeError(f"release {version}: the figure pass failed (exit {child.returncode}): {errors.read().strip()[-2000:]}")
        counts.update(json.loads(out))
    else:
        counts = {"reports": _report_pass(conn, folder)}
        finished(folder / "reports.csv")
        finished(folder / "reports.jsonl")
        counts.update(_figure_pass(conn, folder))
    finished(folder / "observations.csv")
    finished(folder / "values.csv")
    finished(folder / "indicators.csv")
    years, counts["covered_townships"] = write_townships(folder / "townships.csv", conn, sources, created)
    finished(folder / "townships.csv")
    package = _datapackage(version, created, sources)
    package["resources"].append(_townships_resource(years))
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    finished(folder / "datapackage.json")
    changes = diff_folders(releases / parent if parent else None, folder)
    (folder / "CHANGELOG.md").write_text(_changelog(version, parent, changes, counts, extractors), encoding="utf-8")
    finished(folder / "CHANGELOG.md")
    return counts


def _report_pass(conn: sqlite3.Connection, folder: Path) -> int:
    """reports.csv and reports.jsonl; returns the number of reports."""
    report_header = [name for name, _, _ in REPORT_FIELDS]
    count = 0
    with (folder / "reports.csv").open("w", encoding="utf-8-sig", newline="") as table, \
            (folder / "reports.jsonl").open("w", encoding="utf-8") as texts:
        writer = csv.writer(table)
        writer.writerow(report_header)
        text_columns = _text_columns(REPORT_FIELDS)
        for r in _report_rows(conn):
            writer.writerows(_neutralised([[_fmt(r[k]) for k in report_header]], text_columns))
            texts.write(json.dumps({"report_id": r["report_id"], "revision": r["revision"], "status": r["status"], "report": r["_report"],
                                    "flags": r["_flags"], "text": r["_text"], "original": r["_original"]}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _figure_pass_in(database: str, folder: str) -> dict[str, int]:  # in the child: see _write_files
    """The figure pass in a process of its own: its own connection, read-only (the data lock
    keeps writers out while a release is cut, so both passes read the same state)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return _figure_pass(conn, Path(folder))
    finally:
        conn.close()


def _figure_pass(conn: sqlite3.Connection, folder: Path) -> dict[str, int]:
    """observations.csv, values.csv and indicators.csv, from the figures and each report's place,
    kind and flags (not its texts); returns their counts and the number of townships."""
    light: list[tuple[Any, ...]] = []
    flags_by_report: dict[str, list[dict[str, str]]] = {}
    for report_id, status, report_json, flags_json in store.current_report_records(conn):
        report = json.loads(report_json)
        place = report["place"]
        light.append((report_id, report["kind"], status, report["year"], place.get("township"), place.get("county"),
                      place.get("province"), place.get("adcode"), place.get("township_code")))
        if flags_json != "[]":
            flags_by_report[report_id] = json.loads(flags_json)

    def flag_codes(report_id: str, indicator: str, own: str = "") -> str:
        report_flags = flags_by_report.get(report_id)
        codes = [c for c in own.split(";") if c]
        if report_flags:
            codes += [f["code"] for f in report_flags if indicator in f["detail"] and f["code"] not in codes]
        return ";".join(codes)

    def observation_rows() -> Iterable[list[Any]]:
        for report_id, revision, indicator, value, unit, qualifier, quote, start, end, section, chosen, scope in store.current_observation_tuples(conn):
            yield [report_id, revision, indicator, _fmt_number(value), unit, qualifier, quote, start, end, section,
                   "true" if chosen else "false", flag_codes(report_id, indicator), scope]

    values: dict[str, tuple[array[float], bytes]] = {}
    slot = {key: i for i, key in enumerate(INDICATOR_KEYS)}
    qualifier_code = {q: i for i, q in enumerate(QUALIFIER_CODES)}

    def value_rows() -> Iterable[list[Any]]:
        current, numbers, qualifiers = "", array("d"), bytearray()
        for report_id, _revision, indicator, value, unit, qualifier, basis, quote, start, end, own_flags in store.current_value_tuples(conn):
            if report_id != current:
                if current:
                    values[current] = (numbers, bytes(qualifiers))
                current, numbers, qualifiers = report_id, array("d", [math.nan] * len(INDICATOR_KEYS)), bytearray(len(INDICATOR_KEYS))
            if indicator in slot:
                numbers[slot[indicator]], qualifiers[slot[indicator]] = value, qualifier_code.get(qualifier, 0)
            yield [report_id, indicator, _fmt_number(value), unit, qualifier, basis, quote, start, end, flag_codes(report_id, indicator, own_flags)]
        if current:
            values[current] = (numbers, bytes(qualifiers))

    counts = {"observations": _write_csv(folder / "observations.csv", [n for n, _, _ in OBSERVATION_FIELDS], observation_rows(),
                                         _text_columns(OBSERVATION_FIELDS))}
    counts["values"] = _write_csv(folder / "values.csv", [n for n, _, _ in VALUE_FIELDS], value_rows(), _text_columns(VALUE_FIELDS))
    indicator_header = [n for n, _, _ in INDICATOR_ID_FIELDS + _indicator_columns()]
    counts["indicator_rows"] = _write_csv(folder / "indicators.csv", indicator_header, _indicator_rows(light, values),
                                          _text_columns(INDICATOR_ID_FIELDS))
    counts["townships"] = len({r[8] or (r[6], r[5], r[4]) for r in light if r[4]})  # the code, else province, county, township
    return counts


TOWNSHIP_FIELDS: list[tuple[str, str, str]] = [
    ("township_code", "string", "9-digit 统计用区划代码 of the township (register: china-division 2.7.0, codes as of 2023-06-30)"),
    ("township", "string", "Township name in the register"),
    ("county_code", "string", "6-digit code of its county"),
    ("county", "string", "County-level division"),
    ("prefecture", "string", "Prefecture-level division (a municipality for its districts)"),
    ("province", "string", "Province-level division"),
]
STATUS_HELP = "on_time (published before 1 April of the next year), late, undated (found, no publication date), or not_found"


def write_townships(path: Path, conn: sqlite3.Connection, sources: list[Source], created: datetime) -> tuple[list[int], int]:
    """townships.csv: every township of the sources' covered counties (and any other a report names),
    with the status of its annual report and of a 述法 report for each year due; returns the years
    and the number of townships."""
    facts = []
    for _, status, report_json, _ in store.current_report_records(conn):
        if status != "active":
            continue
        report = json.loads(report_json)
        published = datetime.fromisoformat(report["published_on"]).date() if report.get("published_on") else None
        facts.append(ReportFact(report["place"].get("township_code"), report.get("year"), published, report["kind"]))
    counties = sorted({county for source in sources for county in covered_counties(source)})
    years = due_years(created.date(), [f.year for f in facts if f.year and f.township_code])
    rows = coverage(counties, facts, years)
    header = [name for name, _, _ in TOWNSHIP_FIELDS] + [str(y) for y in years] + [f"{y}_shufa" for y in years]
    count = _write_csv(path, header, (
        [r.code, r.name, r.county_code, r.county, r.prefecture, r.province] + [r.annual[y] for y in years] + [r.shufa[y] for y in years]
        for r in rows
    ))
    return years, count


def _townships_resource(years: list[int]) -> dict[str, Any]:
    fields = TOWNSHIP_FIELDS + [(str(y), "string", f"Annual report on {y}: {STATUS_HELP}") for y in years]
    fields += [(f"{y}_shufa", "string", f"述法 report on {y}: {STATUS_HELP}") for y in years]
    return {"name": "townships", "path": "townships.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "header": True},
            "description": "Every township of the covered counties and, per year, whether its report was found, on time or late",
            "schema": _schema(fields)}


def code_version() -> str:
    """The package version, with `git describe` when the code runs from a git checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    root = Path(__file__).resolve().parents[1]
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
    counts = read_manifest(releases, version)["counts"]
    return ReleaseInfo(version=version, path=str(releases / version), reports=counts["reports"], observations=counts["observations"])


def _remove_stale_temporaries(releases: Path) -> None:
    """Half-written release folders of processes that died (a live writer's are left alone)."""
    for folder in releases.glob(".tmp-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
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
    parent = latest_version(releases)
    state = store.fingerprint(conn)
    if parent and read_manifest(releases, parent).get("fingerprint") == state:
        return None
    for version in list_versions(releases):
        manifest = read_manifest(releases, version)
        if manifest.get("parent") == parent and manifest.get("fingerprint") == state and not verify_release(releases, version):
            _point_latest(releases, version)
            return _info(releases, version)
    version = next_version(releases, now)
    tmp = releases / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    zip_name = f"fazhi-{version}.zip"
    bundle = _Bundle(tmp / zip_name, f"fazhi-{version}/")
    try:
        made_by = provenance(conn)
        counts = _write_files(tmp, conn, version, parent, releases, sources, now, finished=bundle.add,
                              extractors=(_extractors_of(releases, parent), _joined(made_by["reports_by_extractor"])))
        files = dict(sorted(bundle.finish().items()))
        manifest = {"version": version, "parent": parent, "created": now.isoformat(timespec="seconds"), "fingerprint": state,
                    "counts": counts, **made_by, "files": files}
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
    return _info(releases, version)


class _Bundle:
    """Hashes each finished release file and adds it to the zip, on a second thread.

    zlib and hashlib release the GIL: the 2.6 GB reports.jsonl of a national release is hashed
    and compressed while the main thread writes the observations and computes the change log,
    instead of after them (14 s of compression and 3 s of hashing at 200,000 reports)."""

    def __init__(self, zip_path: Path, prefix: str) -> None:
        self.zip = zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED)
        self.prefix = prefix
        self.files: dict[str, dict[str, Any]] = {}
        self.queue: queue.Queue[Path | None] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="release-zip", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (path := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread raises it in finish()
            try:
                self.files[path.name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
                self.zip.write(path, self.prefix + path.name)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self.error = exc

    def add(self, path: Path) -> None:
        self.queue.put(path)

    def _stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def finish(self) -> dict[str, dict[str, Any]]:
        """Wait for every file queued so far; their hashes and sizes."""
        self._stop()
        if self.error is not None:
            raise self.error
        return self.files

    def close(self, last: Path) -> None:
        self.finish()
        self.zip.write(last, self.prefix + last.name)
        self.zip.close()

    def abandon(self) -> None:
        """After a failure: stop the thread and close the file (the folder is a temporary one;
        the unfinished zip is removed with it)."""
        self._stop()
        if self.zip.fp is not None:
            self.zip.close()


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
    for name, expected in files.items():
        if not _plain_name(name) or name in unlisted:
            problems.append(f"{folder / 'manifest.json'}: '{name[:80]}' is not a file name of this release")
            continue
        path = folder / name
        if path.is_symlink():  # is_file() follows it: verify would vouch for a file outside the release
            problems.append(f"{path}: a symbolic link, not a file of this release")
        elif not path.is_file():
            problems.append(f"{path}: missing")
        elif _sha256(path) != expected["sha256"]:
            problems.append(f"{path}: sha256 differs from the manifest")
    for path in sorted(folder.iterdir()):
        if path.name not in files and path.name not in unlisted:
            problems.append(f"{path}: not listed in the manifest")
    recorded = folder / f"{zip_name}.sha256"
    if (folder / zip_name).exists() and not recorded.is_file():  # a replaced zip with its .sha256 deleted passed unchecked
        problems.append(f"{folder / zip_name}: its {recorded.name} is missing, so the zip can't be checked")
    if (folder / zip_name).is_file() and recorded.is_file():
        if recorded.read_text(encoding="utf-8", errors="replace").split()[:1] != [_sha256(folder / zip_name)]:
            problems.append(f"{folder / zip_name}: sha256 differs from {recorded.name}")
    return problems


def _plain_name(name: str) -> bool:
    """One path component, as the release writer makes them: no separator, no ``..``, no NUL."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


if __name__ == "__main__":  # the figure pass as a child process of _write_files
    if len(sys.argv) == 4 and sys.argv[1] == "figure-pass":
        print(json.dumps(_figure_pass_in(sys.argv[2], sys.argv[3])))
    else:
        raise SystemExit("usage: python -m flows.release figure-pass DATABASE FOLDER (used by cut_release)")
