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
from datetime import date
from pathlib import Path
from typing import Any, cast

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from dataset.cells import restore_cell
from dataset.coverage import Status, TownshipCoverage

from ..formatting import html_text
from .statuses import STATUS_ORDER, STATUS_STYLES, bare_badge, fair_status, percent, status_badge, status_legend

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

STATUS_LABELS = {status: shown.label for status, shown in STATUS_STYLES.items()}
NOT_IN_REGISTER = "—"  # a year the release has no status for (a report's township outside townships.csv)


# One row of townships.csv: a township of the register and its status per year (the type that
# dataset.coverage computes them in, read back from the release).
Coverage = TownshipCoverage


def read_coverage(path: Path, released_on: date | None = None) -> tuple[list[int], dict[str, Coverage]]:
    """The report years and every township of townships.csv by code; a release cut before
    townships.csv existed gives none (the pages then fall back on reports.csv alone).
    ``released_on``: the release's date; a year not yet due on it reads 未到期, not 未找到
    (statuses.fair_status)."""
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
                annual={y: cast(Status, fair_status(row.get(str(y)) or "not_found", y, released_on)) for y in years},
                shufa={y: cast(Status, fair_status(row.get(f"{y}_shufa") or "not_found", y, released_on)) for y in years})
    return years, found


def year_counts(townships: Iterable[Coverage], years: list[int]) -> dict[int, Counter[str]]:
    """Per year, how many of ``townships`` have each status of their annual report."""
    counts: dict[int, Counter[str]] = {y: Counter() for y in years}
    for township in townships:
        for year in years:
            counts[year][township.annual.get(year, "not_found")] += 1
    return counts


def shown_statuses(counts: Iterable[Counter[str]]) -> tuple[str, ...]:
    """The statuses a table shows: the three every release has, and any other that occurs."""
    present = {s for c in counts for s, n in c.items() if n}
    return tuple(s for s in STATUS_ORDER if s in ("on_time", "late", "not_found") or s in present)


def searched(counts: Counter[str]) -> int:
    """Townships whose report was due and searched for: the denominator of an on-time rate."""
    return sum(n for s, n in counts.items() if s not in ("not_due", "not_searched"))


def render_year_counts(counts: dict[int, Counter[str]]) -> str:
    """年度 × statuses, each as a count and its share of the year's townships, and the on-time rate
    among the townships searched (未到期 and 未纳入检索 left out of it); the latest year first."""
    if not counts:
        return "<p>本版本没有覆盖县的乡镇名录，无法统计发布情况。</p>"
    statuses = shown_statuses(counts.values())
    head = "".join(f'<th scope="col">{label}</th>' for label in ("报告年度", "乡镇总数")) + "".join(
        f'<th scope="col">{status_badge(s)}</th>' for s in statuses) + '<th scope="col">按时率（已检索、已到期）</th>'
    body = []
    for year in sorted(counts, reverse=True):
        total = sum(counts[year].values())
        cells = "".join(f"<td>{counts[year][s]}<small>（{percent(counts[year][s], total)}）</small></td>" for s in statuses)
        rate = percent(counts[year]["on_time"], searched(counts[year]))
        body.append(f'<tr><th scope="row">{year}年度</th><td>{total}</td>{cells}<td>{rate}</td></tr>')
    return (f'<div class="fazhi-status-counts" data-search-exclude><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
            + status_legend(statuses))


def year_nav(years: list[int], prefix: str, current: int | None) -> str:
    """Plain links to the year panels of this page (``#<prefix><year>``): no script needed, the
    panel shown by CSS (:target); the latest year is shown when none is chosen."""
    marked = ' aria-current="true"'
    links = " · ".join(f'<a href="#{prefix}{y}"{marked if y == current else ""}>{y}年度</a>' for y in sorted(years, reverse=True))
    return f'<nav class="fazhi-year-nav" aria-label="选择年度" data-search-exclude>选择年度：{links}</nav>' if years else ""


def year_panels(years: list[int], prefix: str, latest: int | None, render: Callable[[int], str]) -> str:
    """One panel per year (``render(year)``), the latest shown unless the address names another."""
    panels = "".join(f'<section class="fazhi-year-panel{" fazhi-year-panel--default" if y == latest else ""}" id="{prefix}{y}" '
                     f'aria-label="{y}年度">{render(y)}</section>' for y in sorted(years, reverse=True))
    return f'{year_nav(years, prefix, latest)}<div class="fazhi-year-panels" data-search-exclude>{panels}</div>'


