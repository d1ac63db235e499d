"""Release rows → Markdown pages. Pure: strings in, strings out.

Every string that came from a government site passes through ``text`` (inline Markdown) or
``html_text`` (inside raw HTML blocks) here, and only here: a title holding ``<script>`` or
``[x](javascript:…)`` must reach the reader as those characters, never as markup.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from parsers.indicators import BY_KEY, INDICATOR_KEYS, INDICATOR_LABELS, INDICATORS
from parsers.normalise import strip_format_characters

Row = dict[str, Any]
Key = tuple[str, str, str]  # (province, county, township)

KIND_LABELS = {
    "government_annual_report": "法治政府建设年度报告",
    "rule_of_law_work_report": "法治建设工作情况报告",
    "shufa": "述法报告",
    "work_summary": "工作总结",
    "unknown": "其他",
}
UNKNOWN_PROVINCE, UNKNOWN_COUNTY = "未识别省份", "未识别县"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|~>])")  # { } become entities instead (see text())


def html_text(value: Any) -> str:
    """Untrusted text for a raw-HTML context: every markup character escaped, and no format
    characters (a U+202E in a title would reverse the rest of the line it is shown in; releases
    cut before normalisation removed them may still hold some)."""
    return html.escape(strip_format_characters("" if value is None else str(value)), quote=True)


def text(value: Any) -> str:
    """Untrusted text for a Markdown context (paragraph or table cell): HTML-escaped, Markdown
    punctuation backslash-escaped, and no line breaks (they would end a table row)."""
    flat = re.sub(r"\s+", " ", strip_format_characters("" if value is None else str(value))).strip()
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True)).replace("{", "&#123;").replace("}", "&#125;")


def safe_url(url: Any) -> str | None:
    """Only http(s) links are ever emitted; anything else (javascript:, data:) is dropped."""
    value = str(url or "").strip()
    return html_text(value) if re.match(r"^https?://", value, re.IGNORECASE) else None


def format_value(value: Any, qualifier: str = "exact", unit: str = "") -> str:
    number = float(value)
    shown = f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"
    prefix = {"at_least": "≥", "approx": "≈"}.get(qualifier, "")
    return f"{prefix}{shown}{'%' if unit == '%' else ''}"


def _path_part(name: str) -> str:
    name = strip_format_characters(name)  # an invisible character would make a second, look-alike page
    return re.sub(r"[\\/:*?\"<>|#%\s.]", "_", name)


def relative(from_page: str, to_page: str) -> str:
    """A relative Markdown link between two docs/ paths (MkDocs resolves and checks them)."""
    up = from_page.count("/")
    return "../" * up + to_page


def township_key(row: Row) -> tuple[str, str, str]:
    return (row.get("province") or UNKNOWN_PROVINCE, row.get("county") or UNKNOWN_COUNTY, row["township"])


def group_townships(reports: Iterable[Row]) -> dict[tuple[str, str, str], list[Row]]:
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in reports:
        if row.get("township"):
            groups[township_key(row)].append(row)
    return dict(sorted(groups.items()))


def render_home(manifest: Row, changelog: str, townships: int, years: list[int], zip_path: str) -> str:
    counts = manifest["counts"]
    changes = [_change_line(line) for line in islice((line for line in changelog.splitlines() if line.startswith("- ")), 20)]
    span = f"{min(years)}–{max(years)}" if years else "—"
    lines = [
        "# 法治地图 Fazhi Atlas",
        "",
        "乡镇（街道）法治政府建设年度报告的公开数据集：每一份报告、每一个数字，以及它出自原文的哪一句话。",
        "",
        "| 乡镇 | 报告 | 年份 | 数字 |",
        "|---:|---:|:---:|---:|",
        f"| {townships} | {counts['reports']} | {span} | {counts['observations']} |",
        "",
        # Raw links: the release files are linked into the built site after MkDocs (no copy through docs/).
        f'<a class="md-button md-button--primary" href="{html_text(zip_path)}">下载最新数据 {html_text(manifest["version"])}</a>'
        f" [全部版本](downloads.md){{ .md-button }}",
        "",
        f"## 最近更新（{text(manifest['version'])}）",
        "",
    ]
    lines += [f"- {change}" for change in changes] or ["- 无"]
    lines += ["", "[浏览乡镇](townships/index.md) · [浏览指标](indicators/index.md) · [方法说明](methodology.md)", ""]
    return "\n".join(lines)


CHANGE_LABELS = {"added": "新增", "revised": "修订", "withdrawn": "撤下", "figure changed": "数字变化",
                 "figure changed by the rules": "数字变化（提取规则更新）", "identification changed by the rules": "识别变化（提取规则更新）"}


def _change_line(line: str) -> str:
    """A CHANGELOG line ("- added: title (township, year) `id`") for readers: Chinese label, no id."""
    kind, _, rest = line[2:].partition(": ")
    rest = re.sub(r"\s*`[0-9a-f]{16}`", "", rest)
    return f"{CHANGE_LABELS.get(kind, text(kind))}：{text(rest)}"


def province_path(province: str) -> str:
    return f"townships/{_path_part(province)}/index.md"


def county_path(province: str, county: str) -> str:
    return f"townships/{_path_part(province)}/{_path_part(county)}/index.md"


def _latest_year(rows: list[Row]) -> str:
    years = [int(r["year"]) for r in rows if r.get("year")]
    return str(max(years)) if years else "—"


def render_township_index(groups: dict[tuple[str, str, str], list[Row]]) -> str:
    """乡镇: provinces with their counts; each links to its page of counties."""
    by_province: dict[str, list[list[Row]]] = defaultdict(list)
    for (province, _, _), rows in groups.items():
        by_province[province].append(rows)
    lines = ["# 乡镇", "", f"共 {len(groups)} 个乡镇（街道），分布在 {len(by_province)} 个省级行政区。", "",
             "| 省级行政区 | 县级行政区 | 乡镇 | 报告 | 最新年份 |", "|---|---:|---:|---:|---:|"]
    for province, townships in by_province.items():
        counties = {r[0].get("county") or UNKNOWN_COUNTY for r in townships}
        reports = [r for rows in townships for r in rows]
        link = relative("townships/index.md", province_path(province))
        lines.append(f"| [{text(province)}]({link}) | {len(counties)} | {len(townships)} | {len(reports)} | {_latest_year(reports)} |")
    return "\n".join(lines) + "\n"


def _html_table(header: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """A raw-HTML table on one line: Markdown passes it through untouched (a Markdown table of
    300 townships cost 20 ms to convert, times 2,800 county pages). Cells are already escaped."""
    head = "".join(f'<th style="text-align:{align}">{label}</th>' for label, align in header)
    body = "".join("<tr>" + "".join(f'<td style="text-align:{align}">{cell}</td>' for cell, (_, align) in zip(row, header)) + "</tr>" for row in rows)
    return f"<div data-search-exclude><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def render_province(province: str, groups: dict[tuple[str, str, str], list[Row]]) -> str:
    """A province's counties; ``groups``: this province's townships (the caller groups once)."""
    here = province_path(province)
    by_county: dict[str, list[list[Row]]] = defaultdict(list)
    for (_, county, _), rows in groups.items():
        by_county[county].append(rows)
    table = []
    for county, townships in by_county.items():
        reports = [r for rows in townships for r in rows]
        link = _path_part(county) + "/"  # a subfolder of the province page's
        table.append([f'<a href="{html_text(link)}">{html_text(county)}</a>', str(len(townships)), str(len(reports)), _latest_year(reports)])
    header = [("县级行政区", "left"), ("乡镇", "right"), ("报告", "right"), ("最新年份", "right")]
    return "\n".join([f"# {text(province)}", "", f"[乡镇]({relative(here, 'townships/index.md')}) › {text(province)}", "",
                      _html_table(header, table), ""])


def render_county(province: str, county: str, groups: dict[tuple[str, str, str], list[Row]]) -> str:
    """A county's townships; ``groups``: this county's townships (the caller groups once)."""
    here = county_path(province, county)
    table = []
    for (_, _, township), rows in groups.items():
        link = _path_part(township) + "/"  # a subfolder of the county page's
        table.append([f'<a href="{html_text(link)}">{html_text(township)}</a>', str(len(rows)), _latest_year(rows)])
    header = [("乡镇", "left"), ("报告", "right"), ("最新年份", "right")]
    return "\n".join([f"# {text(county)}", "",
                      f"[乡镇]({relative(here, 'townships/index.md')}) › [{text(province)}]({relative(here, province_path(province))}) › {text(county)}", "",
                      _html_table(header, table), ""])


def archive_path(row: Row) -> str:
    """Where the site keeps the text of a report revision as published (plain text, never HTML)."""
    return f"archive/{row['report_id']}-{row['revision']}.txt"


def township_url(row: Row) -> str:
    """The township page's URL in the built site: townships/<province>/<county>/<township>/."""
    province = row.get("province") or UNKNOWN_PROVINCE
    county = row.get("county") or UNKNOWN_COUNTY
    return f"townships/{_path_part(province)}/{_path_part(county)}/{_path_part(row['township'])}/"


