"""Release rows → Markdown pages. Pure: strings in, strings out.

Every string that came from a government site passes through ``text`` (inline Markdown) or
``html_text`` (inside raw HTML blocks) here, and only here: a title holding ``<script>`` or
``[x](javascript:…)`` must reach the reader as those characters, never as markup.
"""

from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from parsers import OCR_FLAG  # the report's text was read by OCR from a scan
from parsers.figures.indicators import BY_KEY, INDICATOR_KEYS, INDICATOR_LABELS, INDICATORS
from parsers.read.normalise import strip_format_characters

from ..formatting import format_value, html_text
from ..reading.definitions import definition
from ..reading.fields import field_zh
from .charts import bar_chart, trend_chart

Row = dict[str, Any]
Key = str  # a township code (9 digits, from the national register)

KIND_LABELS = {
    "government_annual_report": "法治政府建设年度报告",
    "rule_of_law_work_report": "法治建设工作情况报告",
    "shufa": "述法报告",
    "work_summary": "工作总结",
    "unknown": "其他",
}
UNKNOWN_PROVINCE, UNKNOWN_COUNTY = "未识别省份", "未识别县"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|~>])")  # { } become entities instead (see text())


def text(value: Any) -> str:
    """Untrusted text for a Markdown context (paragraph or table cell): HTML-escaped, Markdown
    punctuation backslash-escaped, and no line breaks (they would end a table row)."""
    flat = re.sub(r"\s+", " ", strip_format_characters("" if value is None else str(value))).strip()
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True)).replace("{", "&#123;").replace("}", "&#125;")


def safe_url(url: Any) -> str | None:
    """Only http(s) links are ever emitted; anything else (javascript:, data:) is dropped."""
    value = str(url or "").strip()
    return html_text(value) if re.match(r"^https?://", value, re.IGNORECASE) else None


def _path_part(name: str) -> str:
    name = strip_format_characters(name)  # an invisible character would make a second, look-alike page
    return re.sub(r"[\\/:*?\"<>|#%\s.]", "_", name)


def to_root(docs_path: str) -> str:
    """From the URL of a docs/ page (directory URLs: a/b.md is served at a/b/) to the site's root."""
    depth = docs_path.count("/") + (0 if docs_path.endswith("index.md") else 1)
    return "../" * depth


def child_link(name: str) -> str:
    """The link from a province's (or the index's) page to the page of one of its parts."""
    return _path_part(name) + "/"


def relative(from_page: str, to_page: str) -> str:
    """A relative Markdown link between two docs/ paths (MkDocs resolves and checks them)."""
    up = from_page.count("/")
    return "../" * up + to_page


def on_township_page(row: Row) -> bool:
    """A township's own report: resolved to a township code, not a county's or a department's
    report, not a document of another kind (those would pass for the township's report)."""
    return bool(row.get("township_code")) and row.get("level") not in ("county", "department") and row.get("kind") != "other"


def group_townships(reports: Iterable[Row]) -> tuple[dict[Key, list[Row]], list[Row]]:
    """Reports by township code (two 西湖镇 of two counties are two pages), and the others:
    unresolved, county-level, department-level and other documents, listed but never merged."""
    groups: dict[Key, list[Row]] = defaultdict(list)
    loose: list[Row] = []
    for row in reports:
        if on_township_page(row):
            groups[row["township_code"]].append(row)
        else:
            loose.append(row)
    return dict(sorted(groups.items())), loose


def render_home(manifest: Row, changelog: str, townships: int, years: list[int], zip_path: str, *,
                status_html: str = "", areas_html: str = "", link_of: dict[str, str] | None = None) -> str:
    """The home page: the counts, who published per year (``status_html``, then per province:
    ``areas_html``), the latest changes
    (each linked to its township page through ``link_of``: report id → docs path)."""
    counts = manifest["counts"]
    changes = [_change_line(line, link_of or {}) for line in islice((line for line in changelog.splitlines() if line.startswith("- ")), 20)]
    span = f"{min(years)}–{max(years)}" if years else "—"
    lines = [
        "---",
        f"description: 乡镇法治政府建设年度报告的公开数据集，版本 {_front_matter(manifest['version'])}：谁按时发布、谁逾期、谁未发布，以及报告中的每一个数字。",
        "---",
        "",
        "# 法治地图 Fazhi Atlas",
        "",
        "乡镇（街道）法治政府建设年度报告的公开数据集：每一份报告、每一个数字，以及它出自原文的哪一句话。",
        "",
        # A list, not a table: four numbers side by side that wrap on a phone (the table was 434 px wide at 390).
        f'<ul class="fazhi-headline"><li><strong>{townships}</strong> 个乡镇有报告</li><li><strong>{counts["reports"]}</strong> 份报告</li>'
        f'<li><strong>{html_text(span)}</strong> 年度</li><li><strong>{counts["observations"]}</strong> 个数字</li></ul>',
        "",
        # Raw links: the release files are linked into the built site after MkDocs (no copy through docs/).
        f'<a class="md-button md-button--primary" href="{html_text(zip_path)}">下载最新数据 {html_text(manifest["version"])}</a>'
        f" [全部版本](downloads.md){{ .md-button }}",
        "",
    ]
    if status_html:
        lines += ["## 各年度发布情况", "", "覆盖县的全部乡镇（街道）中，按时（次年4月1日前）发布、逾期发布、发布日期不详和未找到报告的数量与比例。"
                  "[规则说明](methodology.md#deadline)", "", status_html, "",
                  f"## 各省级行政区 {NOT_SEARCHED}", "", "选择年度后点击省份，再点击县，可看到该县每个乡镇的情况。", "", areas_html, ""]
    lines += [f"## 最近更新（{text(manifest['version'])}）", ""]
    lines += [f"- {change}" for change in changes] or ["- 无"]
    lines += ["", "[订阅新增和修订的报告（Atom）](feed.xml) · 每个县的页面也有本县的订阅。", ""]
    lines += ["", "[浏览乡镇](townships/index.md) · [浏览指标](indicators/index.md) · [方法说明](methodology.md)", ""]
    return "\n".join(lines)


CHANGE_LABELS = {"added": "新增", "revised": "修订", "withdrawn": "撤下", "figure changed": "数字变化",
                 "figure changed by the rules": "数字变化（提取规则更新）", "identification changed by the rules": "识别变化（提取规则更新）"}


def _change_line(line: str, link_of: dict[str, str]) -> str:
    """A CHANGELOG line ("- added: title (township, year) `id`") for readers: Chinese label, no
    id, and a link to the report's page when it has one."""
    kind, _, rest = line[2:].partition(": ")
    found = re.search(r"`([0-9a-f]{16})`", rest)
    rest = re.sub(r"\s*`[0-9a-f]{16}`", "", rest)
    target = link_of.get(found.group(1)) if found else None
    shown = f"[{text(rest)}]({target})" if target else text(rest)
    return f"{CHANGE_LABELS.get(kind, text(kind))}：{shown}"


