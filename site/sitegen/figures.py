"""observations.csv read once and kept as offsets, not as rows.

A national release has 3.4 million figures; held as dicts they took 4–9 GB of the site build.
The site needs three things of them: each report's figures (for its township page, read back by
offset when the page is rendered), how many canonical values each indicator has, and each
indicator's largest canonical values (its chart and its table of at most TABLE_ROWS rows). One
streaming pass gives all three, holding only offsets, counts and bounded heaps.
"""

from __future__ import annotations

import csv
import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parsers.spreadsheet import restore_cell

from .buckets import BucketedRows
from .pages import CHART_BARS, TABLE_ROWS, Row

KEEP = max(CHART_BARS, TABLE_ROWS)
# observations.csv's columns as the site names them ← as older releases named them: the one place
# that knows both (quote_start/quote_end/flag_codes were start/end/flags before 2026-11).
RENAMED = {"start": "quote_start", "end": "quote_end", "flags": "flag_codes"}


def column_names(header: list[str]) -> list[str]:
    """A release's observations.csv header in the site's names (see RENAMED)."""
    return [RENAMED.get(name, name) for name in (n.lstrip("\ufeff") for n in header)]


class FigureIndex:
    """observations.csv (counted: its canonical rows) or values.csv (counted: every row), indexed."""

    def __init__(self, path: Path, known_reports: set[str] | dict[str, Any], primary: set[str] | None = None, *, per_year: bool = False) -> None:
        """``known_reports``: the release's report ids; figures of any other report are left out
        of the indicator pages, as a report missing from reports.csv has no township to link.
        When it maps ids to reports.csv rows, the figures are also kept per report year (see
        ``by_year``); ``primary``: the one report per township and year whose figures count in
        the county totals (a township reported twice is counted once). ``per_year``: keep them
        (the indicator pages' figures; not for observations.csv when values.csv is read too)."""
        self.path = path
        rows_of = known_reports if per_year and isinstance(known_reports, dict) else {}
        # Per indicator and report year: its largest values, and per unit how many and their sum;
        # per (indicator, year, unit) and county: [sum, townships, any value a lower bound or approximate].
        self.by_year: dict[str, dict[str, list[Row]]] = {}
        self.year_units: dict[str, dict[str, dict[str, list[float]]]] = {}
        self.county_totals: dict[tuple[str, str, str], dict[tuple[str, str], list[Any]]] = {}
        year_heaps: dict[tuple[str, str], list[tuple[float, int, list[str]]]] = {}
        self.ranges: dict[str, tuple[int, int]] = {}  # report_id → byte range of its rows
        self.counts: dict[str, int] = {}  # indicator → canonical values
        self.counted: dict[str, int] = {}  # report_id → its canonical values (its "17 项数字")
        heaps: dict[str, list[tuple[float, int, list[str]]]] = {}
        position = 0

        def lines(handle: Any) -> Iterator[str]:
            # csv.reader pulls exactly the lines of one record before it returns it, so after
            # each row ``position`` is where that row ends, even for quoted multi-line fields.
            nonlocal position
            for raw in handle:
                position += len(raw)
                yield raw.decode("utf-8")

        with path.open("rb") as handle:
            reader = csv.reader(lines(handle))
            self.header = column_names(next(reader))
            at = {name: i for i, name in enumerate(self.header)}
            rid, indicator, value = at["report_id"], at["indicator"], at["value"]
            # values.csv (the year's value per report and indicator) has no canonical column: every row counts.
            canonical = at.get("canonical")
            unit_at, qualifier_at = at.get("unit", 0), at.get("qualifier", 0)
            tallies: dict[tuple[str, str, str], list[float]] = {}  # (indicator, year, unit) → [values, sum]
            totals: dict[tuple[str, str, str, tuple[str, str]], list[Any]] = {}  # … and county → [sum, townships, any bound]
            row_end, current, seq = position, "", 0
            year, where, in_totals = "", ("", ""), False  # the current report's, found once per report (rows are grouped)
            for row in reader:
                row_start, row_end = row_end, position
                report = row[rid]
                if report != current:
                    if report in self.ranges:
                        raise ValueError(f"{path}: rows are not grouped by report ({report} appears twice, apart)")
                    current = report
                    self.ranges[report] = (row_start, row_end)
                    source = rows_of.get(report) if rows_of else None
                    year = str(source.get("year") or "") if source is not None else ""
                    year = year if year.isdigit() else ""
                    where = (source.get("province") or "", source.get("county") or "") if source is not None else ("", "")
                    in_totals = primary is not None and report in primary
                else:
                    self.ranges[report] = (self.ranges[report][0], row_end)
                counted = canonical is None or row[canonical] == "true"
                if counted:
                    self.counted[report] = self.counted.get(report, 0) + 1
                if counted and report in known_reports:
                    key = row[indicator]
                    self.counts[key] = self.counts.get(key, 0) + 1
                    seq += 1
                    entry = (float(row[value]), -seq, row)  # ties: the earlier row stays, as a stable sort keeps it
                    if not year:
                        _keep(heaps.setdefault(key, []), entry)
                    else:  # one heap per indicator and year; the indicator's own largest are drawn from them at the end
                        _keep(year_heaps.setdefault((key, year), []), entry)
                        unit = row[unit_at]
                        tally = tallies.get((key, year, unit))
                        if tally is None:
                            tally = tallies[(key, year, unit)] = [0, 0.0]
                        tally[0] += 1
                        tally[1] += entry[0]
                        if in_totals:
                            total = totals.get((key, year, unit, where))
                            if total is None:
                                total = totals[(key, year, unit, where)] = [0.0, 0, False]
                            total[0] += entry[0]
                            total[1] += 1
                            total[2] = total[2] or row[qualifier_at] != "exact"
        for (key, year, unit), tally in tallies.items():
            self.year_units.setdefault(key, {}).setdefault(year, {})[unit] = tally
        for (key, year, unit, place), total in totals.items():
            self.county_totals.setdefault((key, year, unit), {})[place] = total
        for (key, year), heap in year_heaps.items():
            self.by_year.setdefault(key, {})[year] = [_record(self.header, row) for _, _, row in sorted(heap, key=lambda e: (-e[0], -e[1]))]
            for entry in heap:
                _keep(heaps.setdefault(key, []), entry)
        self.largest: dict[str, list[Row]] = {
            key: [_record(self.header, row) for _, _, row in sorted(heap, key=lambda e: (-e[0], -e[1]))] for key, heap in heaps.items()
        }

    def of_report(self, report_id: str) -> list[Row]:
        """The report's figures, as rows of observations.csv."""
        return self.rows(self.raw(report_id))

    def rows(self, raw: bytes) -> list[Row]:
        """Rows of observations.csv as ``raw()`` returned them."""
        return [_record(self.header, row) for row in csv.reader(raw.decode("utf-8").splitlines(keepends=True))]

    def raw(self, report_id: str) -> bytes:
        """The report's rows as written: what a township page's fingerprint hashes."""
        span = self.ranges.get(report_id)
        if span is None:
            return b""
        with self.path.open("rb") as handle:
            handle.seek(span[0])
            return handle.read(span[1] - span[0])


class ObservationRows:
    """observations.csv read by bucket (sitegen.buckets): each report's rows, as FigureIndex gives
    them, without a pass over the whole file. For releases with values.csv, whose counts and
    largest values come from values.csv."""

    def __init__(self, table: BucketedRows) -> None:
        self.table = table
        with table.path.open("rb") as handle:
            self.header = column_names(next(csv.reader([handle.readline().decode("utf-8")])))

    def raw(self, report_id: str) -> bytes:
        return self.table.raw(report_id)

    def rows(self, raw: bytes) -> list[Row]:
        return [_record(self.header, row) for row in csv.reader(raw.decode("utf-8").splitlines(keepends=True))]


def _keep(heap: list[tuple[float, int, list[str]]], entry: tuple[float, int, list[str]]) -> None:
    """Keep ``entry`` if it is among the KEEP largest of ``heap``."""
    if len(heap) < KEEP:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)


def _record(header: list[str], row: list[str]) -> Row:
    """A row of observations.csv with its cells' true text (the release neutralises text cells a
    spreadsheet would take for a formula: parsers.spreadsheet)."""
    return {name: restore_cell(cell) for name, cell in zip(header, row)}
