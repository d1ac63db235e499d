"""The townships' tables of a release: the sampling frame (which counties and townships are watched, by which sources, how far back) and the coverage statuses per township and year.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dataset import (
    COVERAGE,
    DEADLINE_RULE_CODES,
    FRAME,
    CountySearch,
    ReportFact,
    coverage,
    deadline_of,
    due_years,
    townships_resource,
)
from flows import store
from flows.release.files import (
    _fmt,
    _write_csv,
)
from flows.release.versions import _released_date
from parsers import (
    INDICATOR_LABELS,
    Source,
    covered_counties,
    prefecture_of,
    province_of,
    townships_of,
)

YearValue = tuple[float, str, str, str, str]  # value, unit, qualifier, basis, flag codes (;-separated)


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
    from parsers import load_register

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
