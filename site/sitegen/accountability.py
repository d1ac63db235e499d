"""Who published, on time, late, or not at all: townships.csv and reports.csv → lines and tables.

The release's townships.csv lists every township of the covered counties with a status per
report year (dataset.coverage: on_time / late / undated / not_found, the annual report and the
述法 report apart). A reader's first question of a township, a county or the country is that
status, so every page that covers townships opens with it. Pure: rows in, HTML strings out; all
text from the release passes through ``pages.html_text``.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from dataset.cells import restore_cell
from dataset.coverage import Status, TownshipCoverage

from .pages import html_text

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

STATUSES: tuple[Status, ...] = ("on_time", "late", "undated", "found", "not_due", "not_found", "not_searched")
# A minimal label per status (dataset.coverage says what each means).
STATUS_LABELS = {"on_time": "按时", "late": "逾期", "undated": "发布日期不详", "found": "已发布", "not_due": "未到期",
                 "not_found": "未找到", "not_searched": "未检索"}
NOT_IN_REGISTER = "—"  # a year the release has no status for (a report's township outside townships.csv)


# One row of townships.csv: a township of the register and its status per year (the type that
# dataset.coverage computes them in, read back from the release).
Coverage = TownshipCoverage


def read_coverage(path: Path) -> tuple[list[int], dict[str, Coverage]]:
    """The report years and every township of townships.csv by code; a release cut before
    townships.csv existed gives none (the pages then fall back on reports.csv alone)."""
    if not path.exists():
        return [], {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        years = sorted(int(name) for name in reader.fieldnames or [] if name.isdigit())
        found: dict[str, Coverage] = {}
        for raw in reader:
            row = {name: restore_cell(cell) if cell else cell for name, cell in raw.items()}
            found[row["township_code"]] = Coverage(
                code=row["township_code"], name=row["township"], county_code=row.get("county_code") or "", county=row.get("county") or "",
                prefecture=row.get("prefecture") or "", province=row.get("province") or "",
                annual={y: cast(Status, row.get(str(y)) or "not_found") for y in years},
                shufa={y: cast(Status, row.get(f"{y}_shufa") or "not_found") for y in years})
    return years, found


def year_counts(townships: Iterable[Coverage], years: list[int]) -> dict[int, Counter[str]]:
    """Per year, how many of ``townships`` have each status of their annual report."""
    counts: dict[int, Counter[str]] = {y: Counter() for y in years}
    for township in townships:
        for year in years:
            counts[year][township.annual.get(year, "not_found")] += 1
    return counts


def render_year_counts(counts: dict[int, Counter[str]]) -> str:
    """年度 × 按时/逾期/日期不详/未找到: a small HTML table, the latest year first."""
    if not counts:
        return "<p>本版本没有覆盖县的乡镇名录，无法统计发布情况。</p>"
    head = "".join(f'<th scope="col">{label}</th>' for label in ("报告年度", "乡镇总数", *(STATUS_LABELS[s] for s in STATUSES)))
    body = []
    for year in sorted(counts, reverse=True):
        total = sum(counts[year].values())
        cells = "".join(f"<td>{counts[year][s]}</td>" for s in STATUSES)
        body.append(f'<tr><th scope="row">{year}年度</th><td>{total}</td>{cells}</tr>')
    return f'<div class="fazhi-status-counts" data-search-exclude><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def render_status_table(townships: list[Coverage], years: list[int], link_of: Callable[[Coverage], str | None], *, county_column: bool = False) -> str:
    """Every township with its status per year, sortable by any column (buttons in the headers,
    so the keyboard reaches them). ``link_of``: the township page's URL, None when it has none."""
    if not townships:
        return ""
    shown_years = sorted(years, reverse=True)
    columns = ["乡镇", *(["县级行政区"] if county_column else []), "区划代码", *(f"{y}年度" for y in shown_years), "未找到年数"]
    head = "".join(f'<th scope="col"><button type="button" class="fazhi-sort">{label}</button></th>' for label in columns)
    body = []
    for t in sorted(townships, key=lambda t: t.code):
        link = link_of(t)
        name = f'<a href="{html_text(link)}">{html_text(t.name)}</a>' if link else html_text(t.name)
        cells = [name, *([html_text(t.county)] if county_column else []), html_text(t.code)]
        cells += [f'<span class="fazhi-status fazhi-status--{s}">{STATUS_LABELS.get(s, NOT_IN_REGISTER)}</span>'
                  for s in (t.annual.get(y, "not_found") for y in shown_years)]
        cells.append(str(sum(1 for y in years if t.annual.get(y, "not_found") == "not_found")))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<div class="fazhi-sortable fazhi-status-table" data-search-exclude><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


