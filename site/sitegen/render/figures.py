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
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from dataset.cells import restore_cell

from ..reading.buckets import BucketedRows
from .pages import CHART_BARS, TABLE_ROWS, Row

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

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
            spread: dict[tuple[str, str, str, tuple[str, str]], list[float]] = {}  # … and county → its townships' values (medians)
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
                            spread.setdefault((key, year, unit, where), []).append(entry[0])
        for (key, year, unit), tally in tallies.items():
            self.year_units.setdefault(key, {}).setdefault(year, {})[unit] = tally
        for (key, year, unit, place), total in totals.items():
            self.county_totals.setdefault((key, year, unit), {})[place] = total
        self.county_medians: dict[tuple[str, str], dict[tuple[str, str, str], tuple[float, int]]] = {}
        for (key, year, unit, place), found in spread.items():
            self.county_medians.setdefault(place, {})[(key, year, unit)] = (float(statistics.median(found)), len(found))
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
    spreadsheet would take for a formula: dataset.cells)."""
    return {name: restore_cell(cell) for name, cell in zip(header, row)}


class ValueIndex:
    """values.csv indexed as FigureIndex indexes it (``per_year``, every row counted), in columns:
    Arrow reads the file (in C, on every core) and NumPy groups it, where FigureIndex's loop took
    16 s a night at 40,000 townships (3 million rows). The same counts, sums (added in file order,
    as the loop adds them), largest rows (value, then file order) and first-seen orders of keys;
    each report's rows are read by bucket (``table``). ``of`` is None when Arrow can't be used."""

    def __init__(self, path: Path, table: BucketedRows, rows_of: dict[str, Row], primary: set[str]) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv

        self.path, self.table = path, table
        with path.open("rb") as handle:
            raw_header = next(csv.reader([handle.readline().decode("utf-8")]))
        self.header = column_names(raw_header)
        names = [n.lstrip("\ufeff") for n in raw_header]
        read = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(newlines_in_values=True),
                             convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        columns = {name: read.column(i).combine_chunks() for i, name in enumerate(self.header)}
        ids = columns["report_id"]
        self.counted: dict[str, int] = {str(v["values"]): int(v["counts"]) for v in pc.value_counts(ids).to_pylist()}

        # Per report of reports.csv: its year ("" unless digits), county and whether it counts in
        # totals; per row, codes (Arrow's dictionary encoding, in C) rather than 3 million strings.
        known_ids = list(rows_of)
        year_codes: dict[str, int] = {"": 0}
        place_codes: dict[tuple[str, str], int] = {}
        years, places, in_totals = [], [], []
        for report_id in known_ids:
            source = rows_of[report_id]
            year_text = str(source.get("year") or "")
            years.append(year_codes.setdefault(year_text if year_text.isdigit() else "", len(year_codes)))
            places.append(place_codes.setdefault((source.get("province") or "", source.get("county") or ""), len(place_codes)))
            in_totals.append(report_id in primary)
        at = pc.index_in(ids, value_set=pa.array(known_ids, pa.string()))
        known = np.asarray(pc.is_valid(at))
        report = np.asarray(at.fill_null(0)).astype(np.int64)
        year = np.asarray(years, dtype=np.int64)[report] if known_ids else np.zeros(len(report), dtype=np.int64)
        has_year = known & (year != 0)
        value = np.asarray(pc.cast(columns["value"], pa.float64()))
        indicator, indicators = _codes(columns["indicator"])
        unit, units = _codes(columns["unit"])
        year_of, place_of = list(year_codes), list(place_codes)
        inexact_rows = np.asarray(pc.not_equal(columns["qualifier"], "exact"))

        self.counts: dict[str, int] = {}
        for code, count in _first_seen_counts(indicator[known]):
            self.counts[indicators[code]] = count

        # Tallies per (indicator, year, unit): [values, sum], keys in first-seen order.
        self.year_units: dict[str, dict[str, dict[str, list[float]]]] = {}
        rows = np.flatnonzero(has_year)
        groups, first, inverse = _groups([(indicator[rows], len(indicators)), (year[rows], len(year_of)), (unit[rows], len(units))])
        n = np.bincount(inverse, minlength=len(groups))
        sums = np.bincount(inverse, weights=value[rows], minlength=len(groups))
        for g in np.argsort(first, kind="stable"):
            key, y, u = groups[g]
            self.year_units.setdefault(indicators[key], {}).setdefault(year_of[y], {})[units[u]] = [int(n[g]), float(sums[g])]

        # County totals over the primary reports: per (indicator, year, unit) and county, [sum, townships, any bound].
        self.county_totals: dict[tuple[str, str, str], dict[tuple[str, str], list[Any]]] = {}
        counting = rows[np.asarray(in_totals, dtype=bool)[report[rows]]] if known_ids else rows[:0]
        place = np.asarray(places, dtype=np.int64)[report[counting]] if known_ids else counting
        groups, first, inverse = _groups([(indicator[counting], len(indicators)), (year[counting], len(year_of)), (unit[counting], len(units)),
                                          (place, max(len(place_of), 1))])
        n = np.bincount(inverse, minlength=len(groups))
        sums = np.bincount(inverse, weights=value[counting], minlength=len(groups))
        inexact = np.bincount(inverse, weights=inexact_rows[counting].astype(np.float64), minlength=len(groups))
        for g in np.argsort(first, kind="stable"):
            key, y, u, p = groups[g]
            self.county_totals.setdefault((indicators[key], year_of[y], units[u]), {})[place_of[p]] = [float(sums[g]), int(n[g]), bool(inexact[g] > 0)]
        # Medians per county, (indicator, year, unit): each group's values sorted, contiguous (groups in inverse order).
        self.county_medians: dict[tuple[str, str], dict[tuple[str, str, str], tuple[float, int]]] = {}
        ranked = value[counting][np.lexsort((value[counting], inverse))] if len(counting) else value[:0]
        starts = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64) if len(groups) else np.zeros(0, dtype=np.int64)
        for g in range(len(groups)):
            key, y, u, p = groups[g]
            lo, k = int(starts[g]), int(n[g])
            middle = (float(ranked[lo + (k - 1) // 2]) + float(ranked[lo + k // 2])) / 2
            self.county_medians.setdefault(place_of[p], {})[(indicators[key], year_of[y], units[u])] = (middle, k)

        # The KEEP largest rows per (indicator, year): value descending, the earlier row first on ties.
        self.by_year: dict[str, dict[str, list[Row]]] = {}
        groups, first, inverse = _groups([(indicator[rows], len(indicators)), (year[rows], len(year_of))])
        order = np.lexsort((rows, -value[rows], inverse))
        starts = np.searchsorted(inverse[order], np.arange(len(groups)))
        for g in np.argsort(first, kind="stable"):
            window = order[starts[g]:starts[g] + KEEP]
            chosen = rows[window[inverse[window] == g]]
            taken = {name: columns[name].take(pa.array(chosen)).to_pylist() for name in self.header}
            key, y = groups[g]
            self.by_year.setdefault(indicators[key], {})[year_of[y]] = [{name: restore_cell(taken[name][i]) for name in self.header}
                                                                         for i in range(len(chosen))]

    @classmethod
    def of(cls, path: Path, table: BucketedRows | None, rows_of: dict[str, Row], primary: set[str]) -> ValueIndex | None:
        if table is None:
            return None
        try:
            import numpy  # noqa: F401
            import pyarrow  # noqa: F401
        except ImportError:
            return None
        return cls(path, table, rows_of, primary)

    def raw(self, report_id: str) -> bytes:
        return self.table.raw(report_id)

    def rows(self, raw: bytes) -> list[Row]:
        return [_record(self.header, row) for row in csv.reader(raw.decode("utf-8").splitlines(keepends=True))]


def _codes(column: Any) -> tuple[Any, list[str]]:
    """A string column as integer codes (NumPy) and the strings they stand for."""
    import numpy as np
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    return np.asarray(encoded.indices).astype(np.int64), [str(v) for v in encoded.dictionary.to_pylist()]


def _groups(columns: list[tuple[Any, int]]) -> tuple[list[tuple[int, ...]], Any, Any]:
    """Rows grouped by their codes in ``columns`` ((codes, how many codes) of one length): each
    group's codes, its first row and each row's group."""
    import numpy as np

    size = len(columns[0][0]) if columns else 0
    if size == 0:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    combined = np.zeros(size, dtype=np.int64)
    for codes, count in columns:
        combined = combined * count + codes
    keys, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    groups = []
    for k in keys.tolist():
        parts = []
        for _, count in reversed(columns):
            k, at = divmod(k, count)
            parts.append(at)
        groups.append(tuple(reversed(parts)))
    return groups, first, inverse.reshape(-1)


def _first_seen_counts(values: Any) -> list[tuple[Any, int]]:
    import numpy as np

    if len(values) == 0:
        return []
    uniques, first, counts = np.unique(values, return_index=True, return_counts=True)
    return [(uniques[i], int(counts[i])) for i in np.argsort(first, kind="stable")]