TO_ROOT = "../../../../"  # from a township page (townships/p/c/t/) to the site's root


@dataclass(frozen=True)
class TownshipPage:
    """A township page as HTML, ready for the theme's template: township pages are many (40,000)
    and all alike, so they skip Markdown and are rendered outside MkDocs' page loop (see
    sitegen.townships)."""

    url: str
    title: str
    content: str
    toc: list[tuple[str, str]]  # (id, heading) of each h2


def township_search_text(key: Key, rows: list[Row]) -> str:
    """What the search index gets of a township page: its names and years, never the full texts."""
    province, county, township = key
    years = "、".join(sorted({str(r["year"]) for r in rows if r.get("year")}))
    return f"{province} {county} {township} {years} 年度报告"


def township_search_html(key: Key, rows: list[Row]) -> str:
    return f'<h1 id="top">{html_text(key[2])}</h1><p>{html_text(township_search_text(key, rows))}</p>'


def _heading(level: int, anchor: str, title: str) -> str:
    return f'<h{level} id="{anchor}">{html_text(title)}<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a></h{level}>'


def render_township(key: tuple[str, str, str], rows: list[Row], observations: list[Row], flags: dict[str, list[Row]], texts: dict[str, str]) -> TownshipPage:
    province, county, township = key
    adcode = next((r["adcode"] for r in rows if r.get("adcode")), None)
    crumbs = (f'<p><a href="../../">{html_text(province)}</a> › <a href="../">{html_text(county)}</a>'
              + (f" · 区划代码 {html_text(adcode)}" if adcode else "") + "</p>")
    toc = [("reports", "报告"), ("figures", "指标")]
    out = [_heading(1, "top", township), crumbs, _heading(2, "reports", "报告"), _report_table(rows),
           _heading(2, "figures", "指标"),
           "<p>数值后的符号：≥ 表示原文为“余/多/以上”，≈ 表示“近/约/左右”。将鼠标停在数字上可看到原文。</p>",
           _figure_table(rows, observations), _heading(3, "evidence", "原文依据"), "<ul>"]
    for o in observations:
        label = INDICATOR_LABELS.get(o["indicator"], o["indicator"])
        mark = "" if o["canonical"] == "true" else "（另一处提及）"
        out.append(f"<li><strong>{html_text(label)}</strong> {html_text(format_value(o['value'], o['qualifier'], o['unit']))}"
                   f" {html_text(o['unit'] if o['unit'] != '%' else '')}{mark}：“{html_text(o['quote'])}”</li>")
    out.append("</ul>")
    report_flags = [(r, f) for r in rows for f in flags.get(r["report_id"], [])]
    if report_flags:
        toc.append(("flags", "一致性提示"))
        out += [_heading(2, "flags", "一致性提示"), "<ul>"]
        out += [f"<li>{html_text(r.get('year'))} <code>{html_text(f['code'])}</code>：{html_text(f['detail'])}</li>" for r, f in report_flags]
        out.append("</ul>")
    toc.append(("fulltext", "报告全文"))
    out.append(_heading(2, "fulltext", "报告全文"))
    for r in sorted(rows, key=lambda r: r.get("year") or 0, reverse=True):
        paragraphs = "".join(f"<p>{html_text(p)}</p>" for p in texts.get(r["report_id"], "").split("\n") if p)
        out.append(f'<details class="fazhi-fulltext"><summary>{html_text(r.get("title") or "报告")}（{html_text(r.get("year") or "")}）</summary>'
                   f'<div class="fazhi-text">{paragraphs}</div></details>')
    return TownshipPage(url=township_url(rows[0]), title=strip_format_characters(township), content="\n".join(out), toc=toc)