def _front_matter(value: Any) -> str:
    """Untrusted text inside a YAML front-matter scalar of ours: one line, no YAML syntax."""
    return re.sub(r"[\s:#'\"{}\[\],&*!|>%@`]", " ", strip_format_characters(str(value))).strip()


def province_path(province: str) -> str:
    return f"townships/{_path_part(province)}/index.md"


def county_path(province: str, county: str) -> str:
    return f"townships/{_path_part(province)}/{_path_part(county)}/index.md"


UNRESOLVED_PATH = "townships/unresolved.md"
# On a heading (attr_list): the search plugin leaves the section out. Province and county pages are
# found by their name (the h1 section); their tables' sections would add two empty entries each.
NOT_SEARCHED = "{ data-search-exclude }"


def render_township_index(total: int, provinces: int, status_html: str, provinces_html: str, loose: int) -> str:
    """乡镇: who published per year, and the provinces with the latest year's statuses
    (``provinces_html``, accountability.render_area_table), each linked to its page of counties."""
    lines = ["---", f"description: 覆盖的 {total} 个乡镇（街道），按省级行政区浏览，每个乡镇各年度报告是否按时发布。", "---", "",
             "# 乡镇", "", f"共 {total} 个乡镇（街道），分布在 {provinces} 个省级行政区。", "", status_html, "",
             f"## 省级行政区 {NOT_SEARCHED}", "", provinces_html, "",
             f"另有 {loose} 份未识别到乡镇、或属于县级和部门的报告与文件：[见此]({relative('townships/index.md', UNRESOLVED_PATH)})。", ""]
    return "\n".join(lines)


