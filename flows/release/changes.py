"""What changed between two releases, for CHANGELOG.md: reports added, withdrawn and revised, figures changed (and whether by the rules or by the source), statuses moved, labels renamed.

The tables are read as sorted streams and merge-joined, and only the buckets whose bytes changed are read, so a night that changes one township reads one bucket.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TypeVar

from dataset import (
    CSV_FIELD_LIMIT,
    restore_cell,
)
from dataset.indicator_docs import LABELS_BEFORE_RECORDED
from flows import store
from flows.release.files import (
    _fmt_number,
)
from flows.release.versions import read_manifest
from parsers import (
    INDICATOR_LABELS,
)

csv.field_size_limit(CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 is read, as the writer bounded it


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


def coverage_changes(old: Path, new: Path, ranges: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None) -> list[str]:
    """Status changes of coverage.csv (a township's year found, withdrawn, past its deadline, newly
    searched): counted per transition, and listed one by one up to COVERAGE_LINES. Only lines that
    are not in both files are parsed (a night changes a few of hundreds of thousands). ``ranges``:
    the byte ranges of the old and new file that can differ (the buckets of counties that changed:
    a township's rows all lie in its county's bucket)."""
    if not old.is_file() or not new.is_file():
        return []
    old_lines, new_lines = (_lines(old), _lines(new)) if ranges is None else (_lines(old, ranges[0]), _lines(new, ranges[1]))
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