def _report_table(rows: list[Row]) -> str:
    out = ["<table><thead><tr><th>年份</th><th>标题</th><th>类型</th><th>发布日期</th><th>是否按时</th><th>来源</th></tr></thead><tbody>"]
    for r in sorted(rows, key=lambda r: (r.get("year") or 0, r["report_id"]), reverse=True):
        on_time = {"true": "按时", "false": "逾期（4月1日后）"}.get(str(r.get("on_time")).lower(), "—")
        url = safe_url(r.get("url"))
        link = (f'<a href="{url}" rel="nofollow noopener">原网页</a> · ' if url else "") + f'<a href="{TO_ROOT}{archive_path(r)}">存档</a>'
        status = "（已撤下）" if r.get("status") == "withdrawn" else ""
        out.append(
            f"<tr><td>{html_text(r.get('year') or '—')}</td><td>{html_text(r.get('title'))}{status}</td><td>{KIND_LABELS.get(r.get('kind', ''), '其他')}</td>"
            f"<td>{html_text(r.get('published_on') or '—')}</td><td>{on_time}</td><td>{link}</td></tr>"
        )
    return "".join(out) + "</tbody></table>"


def _figure_table(rows: list[Row], observations: list[Row]) -> str:
    """Indicator × year; each value's quote in its tooltip and in the evidence list below."""
    year_of = {r["report_id"]: r.get("year") for r in rows}
    cells: dict[str, dict[Any, Row]] = defaultdict(dict)
    for o in observations:
        if o["canonical"] == "true" and year_of.get(o["report_id"]):
            cells[o["indicator"]].setdefault(year_of[o["report_id"]], o)
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
                f'<td><span class="fazhi-figure" title="{html_text(o["quote"])}">{html_text(format_value(o["value"], o["qualifier"], o["unit"]))}</span>'
                f' <small>{html_text(o["unit"] if o["unit"] != "%" else "")}</small></td>'
                if o
                else "<td>—</td>"
            )
        out.append(row + "</tr>")
    out += ["</tbody>", "</table></div>"]
    return "".join(out)


