"""The figures' tables of a release (values, indicators, the long table), written bucket by bucket; from ``PARALLEL_FROM`` reports, by a child process (``python -m flows.release.figurepass``) while the parent writes the reports' tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from dataset import (
    Resource,
    figure_resources,
    figures_long_resource,
)
from flows import store
from flows.release.files import (
    FORMAT_VERSION,
    _Background,
    _fmt_number,
    _parent_tables,
    _report_keys,
    _write_bucketed,
)
from flows.release.frame import YearValue, _year_values
from flows.release.verify import _release_name
from parsers import (
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    OCR_FLAG,
    UNCLASSIFIED,
    prefecture_of,
    province_of,
)

NOT_A_TOWNSHIP_FIGURE = frozenset({"other"})  # documents that are not a rule-of-law report give no township figures


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


def _figure_resources() -> tuple[Resource, Resource, Resource]:
    """observations, values and indicators for the indicator table this process reads."""
    return figure_resources(INDICATOR_KEYS, INDICATOR_LABELS)


LIGHT_FIELDS = ("report_id", "kind", "status", "year", "township", "county", "province", "adcode", "township_code")


PARALLEL_FROM = 20_000  # reports: from here the figures are written by a second process (its start-up, ~1 s, pays off)


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
        with store.leaving_out(conn, left_out):
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
    found: dict[str, tuple[list[str], list[str]]] = {}
    seed = f"format {FORMAT_VERSION}"
    for r in light:
        if r[kind] in NOT_A_TOWNSHIP_FIGURE or r[status] != "active" or r[year] is None:
            continue
        bucket = str(r[code])[:TOWNSHIP_BUCKET] if r[code] else UNRESOLVED_BUCKET
        lines, ids = found.get(bucket) or found.setdefault(bucket, ([seed], []))
        lines.append(states[r[rid]])
        ids.append(r[rid])
    # the digest of the seed and each state, a line each: hashed once per bucket, not updated per report
    return {b: (hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()[:32], ids) for b, (lines, ids) in sorted(found.items())}


UNRESOLVED_BUCKET = "~"  # after every code: rows of townships without a register code come last


TOWNSHIP_BUCKET = 8  # digits of the township code: ~1 to 10 townships a bucket (by county, 6 digits, a night reformatted 8,000 reports' rows)


if __name__ == "__main__":  # the figure pass as a child process of _write_files
    if len(sys.argv) in (4, 5, 6) and sys.argv[1] == "figure-pass":
        print(json.dumps({"result": _figure_pass_in(*sys.argv[2:])}), flush=True)
    else:
        raise SystemExit("usage: python -m flows.release.figurepass figure-pass DATABASE FOLDER [PARENT [LEFT_OUT.json]] (used by cut_release)")