def _html_table(header: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """A raw-HTML table on one line: Markdown passes it through untouched (a Markdown table of
    300 townships cost 20 ms to convert, times 2,800 county pages). Cells are already escaped."""
    head = "".join(f'<th style="text-align:{align}">{label}</th>' for label, align in header)
    body = "".join("<tr>" + "".join(f'<td style="text-align:{align}">{cell}</td>' for cell, (_, align) in zip(row, header)) + "</tr>" for row in rows)
    return f"<div data-search-exclude><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def render_province(province: str, status_html: str, counties_html: str) -> str:
    """A province: who published per year (``status_html``), and its counties with the latest
    year's statuses (``counties_html``, accountability.render_area_table)."""
    here = province_path(province)
    return "\n".join(["---", f"description: {_front_matter(province)}各县乡镇（街道）法治政府建设年度报告的发布情况。", "---", "",
                      f"# {text(province)}", "", f"[乡镇]({relative(here, 'townships/index.md')}) › {text(province)}", "",
                      f"## 各年度发布情况 {NOT_SEARCHED}", "", status_html, "", f"## 县级行政区 {NOT_SEARCHED}", "", "点击表头按钮可排序。", "", counties_html, ""])


def _indicator_order(key: str) -> tuple[int, str]:
    """The indicator table's order; a key this code does not know (a release made by newer rules)
    comes after the others instead of failing the build."""
    return (INDICATOR_KEYS.index(key), "") if key in INDICATOR_KEYS else (len(INDICATOR_KEYS), key)


def render_county_totals(totals: list[tuple[str, str, str, float, int, bool]], size: int, here: str) -> str:
    """A county's figures in its latest year with any: per indicator and unit, the sum over its
    townships and how many of them reported it. ``totals``: (indicator, year, unit, sum, townships,
    any value a bound); ``size``: the county's townships in the register."""
    if not totals:
        return ""
    year = max(t[1] for t in totals)
    rows = []
    for key, _, unit, amount, reported, bound in sorted((t for t in totals if t[1] == year), key=lambda t: _indicator_order(t[0])):
        link = f'<a href="{to_root(here)}indicators/{key}/{html_text(year)}/">{html_text(INDICATOR_LABELS.get(key, key))}</a>'
        shown = "—" if unit == "%" else ("≥" if bound else "") + format_value(amount)
        rows.append([link, html_text(shown), html_text(unit), f"{size} 个乡镇中 {reported} 个报告了该数字"])
    note = (f"<p>{html_text(year)}年度各乡镇报告中的数字之和（每个乡镇计一份报告）。未报告的乡镇不计入，合计请对照覆盖比例阅读；"
            "“≥”表示含有“余、多、以上”等下限值或约数。</p>")
    return note + _cells_table(["指标", "合计", "单位", "覆盖"], rows, numeric=(1,))


def render_county(province: str, county: str, status_html: str, table_html: str, loose: list[Row], totals_html: str = "") -> str:
    """A county: who published per year, every township with its status (sortable), and the
    county's own and departments' reports (never put on a township page)."""
    here = county_path(province, county)
    lines = ["---", f"description: {_front_matter(county)}（{_front_matter(province)}）各乡镇（街道）法治政府建设年度报告是否按时发布。",
             # The township × year table takes the width of both sidebars: at 1366 px it then fits without scrolling sideways.
             "hide:", "  - navigation", "  - toc",
             "feed: feed.xml", f"feed_title: {_front_matter(county)}新增和修订的报告", "---", "",
             f"# {text(county)}", "",
             f"[乡镇]({relative(here, 'townships/index.md')}) › [{text(province)}]({relative(here, province_path(province))}) › {text(county)}"
             " · [订阅本县新增和修订的报告（Atom）](feed.xml)", "",
             f"## 各年度发布情况 {NOT_SEARCHED}", "", "选择年度，可看到该年度未找到报告、逾期发布的乡镇名单。", "", status_html, "",
             f"## 各乡镇 {NOT_SEARCHED}", "", "点击表头按钮可排序，或按年度和状态筛选；“未找到”表示在该县已检索的政府网站栏目中没有找到该年度的报告，"
             "不等于该乡镇一定没有发布。", "",
             table_html, ""]
    if totals_html:
        lines += [f"## 各项指标合计 {NOT_SEARCHED}", "", totals_html, ""]
    if loose:
        lines += [f"## 县级、部门报告及其他文件 {NOT_SEARCHED}", "", "这些文件不计入乡镇的发布情况。", "", _loose_list(loose, here), ""]
    return "\n".join(lines)


def _loose_list(rows: list[Row], here: str) -> str:
    items = []
    for r in sorted(rows, key=lambda r: (r.get("year") or "", r["report_id"]), reverse=True):
        url = safe_url(r.get("url"))
        source = f' · <a href="{url}" rel="nofollow noopener">原网页</a>' if url else ""
        archive = to_root(here) + archive_html_path(r)
        items.append(f"<li>{html_text(r.get('year') or '年份不详')} · {html_text(r.get('title') or '无标题')}"
                     f"（{html_text(r.get('county') or UNKNOWN_COUNTY)} · {LEVEL_LABELS.get(r.get('level') or '', '级别不详')} · {KIND_LABELS.get(r.get('kind') or '', '其他')}）"
                     f'{source} · <a href="{html_text(archive)}">存档</a></li>')
    return f'<ul class="fazhi-loose" data-search-exclude>{"".join(items)}</ul>'


LEVEL_LABELS = {"township": "乡镇", "county": "县级", "department": "部门", "unknown": "级别不详"}


def render_unresolved(rows: list[Row]) -> str:
    """Reports with no township code and county-level or other documents of no known county:
    listed one by one, never merged by name (two 西湖镇 are two townships)."""
    lines = ["---", "description: 未能识别到具体乡镇（街道）的报告，以及县级、部门报告和其他文件。", "---", "",
             "# 未识别乡镇的报告", "", "这些报告未能对应到全国区划名录中的某一个乡镇（街道），或属于县级、部门，或不是年度报告。"
             "它们不计入任何乡镇的发布情况。", ""]
    if len(rows) > UNRESOLVED_ROWS:
        lines += [f"共 {len(rows)} 份，下面列出最近年份的 {UNRESOLVED_ROWS} 份；全部见数据下载中的 reports.csv（township_code 为空的行）。", ""]
    shown = sorted(rows, key=lambda r: (r.get("year") or "", r["report_id"]), reverse=True)[:UNRESOLVED_ROWS]
    lines.append(_loose_list(shown, UNRESOLVED_PATH) if rows else "无。")
    return "\n".join(lines) + "\n"


UNRESOLVED_ROWS = 500  # the page stays small (≤ 60 KB gzip) when a national run leaves many unresolved


def bundle_of(row: Row) -> str:
    """The archive bundle holding a report revision's text (sitegen.archive): its county's code
    and its year (``431223-2024``); a report on no township page in a bundle of its own county's
    (``c431223-2024``), written apart from the township pages' bundles; no county code: ``000000``."""
    code = str(row.get("township_code") or "")[:6] or str(row.get("adcode") or "")[:6]
    county = code if code.isdigit() and len(code) == 6 else "000000"
    year = str(row.get("year") or "")
    return ("" if on_township_page(row) else "c") + county + "-" + (year if year.isdigit() else "0")


def bundle_path(bundle: str) -> str:
    """Where a bundle is in the built site."""
    return f"archive/b/{bundle}.json.gz"


def archive_html_path(row: Row) -> str:
    """The viewer's address for a report revision's text with its figures highlighted, from the
    site's root (sitegen.archive): a mention's anchor (``quote_anchor``) may follow after ``#``."""
    return f"archive/?b={bundle_of(row)}&r={row['report_id']}-{row['revision']}"


def quote_anchor(mention: Row) -> str:
    """The id of a mention's highlight in its archived text: its character span (stable for a
    revision and an extractor version)."""
    return f"q-{mention.get('quote_start') or 0}-{mention.get('quote_end') or 0}"


def township_url(code: str) -> str:
    """The township page's URL in the built site: townships/<9-digit code>/."""
    return f"townships/{_path_part(code)}/"


TO_ROOT = "../../"  # from a township page (townships/<code>/) to the site's root


@dataclass(frozen=True)
class TownshipPage:
    """A township page as HTML, ready for the theme's template: township pages are many (40,000)
    and all alike, so they skip Markdown and are rendered outside MkDocs' page loop (see
    sitegen.townships)."""

    url: str
    title: str
    content: str
    toc: list[tuple[str, str]]  # (id, heading) of each h2
    description: str = ""
    feed: str = ""  # its county's Atom feed, relative to the page
    feed_title: str = ""


@dataclass(frozen=True)
class Place:
    """Where a township page sits: its code, names and county (from townships.csv, else its reports)."""

    code: str
    name: str
    county: str
    province: str


def page_title(place: Place) -> str:
    """西湖镇（乌苏市）: many townships share a name, the county tells them apart."""
    return strip_format_characters(f"{place.name}（{place.county}）" if place.county else place.name)


def _heading(level: int, anchor: str, title: str) -> str:
    return f'<h{level} id="{anchor}">{html_text(title)}<a class="headerlink" href="#{anchor}" title="本节链接">&para;</a></h{level}>'


FLAG_SENTENCES = {
    # Flag codes of parsers.figures.checks and parsers.figures.canonical → what a reader is told; one place.
    "several_values": "{indicator}在报告中出现了不同的数值，计入的是写明“共、累计、全年”的那一处，否则取最大值。",
    "part_exceeds_whole": "分项数（{indicator}）大于总数，至少有一处数字可能有误。",
    "rate_mismatch": "报告中的比例（{indicator}）与由两个数字算出的比例不一致。",
    "implausible_value": "{indicator}的数值超出了合理上限，已保留并标记，请核对原文。",
    "total_below_mention": "{indicator}写明的总数小于报告中另一处提到的数值。",
    "parts_above_total": "{indicator}各分项之和大于写明的总数。",
    "only_part_of_year": "{indicator}只找到了部分时段（如上半年）的数值，不是全年数。",
    "figures_capped": "该文本中的数字异常多，只读取了前2000个，请核对原文。",
    "ocr_text": "该报告为扫描件，文字由OCR识别，其中的数字可能有误识，请核对原文。",
}


def flag_sentence(code: str, detail: str) -> str:
    """A consistency flag as a Chinese sentence; the indicator is read from the flag's detail."""
    first = re.split(r"[\s:]", detail.strip(), maxsplit=1)[0] if detail else ""
    indicator = INDICATOR_LABELS.get(first, "某项指标")
    template = FLAG_SENTENCES.get(code, "该报告的数字有一处需要核对的地方（{indicator}）。")
    return template.format(indicator=indicator)


def figure_anchor(indicator: str, year: Any) -> str:
    """A figure's anchor on its township page: stable across releases (indicator and year)."""
    return f"f-{_path_part(indicator)}-{_path_part(str(year or 'na'))}"


def _township_without_reports(place: Place, crumbs: str, lines: str, comparison: str) -> TownshipPage:
    """A township of a covered county with no report found: small, so that it can be found by
    name and code (search) and its county's official can see it was looked for."""
    title = page_title(place)
    content = "\n".join([
        _heading(1, "top", title), crumbs, f'<ul class="fazhi-years" aria-label="各年度发布情况">{lines}</ul>',
        f'<p class="fazhi-rule"><a href="{TO_ROOT}methodology/#deadline">按时</a>：报告年度次年4月1日前在政府网站发布。</p>',
        "<p>本站在该县已检索的政府网站栏目中，没有找到这个乡镇（街道）的法治政府建设年度报告。“未找到”不等于没有发布："
        f'报告可能在本站未检索的栏目或网站上。如果你知道报告的网址，请<a href="{TO_ROOT}about/#corrections">告诉我们</a>。</p>',
        *([_heading(2, "compare", "与本县比较"), comparison] if comparison else []),
        _citation(title, place)])
    return TownshipPage(url=township_url(place.code), title=title, content=content, toc=[("compare", "与本县比较")] if comparison else [],
                        description=f"{title}（{place.province}）法治政府建设年度报告：未找到",
                        feed=TO_ROOT + county_path(place.province, place.county)[: -len("index.md")] + "feed.xml",
                        feed_title=f"{strip_format_characters(place.county)}新增和修订的报告")


Medians = dict[tuple[str, str, str], tuple[float, int]]  # (indicator, year, unit) → (the county's median, its townships)


def _against_county(rows: list[Row], observations: list[Row], values: list[Row] | None, medians: Medians) -> str:
    """Each indicator of the township's latest year with it, beside its county's median over the
    townships that reported it (one report per township); a median of one township is its own."""
    cells = _counted(rows, observations, values)
    lines = []
    for key in INDICATOR_KEYS:
        if key not in cells:
            continue
        year, o = max(cells[key].items(), key=lambda item: str(item[0]))
        found = medians.get((key, str(year), o["unit"]))
        if found is None or found[1] < 2:
            continue
        median, n = found
        lines.append([f'<a href="#{figure_anchor(key, year)}">{html_text(INDICATOR_LABELS.get(key, key))}</a>', html_text(year),
                      html_text(format_value(o["value"], o["qualifier"], o["unit"])), html_text(format_value(median, unit=o["unit"])), str(n), html_text(o["unit"])])
    if not lines:
        return ""
    return ("<p>本乡镇最近一个年度的数字，与同一年度本县报告了该数字的乡镇的中位数（每个乡镇计一份报告）相比。数字的多少与乡镇人口和规模有关，"
            "不代表工作好坏。</p>" + _cells_table(["指标", "年度", "本乡镇", "全县中位数", "报告的乡镇数", "单位"], lines, numeric=(2, 3, 4)))


def render_township(place: Place, rows: list[Row], observations: list[Row], flags: dict[str, list[Row]], texts: dict[str, str],
                    summary: list[str], values: list[Row] | None = None, comparison: str = "", medians: Medians | None = None) -> TownshipPage:
    """A township page: one line per report year first (who published, when, how many figures),
    then the reports, the figures (indicator × year), their evidence, flags and full texts."""
    crumbs = (f'<p><a href="{TO_ROOT}{html_text(province_path(place.province)[:-8])}">{html_text(place.province)}</a> › '
              f'<a href="{TO_ROOT}{html_text(county_path(place.province, place.county)[:-8])}">{html_text(place.county)}</a>'
              f" · 区划代码 {html_text(place.code)}</p>")
    title = page_title(place)
    lines = "".join(f"<li>{line}</li>" for line in summary)  # built from escaped parts (accountability.year_lines)
    if not rows:
        return _township_without_reports(place, crumbs, lines, comparison)
    toc = [("reports", "报告"), ("figures", "指标"), ("evidence", "原文依据")]
    out = [_heading(1, "top", title), crumbs,
           f'<ul class="fazhi-years" aria-label="各年度发布情况">{lines}</ul>',
           f'<p class="fazhi-rule"><a href="{TO_ROOT}methodology/#deadline">按时</a>：报告年度次年4月1日前在政府网站发布。</p>',
           _heading(2, "reports", "报告"), _report_table(rows),
           _heading(2, "figures", "指标"),
           "<p>数值后的符号：≥ 表示原文为“余/多/以上”，≈ 表示“近/约/左右”。点击数字可看到它出自原文的哪一句话。</p>",
           _figure_table(rows, observations, values)]
    comparison += _against_county(rows, observations, values, medians or {})
    if comparison:
        toc.insert(2, ("compare", "与本县比较"))
        out += [_heading(2, "compare", "与本县比较"), comparison]
    trends = _trends(rows, observations, values)
    if trends:
        toc.insert(2, ("trends", "趋势"))
        out += [_heading(2, "trends", "趋势"), trends]
    out += [_heading(2, "evidence", "原文依据"), _evidence(rows, observations, values)]
    report_flags = [(r, f) for r in rows for f in flags.get(r["report_id"], [])]
    if report_flags:
        toc.append(("flags", "一致性提示"))
        out += [_heading(2, "flags", "一致性提示"), "<ul>"]
        out += [f"<li>{html_text(r.get('year'))}年度：{html_text(flag_sentence(str(f.get('code', '')), str(f.get('detail', ''))))}</li>" for r, f in report_flags]
        out.append("</ul>")
    toc.append(("fulltext", "报告全文"))
    out.append(_heading(2, "fulltext", "报告全文"))
    # The texts are not inlined (5.8 GB of township pages at 40,000 × 5, issue 32): each is read in
    # the archive's viewer, from its county's bundle (sitegen.archive), its figures marked.
    out.append('<ul class="fazhi-fulltext">' + "".join(
        f'<li><a href="{TO_ROOT}{html_text(archive_html_path(r))}">{html_text(r.get("title") or "报告")}（{html_text(r.get("year") or "")}）</a>'
        f'（{len(texts.get(r["report_id"], ""))} 字）</li>' for r in sorted(rows, key=lambda r: r.get("year") or 0, reverse=True)) + "</ul>")
    out.append(_citation(title, place))
    latest = next((line for line in summary if "未找到" not in line), summary[0] if summary else "")
    # Plain text (the theme puts page.meta.description into an attribute unescaped: sitegen.townships escapes it).
    description = html.unescape(re.sub(r"<[^>]+>", "", f"{html_text(title)}（{html_text(place.province)}）法治政府建设年度报告：{latest}"))
    return TownshipPage(url=township_url(place.code), title=title, content="\n".join(out), toc=toc, description=description,
                        feed=TO_ROOT + county_path(place.province, place.county)[: -len("index.md")] + "feed.xml",
                        feed_title=f"{strip_format_characters(place.county)}新增和修订的报告")


def _citation(title: str, place: Place) -> str:
    """How to cite the page, shown in print. The release's version is not written into the page
    (a page unchanged since the last release is reused as it is): the site's release.css, rewritten
    by every build, fills it in (``.fazhi-version``)."""
    site = os.environ.get("FAZHI_SITE_URL", "")  # part of build_id: a new address renders every page again
    where = f"{site.rstrip('/')}/{township_url(place.code)}" if site else township_url(place.code)
    return (f'<p class="fazhi-cite">引用：法治地图 Fazhi Atlas，“{html_text(title)}”乡镇页面，{html_text(where)}，'
            '<span class="fazhi-version">数据集版本见“数据下载”页。</span></p>')


def _report_table(rows: list[Row]) -> str:
    # fazhi-cards: on a phone each report is a card, every cell labelled (data-label), nothing off-screen.
    out = ['<div class="fazhi-reports fazhi-cards"><table><thead><tr><th>年份</th><th>标题</th><th>类型</th><th>发布日期</th><th>是否按时</th><th>来源</th></tr></thead><tbody>']
    for r in sorted(rows, key=lambda r: (r.get("year") or 0, r["report_id"]), reverse=True):
        on_time = {"true": "按时", "false": "逾期（4月1日后）"}.get(str(r.get("on_time")).lower(), "—")
        url = safe_url(r.get("url"))
        link = ((f'<a href="{url}" rel="nofollow noopener">原网页</a> · ' if url else "") + f'<a href="{TO_ROOT}{html_text(archive_html_path(r))}">存档全文（标出数字）</a>')
        status = "（已撤下）" if r.get("status") == "withdrawn" else ""
        out.append(
            f'<tr><td data-label="年份">{html_text(r.get("year") or "—")}</td><td data-label="标题">{html_text(r.get("title"))}{status}</td>'
            f'<td data-label="类型">{KIND_LABELS.get(r.get("kind", ""), "其他")}</td>'
            f'<td data-label="发布日期">{html_text(r.get("published_on") or "—")}</td><td data-label="是否按时">{on_time}</td><td data-label="来源">{link}</td></tr>'
        )
    return "".join(out) + "</tbody></table></div>"


def _counted(rows: list[Row], observations: list[Row], values: list[Row] | None = None) -> dict[str, dict[Any, Row]]:
    """Indicator → year → the year's value: its row of values.csv when the release has one,
    else the counted (canonical) mention of observations.csv."""
    year_of = {r["report_id"]: r.get("year") for r in rows}
    cells: dict[str, dict[Any, Row]] = defaultdict(dict)
    for o in observations if values is None else values:
        if (values is not None or o["canonical"] == "true") and year_of.get(o["report_id"]):
            cells[o["indicator"]].setdefault(year_of[o["report_id"]], o)
    return cells


def _figure_table(rows: list[Row], observations: list[Row], values: list[Row] | None = None) -> str:
    """Indicator × year; each value links to its evidence row (quote, permalink) below."""
    cells = _counted(rows, observations, values)
    if not cells:
        return "<p>本乡镇的报告中暂未提取到数字。</p>"
    years = sorted({y for by_year in cells.values() for y in by_year})
    out = ['<div class="fazhi-figures"><table>', "<thead><tr><th>指标</th>" + "".join(f"<th>{html_text(y)}</th>" for y in years) + "</tr></thead>", "<tbody>"]
    for key in INDICATOR_KEYS:
        if key not in cells:
            continue
        row = f'<tr><td><a href="{TO_ROOT}indicators/{key}/">{html_text(INDICATOR_LABELS[key])}</a></td>'
        for year in years:
            o = cells[key].get(year)
            row += (
                f'<td><a class="fazhi-figure" href="#{figure_anchor(key, year)}" title="{html_text(o["quote"])}">'
                f'{html_text(format_value(o["value"], o["qualifier"], o["unit"]))}</a>'
                f' <small>{html_text(o["unit"] if o["unit"] != "%" else "")}</small>{_ocr_note(o)}</td>'
                if o
                else "<td>—</td>"
            )
        out.append(row + "</tr>")
    out += ["</tbody>", "</table></div>"]
    return "".join(out)


def _ocr_note(row: Row) -> str:
    """Beside a figure read from a scan: OCR may misread a digit, so the reader checks the original."""
    if OCR_FLAG not in str(row.get("flag_codes") or row.get("flags") or "").split(";"):
        return ""
    return ' <small class="fazhi-ocr" title="该报告为扫描件，文字由OCR识别，数字可能有误识，请核对原文">（OCR识别）</small>'


def _trends(rows: list[Row], observations: list[Row], values: list[Row] | None = None) -> str:
    """Each indicator the township reported in two years or more, as a small chart across those
    years (a year between them without the figure shows 无); the figure table above holds the same
    numbers as text."""

    charts = []
    counted = _counted(rows, observations, values)
    for key in INDICATOR_KEYS:
        by_year = counted.get(key, {})
        years = sorted(int(y) for y in by_year if str(y).isdigit())
        if len(years) < 2:
            continue
        cells = {int(y): o for y, o in by_year.items() if str(y).isdigit()}
        units = {cells[y]["unit"] for y in years}
        if len(units) > 1:  # never one chart of 68 课时 beside 2 次
            continue
        points = [(y, float(cells[y]["value"]), cells[y]["qualifier"]) if y in cells else (y, None, "") for y in range(years[0], years[-1] + 1)]
        charts.append(trend_chart(INDICATOR_LABELS.get(key, key), units.pop(), points))
    if not charts:
        return ""
    return ('<p>本乡镇在两个以上年度报告了的指标，各年度的数值（条形高度按该指标的最大值缩放；“无”表示该年度报告中没有这个数字）。</p>'
            f'<div class="fazhi-trends">{"".join(charts)}</div>')


BASIS_LABELS = {"stated_total": "报告写明的全年总数", "sum_of_parts": "报告所列各分项之和", "single_mention": "报告中唯一的一处提及"}


def _evidence(rows: list[Row], observations: list[Row], values: list[Row] | None = None) -> str:
    """One row per counted figure (anchor, permalink, the quote shown, not hidden in a tooltip),
    the report's other mentions of that indicator apart beneath it."""
    year_of = {r["report_id"]: r.get("year") for r in rows}
    report_of = {r["report_id"]: r for r in rows}
    counted = _counted(rows, observations, values)
    if not counted:
        return "<p>无。</p>"
    others: dict[tuple[str, Any], list[Row]] = defaultdict(list)
    for o in observations:
        if o["canonical"] != "true":
            others[(o["indicator"], year_of.get(o["report_id"]))].append(o)
    items = []
    for key in INDICATOR_KEYS:
        for year, o in sorted(counted.get(key, {}).items(), key=lambda item: str(item[0]), reverse=True):
            anchor = figure_anchor(key, year)
            unit = o["unit"] if o["unit"] != "%" else ""
            item = (f'<li id="{anchor}" class="fazhi-evidence__counted"><p><strong>{html_text(INDICATOR_LABELS.get(key, key))}</strong>'
                    f" {html_text(year)}年度：{html_text(format_value(o['value'], o['qualifier'], o['unit']))} {html_text(unit)}"
                    f' <span class="fazhi-counted">计入</span> <a class="headerlink" href="#{anchor}" title="本数字的链接">&para;</a></p>'
                    f'<blockquote class="fazhi-quote">“{html_text(o["quote"])}”</blockquote>'
                    f'<p class="fazhi-source">{_in_text(report_of, o, "在原文中查看这句话")}</p>')
            if o.get("basis") in BASIS_LABELS:
                item += f'<p class="fazhi-basis">计入方式：{BASIS_LABELS[o["basis"]]}</p>'
            extra = others.get((key, year), [])
            if extra:
                item += ('<details class="fazhi-mentions"><summary>报告中另有 ' + str(len(extra)) + " 处提及（未计入）</summary><ul>"
                         + "".join(f"<li>{html_text(format_value(m['value'], m['qualifier'], m['unit']))} {html_text(m['unit'] if m['unit'] != '%' else '')}："
                                   f"“{html_text(m['quote'])}” {_in_text(report_of, m, '原文')}</li>" for m in extra) + "</ul></details>")
            items.append(item + "</li>")
    return f'<ol class="fazhi-evidence">{"".join(items)}</ol>'


def _in_text(report_of: dict[str, Row], mention: Row, label: str) -> str:
    """A link to the mention's sentence, highlighted in its report's archived text."""
    report = report_of.get(mention["report_id"])
    if report is None:
        return ""
    return f'<a href="{TO_ROOT}{html_text(archive_html_path(report))}#{quote_anchor(mention)}">{label}</a>'


CHART_BARS = 30  # the largest values; a chart of 40,000 bars is a picture of nothing
TABLE_ROWS = 500  # an indicator page lists at most this many rows (the largest values): 200,000 rows
# would make a 60 MB page; the full table is indicators.csv in every release


def _cells_table(header: list[str], rows: list[list[str]], *, sortable: bool = False, numeric: tuple[int, ...] = ()) -> str:
    """A raw-HTML table whose cells carry their column's name (``data-label``): on a phone each
    row becomes a card ("数值 157") instead of a table wider than the screen (fazhi.css). Cells
    are already escaped."""
    align = [' class="fazhi-num"' if i in numeric else "" for i in range(len(header))]
    head = "".join(f'<th scope="col"{align[i]}>' + (f'<button type="button" class="fazhi-sort">{label}</button>' if sortable else label) + "</th>"
                   for i, label in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td{align[i]} data-label="{header[i]}">{c}</td>' for i, c in enumerate(row)) + "</tr>" for row in rows)
    wrapper = "fazhi-cards fazhi-sortable" if sortable else "fazhi-cards"
    return f'<div class="{wrapper}" data-search-exclude><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def indicator_year_path(key: str, year: str) -> str:
    """An indicator's page for one report year: indicators/<key>/<year>/ (the docs file)."""
    return f"indicators/{key}/{_path_part(year)}.md"


def _year_selector(key: str, years: list[str], current: str | None, to_indicator: str) -> str:
    """Plain links, one per report year (works with no script); ``to_indicator``: from this page's
    URL to the indicator's page (indicators/<key>/)."""
    links = []
    for year in sorted(years, reverse=True):
        if year == current:
            links.append(f'<a aria-current="page" href="{to_indicator}{html_text(year)}/"><strong>{html_text(year)}年度</strong></a>')
        else:
            links.append(f'<a href="{to_indicator}{html_text(year)}/">{html_text(year)}年度</a>')
    return f'<nav class="fazhi-year-nav" aria-label="选择年度" data-search-exclude>选择年度：{" · ".join(links)}</nav>' if links else ""


def _indicator_head(key: str) -> list[str]:
    row = BY_KEY[key]
    return [
        f"指标代码 <code>{html_text(key)}</code> · 单位：{text('、'.join(row.units))} · 合理上限：{text(format_value(row.maximum))}"
        "（超过者保留并标记）", "",
    ]


def render_indicator(key: str, year_units: dict[str, dict[str, list[float]]]) -> str:
    """An indicator's page: what it counts, how it is read (the rules, kept out of search), and
    per report year and unit how many townships reported it, each year linking to its own page.
    Figures of different years or units are never put side by side (68 课时 beside 2 次)."""
    lines = [
        "---", f"description: {_front_matter(INDICATOR_LABELS[key])}：各乡镇法治政府建设年度报告中的数值，按年度、按单位分别比较，每个数值附原文。", "---", "",
        f"# {text(INDICATOR_LABELS[key])}", "", *_indicator_head(key), *render_definition(key),
        # Kept out of the search index (a search for 调解 would otherwise show regexes as snippets) and
        # folded: the rules are for those who check the extraction, the definition above for readers.
        '<details class="fazhi-rules" data-search-exclude><summary>提取规则（技术说明）</summary><p>数字前的说法（正则表达式）：'
        + "；".join(f"<code>{html_text(r.context or r.after or '')}</code>" for r in INDICATORS if r.key == key) + "。</p></details>", "",
        "每份报告取一个值：写明“共、累计、全年”的那一处，否则取最大值。各年度分页比较，同一页中不同单位的数字分开列出。", "",
    ]
    years = sorted(year_units, reverse=True)
    if not years:
        return "\n".join(lines + ["暂无数据。", ""])
    lines += [_year_selector(key, years, None, ""), ""]
    rows = []
    for year in years:
        # No sum here: a sum over every report would count a township twice (two portals, a 述法 report);
        # the year's page gives county totals over one report per township, with their coverage.
        for unit, (count, _) in sorted(year_units[year].items(), key=lambda item: -item[1][0]):
            rows.append([f'<a href="{html_text(year)}/">{html_text(year)}年度</a>', html_text(unit), str(int(count))])
    lines += [_cells_table(["年度", "单位", "数值个数"], rows, numeric=(2,)), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Citation:
    """How a page of one release is cited: the release's version and date, and the page's address
    (absolute when FAZHI_SITE_URL is set, else the path within the site)."""

    version: str
    released_on: str
    site_url: str = ""

    def where(self, path: str) -> str:
        return f"{self.site_url.rstrip('/')}/{path}" if self.site_url else path


@dataclass(frozen=True)
class RankedValue:
    """One value on an indicator-year page, with where it sits (which part of the page) and its rank
    among the townships' annual reports (0 for the parts apart)."""

    part: str  # "township" | "shufa" | "unplaced"
    rank: int
    value: Row  # its row of values.csv (or the counted mention of observations.csv)
    report: Row  # its report's row of reports.csv


PART_TITLES = {"township": "乡镇年度报告", "shufa": "述法报告中的数字（另列，不参与排序）",
               "unplaced": "未识别到乡镇的报告（另列，不参与排序）"}
PART_NOTES = {
    "township": "按数值从大到小排列；每个乡镇、每份报告一行。点击数值可跳到乡镇页面上这个数字的原文依据，点击“原文”可看到它在存档全文中的位置。",
    "shufa": "述法报告是领导干部个人述职述法的报告，其中的数字可能是个人履职情况，不一定是全乡镇的全年数，因此不与年度报告排在一起。",
    "unplaced": "这些报告未能对应到区划名录中的乡镇（街道），或属于县级、部门，没有乡镇页面；数值链接到存档全文中的原句。",
}


def rank_values(largest: list[Row], by_id: dict[str, Row], unit: str) -> list[RankedValue]:
    """The values of one unit, largest first, in three parts: townships' annual reports (ranked),
    述法 reports, and reports on no township page. Ties keep the county/township order."""
    found = []
    for o in largest:
        report = by_id.get(o["report_id"])
        if report is None or o["unit"] != unit:
            continue
        part = "unplaced" if not on_township_page(report) else "shufa" if report.get("kind") == "shufa" else "township"
        found.append((part, o, report))
    found.sort(key=lambda item: (-float(item[1]["value"]), item[2].get("county") or "", item[2].get("township") or ""))
    ranked, rank = [], 0
    for part, o, report in found:
        if part == "township":
            rank += 1
        ranked.append(RankedValue(part, rank if part == "township" else 0, o, report))
    return ranked


def indicator_year_csv_path(key: str, year: str) -> str:
    """The CSV of an indicator-year page's rows, beside the page's docs file."""
    return f"indicators/{key}/{_path_part(year)}.csv"


CSV_HEADER = ["名次", "类别", "乡镇", "区划代码", "县", "省", "报告类型", "数值", "限定", "单位", "原文", "报告编号", "乡镇页面", "原文存档"]
QUALIFIER_LABELS = {"exact": "确数", "at_least": "下限（余、多、以上）", "approx": "约数（近、约、左右）"}


def indicator_year_csv_rows(key: str, year: str, ranked: list[RankedValue], cite: Citation) -> list[list[str]]:
    """The page's rows for a spreadsheet: every cell as text a reader can check (the figure's
    anchor and archived sentence as full addresses when the site's address is known)."""
    rows = []
    for item in ranked:
        r, o = item.report, item.value
        page = cite.where(township_url(r["township_code"]) + "#" + figure_anchor(key, year)) if item.part != "unplaced" else ""
        rows.append([str(item.rank or ""), PART_TITLES[item.part].split("（")[0], r.get("township") or "", r.get("township_code") or "",
                     r.get("county") or "", r.get("province") or "", KIND_LABELS.get(r.get("kind") or "", "其他"), str(o["value"]),
                     QUALIFIER_LABELS.get(o.get("qualifier") or "", o.get("qualifier") or ""), o["unit"], o.get("quote") or "", r["report_id"],
                     page, cite.where(archive_html_path(r) + "#" + quote_anchor(o))])
    return rows


def _ranked_table(key: str, year: str, ranked: list[RankedValue]) -> str:
    """One part's rows: each value links to its figure's anchor on the township page (or, for a
    report on no township page, to its sentence in the archived text); the quote links there too."""
    up = "../../../"  # from indicators/<key>/<year>/ to the site's root
    rows = []
    for item in ranked:
        r, o = item.report, item.value
        sentence = f"{up}{html_text(archive_html_path(r))}#{quote_anchor(o)}"
        shown = html_text(format_value(o["value"], o["qualifier"], o["unit"]))
        township = html_text(r.get("township") or "—")
        if item.part == "unplaced":
            value = f'<a href="{sentence}">{shown}</a>'
        else:
            page = f"{up}{html_text(township_url(r['township_code']))}"
            township = f'<a href="{page}">{township}</a>'
            value = f'<a href="{page}#{figure_anchor(key, year)}">{shown}</a>'
        quote = f"“{html_text(o['quote'])}” <a href=\"{sentence}\">原文</a>"
        cells = ([str(item.rank)] if item.part == "township" else []) + [
            township, html_text(r.get("county") or "—"), html_text(r.get("province") or "—"), value, html_text(o["unit"]), quote]
        rows.append(cells)
    header = ["名次"] if ranked and ranked[0].part == "township" else []
    numeric = (0, 4) if header else (3,)
    return _cells_table([*header, "乡镇", "县", "省", "数值", "单位", "原文"], rows, sortable=True, numeric=numeric)


def render_definition(key: str) -> list[str]:
    """What the number counts and does not, in plain Chinese (sitegen.definitions)."""
    meaning = definition(key)
    return [f'<dl class="fazhi-definition" data-search-exclude><dt>这个数字计入</dt><dd>{html_text(meaning.counts)}</dd>'
            f"<dt>不计入</dt><dd>{html_text(meaning.excludes)}</dd></dl>", ""]


def render_citation(title: str, path: str, cite: Citation) -> str:
    """The citation line, on screen and in print. The release's version and date come from
    release.css (``.fazhi-cite-version``, rewritten by each build), not the page: a night that
    changed none of the indicator-year's values leaves its page's bytes as they were, so an
    incremental publish does not send every indicator page again for a new version number."""
    return (f'<p class="fazhi-cite-line">引用本页：法治地图 Fazhi Atlas，“{html_text(title)}”，'
            '<span class="fazhi-cite-version"><span class="fazhi-version">数据集版本见“数据下载”页</span></span>'
            f"，{html_text(cite.where(path))}。</p>")


def render_indicator_year(key: str, year: str, years: list[str], by_id: dict[str, Row], largest: list[Row], counts: dict[str, list[float]],
                          county_totals: dict[str, dict[tuple[str, str], list[Any]]], register_sizes: dict[tuple[str, str], int],
                          hold: Callable[[str], str] = lambda block: block, cite: Citation | None = None) -> str:
    """One indicator in one report year, for a journalist: what the number counts, then per unit
    the townships' annual reports ranked by value (largest first; a chart of the top), 述法 reports
    and reports with no township apart, and the county totals with their coverage ("15 个乡镇中
    12 个报告了该数字"); a CSV of the rows beside the table and a citation line. ``largest``: the
    year's largest values (sitegen.figures), ``counts``: unit → [values, sum]; ``county_totals``:
    unit → (province, county) → [sum, townships, any bound]; ``hold``: keeps a large HTML block out
    of Markdown (sitegen.blocks)."""

    label = INDICATOR_LABELS[key]
    cite = cite or Citation(version="—", released_on="—")
    title = f"{label}：{year}年度"
    lines = [
        "---", f"description: {_front_matter(label)}，{_front_matter(year)}年度：各乡镇的数值（从大到小）、各县合计及报告了该数字的乡镇比例。",
        # Not indexed (the indicator's own page is): the search plugin would parse 1,000 rows of tables it then leaves out.
        "search:", "  exclude: true", "---", "",
        f"# {text(label)}：{text(year)}年度", "", f"[{text(label)}](../{key}.md) › {text(year)}年度", "", *_indicator_head(key),
        *render_definition(key),
        _year_selector(key, years, year, "../"), "",
        f'<p class="fazhi-download"><a href="../{html_text(_path_part(year))}.csv" download>下载本页数据（CSV，{html_text(year)}年度）</a>'
        " · 全部数值见<a href=\"../../../downloads/\">数据下载</a>中的 values.csv</p>", "",
        render_citation(title, f"{indicator_year_path(key, year)[:-3]}/", cite), "",
    ]
    units = sorted(counts, key=lambda u: -counts[u][0])
    for unit in units:
        ranked = rank_values(largest, by_id, unit)
        total = int(counts[unit][0])
        lines += [f"## 单位：{text(unit)} {NOT_SEARCHED}", ""]
        placed = [item for item in ranked if item.part == "township"]
        chart_rows = placed[:CHART_BARS // 2]  # 15 bars: the chart stays within two screens of a phone
        caption = (f"数值最大的 {len(chart_rows)} 个乡镇（乡镇年度报告，共 {total} 个数值）" if total > len(chart_rows) else f"{len(chart_rows)} 个数值")
        if chart_rows:
            lines += [hold(bar_chart([(f"{item.report.get('township') or '—'}（{item.report.get('county') or '—'}）", float(item.value["value"]))
                                      for item in chart_rows], unit, f"{label}，{year}年度，单位 {unit}：{caption}")), ""]
        if total > len(ranked):
            lines += [f"共 {total} 个数值，下面列出最大的 {len(ranked)} 个；全部数值见[数据下载](../../downloads.md)中的 values.csv。", ""]
        for part in ("township", "shufa", "unplaced"):
            shown = [item for item in ranked if item.part == part]
            if not shown:
                continue
            lines += [f"### {text(PART_TITLES[part])}（{text(unit)}） {NOT_SEARCHED}", "", f"<p>{html_text(PART_NOTES[part])}</p>", "",
                      hold(_ranked_table(key, year, shown)), ""]
        totals = county_totals.get(unit, {})
        if totals:
            lines += [f"### 各县合计（{text(unit)}） {NOT_SEARCHED}", "",
                      "每个乡镇计一份报告；“≥”表示合计中含有“余、多、以上”等下限值或约数。未报告该数字的乡镇不计入合计，请对照覆盖比例阅读。", ""]
            county_rows = []
            for (province, county), (amount, reported, bound) in sorted(totals.items(), key=lambda item: (-item[1][1], item[0])):
                size = register_sizes.get((province, county))
                coverage = f"{size} 个乡镇中 {reported} 个报告了该数字" if size else f"{reported} 个乡镇报告了该数字（不在覆盖县名录中）"
                amount_shown = "—" if unit == "%" else ("≥" if bound else "") + format_value(amount)
                county_rows.append([html_text(county or UNKNOWN_COUNTY), html_text(province or UNKNOWN_PROVINCE), html_text(amount_shown), coverage])
            lines += [hold(_cells_table(["县", "省", "合计", "覆盖"], county_rows[:TABLE_ROWS], sortable=True, numeric=(2,))), ""]
    return "\n".join(lines)


def render_indicator_index(counts: dict[str, int]) -> str:
    """Every indicator with its number of canonical values."""
    lines = ["---", "description: 从乡镇法治政府建设年度报告中提取的各项指标及其报告数。", "---", "", "# 指标", "", "| 指标 | 代码 | 报告数 |", "|---|---|---:|"]
    lines += [f"| [{text(INDICATOR_LABELS[k])}]({k}.md) | `{k}` | {counts.get(k, 0)} |" for k in INDICATOR_KEYS]
    return "\n".join(lines) + "\n"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def render_downloads(manifests: list[Row], package: Row, archive_url: str | None = None) -> str:
    """Every release with its downloads, the schema of each file, and how to cite a version.

    The site carries every release's zip unless ``archive_url`` (a template with {version}) says
    where they are kept, and then links them all there, the latest included (a national zip, 1.4 GB,
    is more than GitHub Pages publishes). The release's single files are not republished: they are
    in the zip, each listed below with its fields; only the latest manifest.json and datapackage.json
    are carried (a night's new release would otherwise send every changed table again, issue 32).
    Links are raw HTML, relative to the page's URL (downloads/): the files are put into the built
    site after MkDocs, not copied through docs/."""
    latest = manifests[-1]["version"] if manifests else "—"
    lines = [
        "---", "description: 法治地图各版本数据集下载（CSV、JSON Lines）、字段说明与引用方式。", "---", "",
        "# 数据下载",
        "",
        "每个版本发布后不再改动；引用时请注明版本号。CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开。",
        "",
    ]
    # Cards on a phone (fazhi-cards): a seven-column table was 750 px wide at 390.
    releases = []
    for m in reversed(manifests):
        version = m["version"]
        zip_name = f"fazhi-{version}.zip"
        where = f"../downloads/{version}/{zip_name}" if archive_url is None else archive_url.format(version=version)
        releases.append([html_text(version), html_text(m.get("released_on") or m["created"][:10]), str(m["counts"]["reports"]), str(m["counts"]["observations"]),
                         f'<a href="{html_text(where)}">{html_text(zip_name)}</a> · <a href="../downloads/{html_text(version)}/CHANGELOG.txt">更新说明</a>',
                         _size(int(m.get("zip_bytes", 0))), f"<code>{html_text(m.get('zip_sha256', '')[:16])}</code>"])
    lines += [_cells_table(["版本", "日期", "报告", "数字", "下载", "大小", "sha256"], releases, numeric=(2, 3, 5)), ""]
    inside = [*(path for r in package.get("resources", []) for path in (r["path"] if isinstance(r.get("path"), list) else [r.get("path")])
                if isinstance(path, str)),
              *(name for name in (manifests[-1].get("files", {}) if manifests else {}) if name.endswith(".parquet"))]
    lines += ["", f"最新版本 {text(latest)} 的说明文件：" + " · ".join(
        f'<a href="../downloads/{html_text(latest)}/{name}">{name}</a>' for name in ("datapackage.json", "manifest.json")),
        "", "zip 中的文件：" + "、".join(f"<code>{html_text(name)}</code>" for name in inside) + "。", "", "## 文件与字段", ""]
    for resource in package.get("resources", []):
        shown = resource["path"] if isinstance(resource.get("path"), str) else "texts/<year>.jsonl.gz"
        lines += [f"### {text(shown)}", "", f'<p lang="en">{html_text(resource.get("description", ""))}</p>', ""]
        fields = [[f"<code>{html_text(f['name'])}</code>", html_text(f["type"]),
                   html_text(field_zh(str(f["name"])) or "（见英文说明）") + f'<br><small lang="en">{html_text(f.get("description", ""))}</small>']
                  for f in resource.get("schema", {}).get("fields", [])]
        lines += [_cells_table(["字段", "类型", "说明"], fields), ""]
    lines += [
        "## 如何引用",
        "",
        f"> 法治地图 Fazhi Atlas：乡镇法治政府建设年度报告数据集，版本 {text(latest)}。许可：CC BY 4.0。",
        "",
        *([f"> {text(manifests[-1]['citation'])}", ""] if manifests and manifests[-1].get("citation") else []),
        "请同时注明所用的版本号；每个版本的 `manifest.json` 列出了其中每个文件的 sha256，可用 `fazhi verify` 核对。",
        "",
    ]
    return "\n".join(lines)