CHART_BARS = 30  # the largest values; a chart of 40,000 bars is a picture of nothing
TABLE_ROWS = 500  # an indicator page lists at most this many rows (the largest values): 200,000 rows
# would make a 60 MB page; the full table is indicators.csv in every release


def render_chart(points: list[tuple[str, float]], unit: str, total: int | None = None) -> str:
    """A static SVG bar chart (no script, nothing fetched): the largest values, labelled.
    ``total``: how many values there are when ``points`` holds only the largest."""
    top = sorted(points, key=lambda p: p[1], reverse=True)[:CHART_BARS]
    total = len(points) if total is None else total
    if not top:
        return ""
    width, bar, gap, label_w = 640, 16, 6, 190
    peak = max(v for _, v in top) or 1.0
    height = len(top) * (bar + gap) + gap
    rows = []
    for i, (label, value) in enumerate(top):
        y = gap + i * (bar + gap)
        w = max(1.0, (width - label_w - 90) * value / peak)
        rows.append(
            f'<text x="{label_w - 6}" y="{y + bar - 4}" text-anchor="end">{html_text(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" rx="2"></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar - 4}">{html_text(format_value(value, unit=unit))}</text>'
        )
    title = f"数值最大的 {len(top)} 个乡镇·年份" if total > len(top) else "各乡镇·年份的数值"
    return (
        f'<figure class="fazhi-chart" data-search-exclude><svg viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg><figcaption>{html_text(title)}</figcaption></figure>'
    )


