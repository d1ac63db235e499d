"""Who published, on time or late, and who did not: per township of the covered counties and year.

Since 2019 every township must publish its report on year Y before 1 April of Y + 1
(《法治政府建设与责任落实督察工作规定》). The register lists every township of a county, so a
township without a report for a year can be named. Pure: register rows and report facts in,
statuses out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, NamedTuple

from parsers.identify import DEADLINE
from parsers.register import Township, load_register, prefecture_of, province_of, townships_of

Status = Literal["on_time", "late", "undated", "not_found"]
FIRST_YEAR = 2019  # the 督察工作规定 took effect in 2019
ANNUAL_KINDS = frozenset({"government_annual_report", "rule_of_law_work_report", "work_summary", "unknown"})
SHUFA_KINDS = frozenset({"shufa"})


class ReportFact(NamedTuple):
    """What coverage needs of a stored report."""

    township_code: str | None
    year: int | None
    published_on: date | None
    kind: str


class TownshipCoverage(NamedTuple):
    code: str
    name: str
    county_code: str
    county: str
    prefecture: str
    province: str
    annual: dict[int, Status]  # year → status of the township's annual report
    shufa: dict[int, Status]  # year → status of a 述法 report


def due_years(today: date, reported: Iterable[int] = ()) -> list[int]:
    """Years whose reports are due by ``today`` (1 April of the next year has passed), from 2019,
    and any later year a report already covers."""
    last_due = today.year - 1 if today >= date(today.year, *DEADLINE) else today.year - 2
    return sorted({*range(FIRST_YEAR, last_due + 1), *(y for y in reported if y >= FIRST_YEAR)})


def _status(published: list[date | None], year: int) -> Status:
    if not published:
        return "not_found"
    known = [p for p in published if p is not None]
    if not known:
        return "undated"
    return "on_time" if min(known) < date(year + 1, *DEADLINE) else "late"


def coverage(counties: Iterable[str], reports: Iterable[ReportFact], years: list[int], also: Iterable[str] = ()) -> list[TownshipCoverage]:
    """Every township of ``counties`` (6-digit codes), and any other township a report names, with
    the status of its annual and 述法 reports for each of ``years``; in code order. ``also``: more
    township codes to list (the places of reports of other kinds, so that every code resolves)."""
    annual: dict[tuple[str, int], list[date | None]] = {}
    shufa: dict[tuple[str, int], list[date | None]] = {}
    for fact in reports:
        if fact.township_code is None or fact.year is None:
            continue
        target = shufa if fact.kind in SHUFA_KINDS else annual if fact.kind in ANNUAL_KINDS else None
        if target is not None:
            target.setdefault((fact.township_code, fact.year), []).append(fact.published_on)
    register = load_register()
    rows: dict[str, Township] = {t.code: t for county in counties for t in townships_of(county)}
    for code in [*(c for c, _ in [*annual, *shufa]), *also]:
        if code not in rows and code in register.townships:
            rows[code] = register.townships[code]
    result = []
    for code in sorted(rows):
        township = rows[code]
        prefecture, province = prefecture_of(code), province_of(code)
        result.append(TownshipCoverage(
            code=code,
            name=township.name,
            county_code=township.county,
            county=register.counties[township.county][0],
            prefecture=prefecture[1] if prefecture else "",
            province=province[1] if province else "",
            annual={y: _status(annual.get((code, y), []), y) for y in years},
            shufa={y: _status(shufa.get((code, y), []), y) for y in years},
        ))
    return result
