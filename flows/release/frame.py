"""The townships' tables of a release: the sampling frame (which counties and townships are watched, by which sources, how far back) and the coverage statuses per township and year.
"""

from __future__ import annotations

import hashlib
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
from dataset.coverage import TownshipCoverage
from flows import store
from flows.release.files import (
    FORMAT_VERSION,
    _fmt,
    _write_bucketed,
    _write_csv,
)
from flows.release.versions import _released_date
from parsers import (
    INDICATOR_LABELS,
    Source,
    covered_counties,
    load_register,
    prefecture_of,
    province_of,
    townships_of,
)

# The township register the codes come from (parsers/identity/register.py reads it): named in the manifest,
# the codebook and the site's methodology page; a new vintage changes every county's bucket key.
REGISTER_VINTAGE = {"name": "china-division", "version": "2.7.0", "codes_as_of": "2023-06-30",
                    "url": "https://github.com/modood/Administrative-divisions-of-China"}
REGISTER_KEY = json.dumps(REGISTER_VINTAGE, sort_keys=True)

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


def write_townships(folder: Path, conn: sqlite3.Connection, sources: list[Source], created: datetime,
                    parent: tuple[Path, dict[str, Any]] | None = None) -> tuple[list[int], int, dict[str, Any]]:
    """townships.csv, coverage.csv and frame.csv: every township of the sources' covered counties
    (and any other a report names, withdrawn or not), with the status of its annual report and of
    a 述法 report for each year due, as far as the counties were searched; returns the years, the
    number of townships and the bucket index of townships.csv and coverage.csv.

    Those two are written by buckets of counties (a township code's first 6 digits): a county
    whose reports, search and due years did not change is the parent's bytes (written whole every
    night, the three tables took 10.8 s of a profiled national night). frame.csv (a row per county)
    is written whole."""
    reads = store.listing_reads(conn)
    today = _released_date(created)
    reports = list(store.current_report_facts(conn))
    # A report found but not read (unreadable.csv) counts for its township and year as unreadable, not as nothing found.
    unread = [(u.township_code, u.year, u.kind or "unknown") for u in store.still_unread(conn) if u.township_code]
    years = due_years(today, [r[3] for r in reports if r[3] and r[4]] + [u[1] for u in unread if u[1]])
    counties = CountyBuckets(reports, unread, _counties_of(sources), years, today, _county_searches(sources, reads))
    tables: dict[str, Any] = {}
    townships = townships_resource(years)
    rows, tables[townships.path] = _write_bucketed(folder, townships, counties.buckets, counties.township_rows, parent)
    _, tables[COVERAGE.path] = _write_bucketed(folder, COVERAGE, counties.buckets, counties.coverage_rows, parent)
    _write_csv(folder, FRAME, _frame_rows(sources, reads, counties.listed()))
    return years, rows, tables


class CountyBuckets:
    """townships.csv's and coverage.csv's buckets, one per county, each keyed by what its rows are
    made of: the county's report facts, whether a source covers it and how it was searched, the
    years due and which of their deadlines have passed on the release date (the only way the date
    changes a status). A changed county's rows are computed once for both tables. ``reports``:
    store.current_report_facts rows; ``unread``: (township code, year, kind) of the reports not read.
    The facts stay the store's plain rows until a county is written (200,000 ReportFacts with dates,
    made and printed into keys, took seconds)."""

    def __init__(self, reports: list[tuple[Any, ...]], unread: list[tuple[str, int | None, str]], covered: list[str], years: list[int],
                 today: date, searched: dict[str, CountySearch]) -> None:
        self.years, self.today, self.searched, self.covered = years, today, searched, set(covered)
        known = load_register().townships
        self.reports: dict[str, list[tuple[Any, ...]]] = {}
        self.unread: dict[str, list[tuple[str, int | None, str]]] = {}
        for row in reports:
            if row[4] and row[4] in known:  # as coverage() lists them: codes of the register
                self.reports.setdefault(row[4][:6], []).append(row)
        for item in unread:
            if item[0] in known:
                self.unread.setdefault(item[0][:6], []).append(item)
        passed = [self.today >= deadline_of(y) for y in years]
        head = f"format {FORMAT_VERSION}\n{REGISTER_KEY}\n{years}\n{passed}\n"
        self.buckets: dict[str, tuple[str, list[str]]] = {}
        for county in sorted(self.covered | set(self.reports) | set(self.unread)):
            lines = [head, repr((county in self.covered, searched.get(county), self.unread.get(county)))]
            lines += ["\t".join(map(str, row)) for row in self.reports.get(county, ())]  # in report_id order, as the store reads them
            self.buckets[county] = (hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32], [county])
        self.made: dict[str, list[TownshipCoverage]] = {}

    def facts(self, county: str) -> list[ReportFact]:
        """The county's reports as coverage() takes them."""
        found = [ReportFact(code, year, date.fromisoformat(published_on) if published_on else None, kind, status == "withdrawn", rid)
                 for rid, kind, status, year, code, published_on in self.reports.get(county, ())]
        return found + [ReportFact(code, year, None, kind, unreadable=True) for code, year, kind in self.unread.get(county, ())]

    def _rows(self, county: str) -> list[TownshipCoverage]:
        """The county's rows (kept until both tables took them)."""
        if county not in self.made:
            facts = self.facts(county)
            self.made[county] = coverage([county] if county in self.covered else [], facts, self.years,
                                         also=[f.township_code for f in facts if f.township_code],
                                         searched=self.searched, today=self.today)
        return self.made[county]

    def township_rows(self, ids: list[str]) -> Iterator[list[Any]]:
        years = self.years
        for r in (r for county in ids for r in self._rows(county)):
            yield [r.code, r.name, r.county_code, r.county, r.prefecture, r.province] + [r.annual[y] for y in years] + [r.shufa[y] for y in years]

    def coverage_rows(self, ids: list[str]) -> Iterator[list[Any]]:
        deadlines = {y: deadline_of(y).isoformat() for y in self.years}
        for county in ids:
            for r in self._rows(county):
                for (group, y), cell in r.cells.items():
                    yield [r.code, r.county_code, group, y, cell.status, "true" if cell.withdrawn else "false",
                           deadlines[y] if group == "annual" else None, DEADLINE_RULE_CODES[group], cell.report_id or None]
            self.made.pop(county, None)

    def listed(self) -> set[str]:
        """The counties with a row in townships.csv: covered ones with townships, others a report names."""
        return {c for c in self.covered if next(iter(townships_of(c)), None) is not None} | set(self.reports) | set(self.unread)


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


def _frame_rows(sources: list[Source], reads: dict[str, store.SourceReads], listed: set[str]) -> Iterator[list[Any]]:
    """frame.csv: every covered county and every county of townships.csv, with its sources and
    how far back they were read."""
    register = load_register()
    covering: dict[str, list[str]] = {}
    for source in sources:
        for county in covered_counties(source):
            covering.setdefault(county, []).append(source.id)
    counties = sorted(set(covering) | listed)
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