def render_missing_lists(townships: list[Coverage], year: int, link_of: Callable[[Coverage], str | None]) -> str:
    """A county's year at a glance: per status other than 按时, its townships by name (linked);
    the answer to "which of our townships did not publish for this year"."""
    by_status: dict[str, list[Coverage]] = {}
    for t in sorted(townships, key=lambda t: t.code):
        by_status.setdefault(t.annual.get(year, "not_found"), []).append(t)
    total = len(townships)
    parts = [f"<p><strong>{year}年度</strong>：{total} 个乡镇（街道）中，"
             + "，".join(f"{status_badge(s)} {len(by_status[s])} 个（{percent(len(by_status[s]), total)}）" for s in STATUS_ORDER if s in by_status)
             + "。</p>"]
    for status in ("not_found", "unreadable", "late", "undated", "not_due", "not_searched"):
        found = by_status.get(status)
        if not found:
            continue
        names = "、".join((f'<a href="{html_text(link)}">{html_text(t.name)}</a>' if (link := link_of(t)) else html_text(t.name)) for t in found)
        parts.append(f'<p class="fazhi-missing">{status_badge(status)}（{len(found)} 个）：{names}</p>')
    return "".join(parts)


def render_status_table(townships: list[Coverage], years: list[int], link_of: Callable[[Coverage], str | None], *, county_column: bool = False) -> str:
    """Every township with its status per year, sortable by any column (buttons in the headers,
    so the keyboard reaches them) and, with script, filtered by a status in a year (filter.js);
    without script the whole table shows. ``link_of``: the township page's URL, None when it has none."""
    if not townships:
        return ""
    shown_years = sorted(years, reverse=True)
    columns = ["乡镇", *(["县级行政区"] if county_column else []), "区划代码", *(f"{y}年度" for y in shown_years), "未找到年数"]
    head = "".join('<th scope="col"' + (f' data-year="{label[:4]}"' if label.endswith("年度") else "") + f'><button type="button" class="fazhi-sort">{label}</button></th>'
                   for label in columns)
    body = []
    for t in sorted(townships, key=lambda t: t.code):
        link = link_of(t)
        name = f'<a href="{html_text(link)}">{html_text(t.name)}</a>' if link else html_text(t.name)
        cells = [name, *([html_text(t.county)] if county_column else []), html_text(t.code)]
        cells += [status_badge(t.annual.get(y, "not_found")) for y in shown_years]
        cells.append(str(sum(1 for y in years if t.annual.get(y, "not_found") == "not_found")))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    present = shown_statuses([Counter(t.annual.get(y, "not_found") for t in townships for y in years)])
    return (f'<div class="fazhi-sortable fazhi-status-table fazhi-filterable" data-search-exclude>{_filter_controls(shown_years, present)}'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def _filter_controls(years: list[int], statuses: tuple[str, ...]) -> str:
    """The filter's controls, hidden until filter.js shows them (with no script the whole table
    shows, and no control that does nothing is offered)."""
    options = "".join(f'<option value="{y}">{y}年度</option>' for y in years)
    buttons = '<button type="button" data-status="" aria-pressed="true">全部</button>' + "".join(
        f'<button type="button" data-status="{s}" aria-pressed="false">{html_text(STATUS_STYLES[s].filter_label)}</button>' for s in statuses)
    return (f'<div class="fazhi-filter" hidden><label>年度 <select>{options}</select></label>'
            f'<span role="group" aria-label="按状态筛选">{buttons}</span><span class="fazhi-filter__count" aria-live="polite"></span></div>')


_BY_ON_TIME: dict[str, Status] = {"true": "on_time", "false": "late"}


def status_from_report(row: dict[str, Any]) -> Status:
    """A report's own status when townships.csv does not list its township."""
    if not row.get("published_on"):
        return "undated"
    return _BY_ON_TIME.get(str(row.get("on_time")).lower(), "undated")


def year_lines(years: list[int], place: Coverage | None, reports: list[dict[str, Any]], figures: dict[str, int],
               unread: Sequence[dict[str, Any]] = ()) -> list[str]:
    """One sentence per report year, latest first: "2024年度：2025-03-14 发布，按时；17 项数字",
    "2023年度：未找到", "2022年度：无法读取：<标题>（需要 LibreOffice）". ``figures``: counted figures
    per report id; ``unread``: the township's rows of unreadable.csv (reports found, not read).
    Years come from townships.csv; a year a report covers is added when the register does not list it."""
    by_year: dict[int, list[dict[str, Any]]] = {}
    for r in reports:
        if str(r.get("year") or "").isdigit():
            by_year.setdefault(int(r["year"]), []).append(r)
    unread_by_year: dict[int, list[dict[str, Any]]] = {}
    for u in unread:
        if str(u.get("year") or "").isdigit():
            unread_by_year.setdefault(int(u["year"]), []).append(u)
    lines = []
    for year in sorted(set(years) | set(by_year), reverse=True):
        annual = [r for r in by_year.get(year, []) if r.get("kind") != "shufa"]
        shufa = [r for r in by_year.get(year, []) if r.get("kind") == "shufa"]
        unread_annual = [u for u in unread_by_year.get(year, []) if u.get("kind") != "shufa"]
        unread_shufa = [u for u in unread_by_year.get(year, []) if u.get("kind") == "shufa"]
        parts = [_report_phrase(place.annual.get(year) if place else None, annual, figures, "", unread_annual)]
        if shufa or (place and place.shufa.get(year, "not_found") not in ("not_found", "not_searched", "not_due")):
            parts.append(_report_phrase(place.shufa.get(year) if place else None, shufa, figures, "述法报告", unread_shufa))
        lines.append(f"{year}年度：" + "；".join(p for p in parts if p))
    return lines


def _unread_phrase(unread: Sequence[dict[str, Any]]) -> str:
    """The reports found but not read, each linked to its page, with the tool it needs: a reader
    can open the file, an operator sees what to install. All of it is text from the portals: escaped."""
    shown = []
    for u in unread:
        title = html_text(u.get("title") or "报告")
        url = str(u.get("url") or "")
        link = f'<a href="{html_text(url)}" rel="nofollow noopener">{title}</a>' if url.startswith(("http://", "https://")) else title
        shown.append(f"{link}（需要 {html_text(u.get('needs') or '工具')}）")
    return "、".join(shown)


def _report_phrase(status: str | None, reports: list[dict[str, Any]], figures: dict[str, int], label: str,
                   unread: Sequence[dict[str, Any]] = ()) -> str:
    report = min(reports, key=lambda r: r.get("published_on") or "9999") if reports else None
    status = status or (status_from_report(report) if report else "unreadable" if unread else "not_found")
    prefix = f"{label}" if label else ""
    if status == "unreadable":
        return f"{prefix}{bare_badge(status)}：找到了报告，但无法读取" + (f"：{_unread_phrase(unread)}" if unread else "")
    if status in ("not_found", "not_searched", "not_due") or report is None:
        return f"{prefix}{bare_badge(status)}"
    when = f"{html_text(report['published_on'])} 发布，" if report.get("published_on") else ""
    count = sum(figures.get(r["report_id"], 0) for r in reports)
    return f"{prefix}{when}{bare_badge(status)}；{count} 项数字"


def on_time_rate(townships: Iterable[Coverage], year: int) -> tuple[int, int]:
    """(on time, searched and due): the numerator and denominator of an on-time rate."""
    counts: Counter[str] = Counter(t.annual.get(year, "not_found") for t in townships)
    return counts["on_time"], searched(counts)


def render_area_table(areas: Sequence[tuple[str, str | None, list[Coverage]]], year: int | None, label: str) -> str:
    """Counties of a province, or provinces of the country: per area, one year's statuses of its
    townships (count and share) and the on-time rate among those searched, sortable (buttons in
    the headers). ``areas``: (name, link or None, townships), in the order given (provinces by code).
    A table of every township of a province would be thousands of rows: its counties' pages have them."""
    if not areas or year is None:
        return ""
    statuses = shown_statuses([Counter(t.annual.get(year, "not_found") for _, _, ts in areas for t in ts)])
    head = "".join(f'<th scope="col"><button type="button" class="fazhi-sort">{c}</button></th>' for c in (label, "乡镇"))
    head += "".join(f'<th scope="col"><button type="button" class="fazhi-sort">{status_badge(s)}</button></th>' for s in statuses)
    head += '<th scope="col"><button type="button" class="fazhi-sort">按时率</button></th>'
    body = []
    for name, link, townships in areas:
        counts: Counter[str] = Counter(t.annual.get(year, "not_found") for t in townships)
        shown = f'<a href="{html_text(link)}">{html_text(name)}</a>' if link else html_text(name)
        cells = [shown, str(len(townships)), *(str(counts[s]) for s in statuses), percent(counts["on_time"], searched(counts))]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<div class="fazhi-sortable fazhi-status-table" data-search-exclude><p class="fazhi-table-caption">{year}年度</p>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