_BY_ON_TIME: dict[str, Status] = {"true": "on_time", "false": "late"}


def status_from_report(row: dict[str, Any]) -> Status:
    """A report's own status when townships.csv does not list its township."""
    if not row.get("published_on"):
        return "undated"
    return _BY_ON_TIME.get(str(row.get("on_time")).lower(), "undated")


def year_lines(years: list[int], place: Coverage | None, reports: list[dict[str, Any]], figures: dict[str, int]) -> list[str]:
    """One sentence per report year, latest first: "2024年度：2025-03-14 发布，按时；17 项数字",
    "2023年度：未找到". ``figures``: counted figures per report id. Years come from townships.csv;
    a year a report covers is added when the register does not list it."""
    by_year: dict[int, list[dict[str, Any]]] = {}
    for r in reports:
        if str(r.get("year") or "").isdigit():
            by_year.setdefault(int(r["year"]), []).append(r)
    lines = []
    for year in sorted(set(years) | set(by_year), reverse=True):
        annual = [r for r in by_year.get(year, []) if r.get("kind") != "shufa"]
        shufa = [r for r in by_year.get(year, []) if r.get("kind") == "shufa"]
        parts = [_report_phrase(place.annual.get(year) if place else None, annual, figures, "")]
        if shufa or (place and place.shufa.get(year, "not_found") not in ("not_found", "not_searched", "not_due")):
            parts.append(_report_phrase(place.shufa.get(year) if place else None, shufa, figures, "述法报告"))
        lines.append(f"{year}年度：" + "；".join(p for p in parts if p))
    return lines


def _report_phrase(status: str | None, reports: list[dict[str, Any]], figures: dict[str, int], label: str) -> str:
    report = min(reports, key=lambda r: r.get("published_on") or "9999") if reports else None
    status = status or (status_from_report(report) if report else "not_found")
    prefix = f"{label}" if label else ""
    if status in ("not_found", "not_searched", "not_due") or report is None:
        return f"{prefix}{STATUS_LABELS.get(status, '未找到')}"
    when = f"{html_text(report['published_on'])} 发布，" if report.get("published_on") else ""
    count = sum(figures.get(r["report_id"], 0) for r in reports)
    return f"{prefix}{when}{STATUS_LABELS.get(status, status)}；{count} 项数字"


def render_area_table(areas: Sequence[tuple[str, str | None, list[Coverage]]], year: int | None, label: str) -> str:
    """Counties of a province, or provinces of the country: per area, the latest year's statuses of
    its townships, sortable (buttons in the headers). ``areas``: (name, link or None, townships).
    A table of every township of a province would be thousands of rows: its counties' pages have them."""
    if not areas or year is None:
        return ""
    columns = [label, "乡镇", *(f"{year}年度{STATUS_LABELS[s]}" for s in STATUSES)]
    head = "".join(f'<th scope="col"><button type="button" class="fazhi-sort">{c}</button></th>' for c in columns)
    body = []
    for name, link, townships in areas:
        counts = Counter(t.annual.get(year, "not_found") for t in townships)
        shown = f'<a href="{html_text(link)}">{html_text(name)}</a>' if link else html_text(name)
        cells = [shown, str(len(townships)), *(str(counts[s]) for s in STATUSES)]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<div class="fazhi-sortable fazhi-status-table" data-search-exclude><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')