def render_indicator(key: str, by_id: dict[str, Row], largest: list[Row], total: int) -> str:
    """An indicator's page: ``largest``, its largest canonical values (at least the chart's and
    the table's worth, largest first), of ``total`` (sitegen.figures finds them in one pass)."""
    row = BY_KEY[key]
    lines = [
        f"# {text(INDICATOR_LABELS[key])}", "",
        f"指标代码 <code>{html_text(key)}</code> · 单位：{text('、'.join(row.units))} · 合理上限：{text(format_value(row.maximum))}"
        "（超过者保留并标记）", "",
        "提取规则（数字前的说法，正则表达式）："
        + "；".join(f"<code>{html_text(r.context or r.after or '')}</code>" for r in INDICATORS if r.key == key) + "。", "",
        "每份报告取一个值：写明“共、累计、全年”的那一处，否则取最大值。点击表头可排序。", "",
    ]
    chart = render_chart([(f"{by_id[o['report_id']].get('township') or '—'} {by_id[o['report_id']].get('year') or ''}", float(o["value"]))
                          for o in largest[:CHART_BARS]], largest[0]["unit"] if largest else "", total=total)
    if chart:
        lines += [chart, ""]
    shown = largest[:TABLE_ROWS]
    if total > TABLE_ROWS:
        lines += [f"共 {total} 个数值，下表列出最大的 {TABLE_ROWS} 个；全部数值见[数据下载](../downloads.md)中的 indicators.csv。", ""]
    lines += ['<div class="fazhi-sortable" markdown="1" data-search-exclude>', "", "| 乡镇 | 县 | 省 | 年份 | 数值 | 原文 |", "|---|---|---|---:|---:|---|"]
    for o in sorted(shown, key=lambda o: (by_id[o["report_id"]].get("township") or "", by_id[o["report_id"]].get("year") or "")):
        r = by_id[o["report_id"]]
        township = text(r.get("township") or "—")
        if r.get("township"):
            township = f'<a href="../../{html_text(township_url(r))}">{township}</a>'  # from indicators/<key>/
        lines.append(
            f"| {township} | {text(r.get('county') or '—')} | {text(r.get('province') or '—')} | {text(r.get('year') or '—')} |"
            f" {text(format_value(o['value'], o['qualifier'], o['unit']))} | {text(o['quote'])} |"
        )
    if not largest:
        lines.append("| — | — | — | — | — | 暂无数据 |")
    lines += ["", "</div>", ""]
    return "\n".join(lines)


def render_indicator_index(counts: dict[str, int]) -> str:
    """Every indicator with its number of canonical values."""
    lines = ["# 指标", "", "| 指标 | 代码 | 报告数 |", "|---|---|---:|"]
    lines += [f"| [{text(INDICATOR_LABELS[k])}]({k}.md) | `{k}` | {counts.get(k, 0)} |" for k in INDICATOR_KEYS]
    return "\n".join(lines) + "\n"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def render_downloads(manifests: list[Row], package: Row, archive_url: str | None = None) -> str:
    """Every release with its downloads, the schema of each file, and how to cite a version.

    The site carries the latest release's zip; older zips too unless ``archive_url`` (a template
    with {version}) says where they are kept. Links are raw HTML, relative to the page's URL
    (downloads/): the files are linked into the built site after MkDocs, not copied through docs/."""
    latest = manifests[-1]["version"] if manifests else "—"
    lines = [
        "# 数据下载",
        "",
        "每个版本发布后不再改动；引用时请注明版本号。CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开。",
        "",
        "| 版本 | 日期 | 报告 | 数字 | 下载 | 大小 | sha256 |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for m in reversed(manifests):
        version = m["version"]
        zip_name = f"fazhi-{version}.zip"
        where = f"../downloads/{version}/{zip_name}" if version == latest or archive_url is None else archive_url.format(version=version)
        lines.append(
            f"| {text(version)} | {text(m['created'][:10])} | {m['counts']['reports']} | {m['counts']['observations']} |"
            f' <a href="{html_text(where)}">{html_text(zip_name)}</a> · <a href="../downloads/{html_text(version)}/CHANGELOG.txt">更新说明</a> |'
            f" {_size(int(m.get('zip_bytes', 0)))} | <code>{html_text(m.get('zip_sha256', '')[:16])}</code> |"
        )
    lines += ["", f"最新版本 {text(latest)} 的单个文件：" + " · ".join(
        f'<a href="../downloads/{html_text(latest)}/{name}">{name}</a>'
        for name in ["reports.csv", "observations.csv", *(r["path"] for r in package.get("resources", []) if r.get("path") == "values.csv"),
                     "indicators.csv", "reports.jsonl", "datapackage.json", "manifest.json"]
    ), "", "## 文件与字段", ""]
    for resource in package.get("resources", []):
        lines += [f"### {text(resource['path'])}", "", text(resource.get("description", "")), "", "| 字段 | 类型 | 说明 |", "|---|---|---|"]
        lines += [f"| <code>{html_text(f['name'])}</code> | {text(f['type'])} | {text(f.get('description', ''))} |" for f in resource.get("schema", {}).get("fields", [])]
        lines.append("")
    lines += [
        "## 如何引用",
        "",
        f"> 法治地图 Fazhi Atlas：乡镇法治政府建设年度报告数据集，版本 {text(latest)}。许可：CC BY 4.0。",
        "",
        "请同时注明所用的版本号；每个版本的 `manifest.json` 列出了其中每个文件的 sha256，可用 `fazhi verify` 核对。",
        "",
    ]
    return "\n".join(lines)
