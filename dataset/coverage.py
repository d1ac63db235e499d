"""Who published, on time or late, who did not, and where nobody looked: per township and year.

Since 2019 every township must publish its annual report on year Y before 1 April of Y + 1
(《法治政府建设与责任落实督察工作规定》). The register lists every township of a county, so a
township without a report for a year can be named, but only where the project looked: a county
no source covers, or whose sources were never read back far enough, is ``not_searched``, never
``not_found``. Pure: register rows, report facts and what was searched in, statuses out.

Statuses (per township, year and report group):

- ``on_time`` / ``late``: a report was found, published before / on or after the deadline (its
  publication date, never its signature date: see parsers.models.Report.signed_on);
- ``undated``: found, with no publication date;
- ``found``: found, for a group no deadline applies to (述法 reports);
- ``unreadable``: a report was found, but none of the township's reports for the year could be
  read (its file needs a tool the machine lacks: LibreOffice, OCR …; unreadable.csv says which);
  never ``not_found``: something was published. A readable report of the same year wins;
- ``not_due``: nothing found and the deadline has not passed on the release date;
- ``not_found``: a source covering the county was read back far enough to include the year's
  publication window (from 1 January of Y + 1), the deadline passed, and no report was found;
- ``not_searched``: no source covers the county, or none was read (far enough back).

``withdrawn`` is a fact beside the status, never a status: a report published on time and later
taken down was published on time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal, NamedTuple

from parsers.identity.identify import DEADLINE
from parsers.identity.register import Township, load_register, prefecture_of, province_of, townships_of

Status = Literal["on_time", "late", "undated", "found", "unreadable", "not_due", "not_found", "not_searched"]
Group = Literal["annual", "shufa"]
FIRST_YEAR = 2019  # the 督察工作规定 took effect in 2019
ANNUAL_KINDS = frozenset({"government_annual_report", "rule_of_law_work_report", "work_summary", "unknown"})
SHUFA_KINDS = frozenset({"shufa"})
# The deadline rule of each report group, as the release states it: a short code in coverage.csv's
# deadline_rule (560,000 rows at national scale), its words in the column's description and the codebook.
DEADLINE_RULE_CODES: dict[Group, str] = {"annual": "before_1_april_next_year", "shufa": "none"}
DEADLINE_RULES: dict[str, str] = {
    "before_1_april_next_year": "the township's annual rule-of-law report on year Y is published before 1 April of Y+1 "
                                "(法治政府建设与责任落实督察工作规定, 2019): on_time or late",
    "none": "no publication deadline applies (述法 reports): found, never on time or late",
}

# Each status in Chinese and what it means (the codebook's table; the site's labels are its own).
STATUS_MEANINGS: dict[str, tuple[str, str]] = {
    "on_time": ("按时", "a report was found, published before the deadline (its publication date, never its signature date)"),
    "late": ("逾期", "a report was found, published on or after the deadline"),
    "undated": ("发布日期不详", "a report was found without a publication date"),
    "found": ("已发布", "a report was found, of a group no deadline applies to (述法 reports)"),
    "unreadable": ("无法读取", "a report was found but could not be read (its file needs a tool: LibreOffice, OCR …; unreadable.csv names "
                   "the file and the tool); no readable report of the year"),
    "not_due": ("未到期", "nothing found, and the deadline had not passed on the release date"),
    "not_found": ("未找到", "a source covering the county was read back to the year's publication window, the deadline passed, nothing found"),
    "not_searched": ("未检索", "no source covers the county, or none was read (far enough back): nothing can be said"),
}


class ReportFact(NamedTuple):
    """What coverage needs of a stored report."""

    township_code: str | None
    year: int | None
    published_on: date | None
    kind: str
    withdrawn: bool = False
    report_id: str = ""
    unreadable: bool = False  # found, but its file could not be read (unreadable.csv): no report_id, no figures


class CountySearch(NamedTuple):
    """How a county was searched: when a source covering it was first read, whether a listing was
    read to its last page, and the oldest item date a listing showed."""

    monitored_since: date
    reached_end: bool = False
    oldest_listed: date | None = None


class Cell(NamedTuple):
    status: Status
    withdrawn: bool  # every report that gives the status has since been withdrawn
    report_id: str  # the report that gives the status ("" when none)


class TownshipCoverage(NamedTuple):
    code: str
    name: str
    county_code: str
    county: str
    prefecture: str
    province: str
    annual: dict[int, Status]  # year → status of the township's annual report
    shufa: dict[int, Status]  # year → status of a 述法 report
    cells: dict[tuple[Group, int], Cell] = {}  # (group, year) → status, withdrawn, report


def deadline_of(year: int) -> date:
    """The day a report on ``year`` is late from."""
    return date(year + 1, *DEADLINE)


def due_years(today: date, reported: Iterable[int] = ()) -> list[int]:
    """Years whose reports are due by ``today`` (1 April of the next year has passed), from 2019,
    and any later year a report already covers (its other townships are ``not_due``)."""
    last_due = today.year - 1 if today >= date(today.year, *DEADLINE) else today.year - 2
    return sorted({*range(FIRST_YEAR, last_due + 1), *(y for y in reported if y >= FIRST_YEAR)})


def searched_far_enough(search: CountySearch | None, year: int) -> bool:
    """A source covering the county was read back to the start of the year's publication window
    (1 January of year + 1): monitored since before it, a listing item as old, or a listing read
    to its last page."""
    if search is None:
        return False
    window = date(year + 1, 1, 1)
    return search.reached_end or search.monitored_since <= window or (search.oldest_listed is not None and search.oldest_listed <= window)


def _cell(found: list[ReportFact], year: int, group: Group, search: CountySearch | None, today: date | None) -> Cell:
    if not found:
        return _nothing_found(year, group, search, today)
    return _found_cell(found, year, group)


@functools.lru_cache(maxsize=4096)
def _nothing_found(year: int, group: Group, search: CountySearch | None, today: date | None) -> Cell:
    """The status of a township-year without a report: the same for every township of a county
    (cached: 560,000 cells at national scale, a few hundred distinct)."""
    if group == "annual" and today is not None and today < deadline_of(year):
        return Cell("not_due", False, "")
    return Cell("not_found" if searched_far_enough(search, year) else "not_searched", False, "")


def _found_cell(found: list[ReportFact], year: int, group: Group) -> Cell:
    readable = [f for f in found if not f.unreadable]
    if not readable:
        # Something was published, but nothing of it could be read: no date to judge, no report to cite.
        return Cell("unreadable", False, "")
    found = readable
    dated = sorted((f for f in found if f.published_on is not None), key=lambda f: (f.published_on, f.withdrawn, f.report_id))
    first = dated[0] if dated else min(found, key=lambda f: (f.withdrawn, f.report_id))
    withdrawn = all(f.withdrawn for f in found)
    if group == "shufa":
        return Cell("found", withdrawn, first.report_id)
    if first.published_on is None:
        return Cell("undated", withdrawn, first.report_id)
    return Cell("on_time" if first.published_on < deadline_of(year) else "late", withdrawn, first.report_id)


def coverage(counties: Iterable[str], reports: Iterable[ReportFact], years: list[int], also: Iterable[str] = (),
             searched: Mapping[str, CountySearch] | None = None, today: date | None = None) -> list[TownshipCoverage]:
    """Every township of ``counties`` (6-digit codes: the counties the sources cover), and any
    other township a report names, with the status of its annual and 述法 reports for each of
    ``years``; in code order. ``also``: more township codes to list (the places of reports of other
    kinds, so that every code resolves). ``searched``: how each county was searched (None: every
    county of ``counties`` counts as searched to the end, as before the frame was recorded);
    ``today``: the release date (None: every year is due)."""
    counties = list(counties)
    if searched is None:
        searched = {c: CountySearch(date(FIRST_YEAR, 1, 1), True) for c in counties}
    found: dict[tuple[str, Group, int], list[ReportFact]] = {}
    for fact in reports:
        if fact.township_code is None or fact.year is None:
            continue
        group: Group | None = "shufa" if fact.kind in SHUFA_KINDS else "annual" if fact.kind in ANNUAL_KINDS else None
        if group is not None:
            found.setdefault((fact.township_code, group, fact.year), []).append(fact)
    register = load_register()
    rows: dict[str, Township] = {t.code: t for county in counties for t in townships_of(county)}
    for code in [*(c for c, _, _ in found), *also]:
        if code not in rows and code in register.townships:
            rows[code] = register.townships[code]
    result = []
    for code in sorted(rows):
        township = rows[code]
        prefecture, province = prefecture_of(code), province_of(code)
        search = searched.get(township.county)
        groups: tuple[Group, ...] = ("annual", "shufa")
        cells = {(g, y): _cell(found.get((code, g, y), []), y, g, search, today) for g in groups for y in years}
        result.append(TownshipCoverage(
            code=code,
            name=township.name,
            county_code=township.county,
            county=register.counties[township.county][0],
            prefecture=prefecture[1] if prefecture else "",
            province=province[1] if province else "",
            annual={y: cells["annual", y].status for y in years},
            shufa={y: cells["shufa", y].status for y in years},
            cells=cells,
        ))
    return result
