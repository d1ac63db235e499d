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
from typing import Any

from parsers.indicators import INDICATOR_KEYS, INDICATOR_LABELS

Row = dict[str, Any]

KIND_LABELS = {
    "government_annual_report": "法治政府建设年度报告",
    "rule_of_law_work_report": "法治建设工作情况报告",
    "shufa": "述法报告",
    "work_summary": "工作总结",
    "unknown": "其他",
}
UNKNOWN_PROVINCE, UNKNOWN_COUNTY = "未识别省份", "未识别县"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def html_text(value: Any) -> str:
    """Untrusted text for a raw-HTML context: every markup character escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def text(value: Any) -> str:
    """Untrusted text for a Markdown context (paragraph or table cell): HTML-escaped, Markdown
    punctuation backslash-escaped, and no line breaks (they would end a table row)."""
    flat = re.sub(r"\s+", " ", "" if value is None else str(value)).strip()
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


def place_path(row: Row) -> str:
    """The township page's path in docs/: townships/<province>/<county>/<township>.md."""
    province = row.get("province") or UNKNOWN_PROVINCE
    county = row.get("county") or UNKNOWN_COUNTY
    return f"townships/{_path_part(province)}/{_path_part(county)}/{_path_part(row['township'])}.md"


def _path_part(name: str) -> str:
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
    changes = [_change_line(line) for line in changelog.splitlines() if line.startswith("- ")][:20]
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
        f"[下载最新数据 {text(manifest['version'])}]({zip_path}){{ .md-button .md-button--primary }}"
        f" [全部版本](downloads.md){{ .md-button }}",
        "",
        f"## 最近更新（{text(manifest['version'])}）",
        "",
    ]
    lines += [f"- {change}" for change in changes] or ["- 无"]
    lines += ["", "[浏览乡镇](townships/index.md) · [浏览指标](indicators/index.md) · [方法说明](methodology.md)", ""]
    return "\n".join(lines)


CHANGE_LABELS = {"added": "新增", "revised": "修订", "withdrawn": "撤下", "figure changed": "数字变化"}


def _change_line(line: str) -> str:
    """A CHANGELOG line ("- added: title (township, year) `id`") for readers: Chinese label, no id."""
    kind, _, rest = line[2:].partition(": ")
    rest = re.sub(r"\s*`[0-9a-f]{16}`", "", rest)
    return f"{CHANGE_LABELS.get(kind, text(kind))}：{text(rest)}"


def render_township_index(groups: dict[tuple[str, str, str], list[Row]]) -> str:
    lines = ["# 乡镇", "", f"共 {len(groups)} 个乡镇（街道）。", ""]
    by_province: dict[str, dict[str, list[tuple[str, list[Row]]]]] = defaultdict(lambda: defaultdict(list))
    for (province, county, township), rows in groups.items():
        by_province[province][county].append((township, rows))
    for province, counties in by_province.items():
        lines += [f"## {text(province)}", ""]
        for county, townships in counties.items():
            lines += [f"### {text(county)}", "", "| 乡镇 | 报告数 | 最新年份 |", "|---|---:|---:|"]
            for township, rows in townships:
                years = [int(r["year"]) for r in rows if r.get("year")]
                link = relative("townships/index.md", place_path(rows[0]))
                lines.append(f"| [{text(township)}]({link}) | {len(rows)} | {max(years) if years else '—'} |")
            lines.append("")
    return "\n".join(lines)


def _report_table(rows: list[Row]) -> list[str]:
    lines = ["| 年份 | 标题 | 类型 | 发布日期 | 是否按时 | 来源 |", "|---:|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r.get("year") or 0, r["report_id"]), reverse=True):
        on_time = {"true": "按时", "false": "逾期"}.get(str(r.get("on_time")).lower(), "—")
        url = safe_url(r.get("url"))
        link = f"[原文]({url})" if url else "—"
        status = "（已撤下）" if r.get("status") == "withdrawn" else ""
        lines.append(
            f"| {text(r.get('year') or '—')} | {text(r.get('title'))}{status} | {KIND_LABELS.get(r.get('kind', ''), '其他')} |"
            f" {text(r.get('published_on') or '—')} | {on_time} | {link} |"
        )
    return lines


def _figure_table(rows: list[Row], observations: list[Row]) -> list[str]:
    """Indicator × year; each value's quote in its tooltip and in the evidence list below."""
    year_of = {r["report_id"]: r.get("year") for r in rows}
    cells: dict[str, dict[Any, Row]] = defaultdict(dict)
    for o in observations:
        if o["canonical"] == "true" and year_of.get(o["report_id"]):
            cells[o["indicator"]].setdefault(year_of[o["report_id"]], o)
    if not cells:
        return ["本乡镇的报告中暂未提取到数字。"]
    years = sorted({y for by_year in cells.values() for y in by_year})
    out = ['<div class="fazhi-figures" markdown="0"><table>', "<thead><tr><th>指标</th>" + "".join(f"<th>{html_text(y)}</th>" for y in years) + "</tr></thead>", "<tbody>"]
    for key in INDICATOR_KEYS:
        if key not in cells:
            continue
        row = f'<tr><td><a href="{relative_html(key)}">{html_text(INDICATOR_LABELS[key])}</a></td>'
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
    return out


def relative_html(indicator: str) -> str:
    """Link from a township page (townships/p/c/t/ once built) to an indicator page."""
    return f"../../../../indicators/{indicator}/"


def render_township(key: tuple[str, str, str], rows: list[Row], observations: list[Row], flags: dict[str, list[Row]], texts: dict[str, str]) -> str:
    province, county, township = key
    adcode = next((r["adcode"] for r in rows if r.get("adcode")), None)
    lines = [
        f"# {text(township)}",
        "",
        f"{text(province)} · {text(county)}" + (f" · 区划代码 {text(adcode)}" if adcode else ""),
        "",
        "## 报告", "",
        *_report_table(rows),
        "",
        "## 指标", "",
        "数值后的符号：≥ 表示原文为“余/多/以上”，≈ 表示“近/约/左右”。将鼠标停在数字上可看到原文。",
        "",
        *_figure_table(rows, observations),
        "",
        "### 原文依据", "",
    ]
    for o in observations:
        label = INDICATOR_LABELS.get(o["indicator"], o["indicator"])
        mark = "" if o["canonical"] == "true" else "（另一处提及）"
        lines.append(f"- **{text(label)}** {text(format_value(o['value'], o['qualifier'], o['unit']))} {text(o['unit'] if o['unit'] != '%' else '')}{mark}：“{text(o['quote'])}”")
    report_flags = [(r, f) for r in rows for f in flags.get(r["report_id"], [])]
    if report_flags:
        lines += ["", "## 一致性提示", ""]
        lines += [f"- {text(r.get('year'))} <code>{html_text(f['code'])}</code>：{text(f['detail'])}" for r, f in report_flags]
    lines += ["", "## 报告全文", ""]
    for r in sorted(rows, key=lambda r: r.get("year") or 0, reverse=True):
        paragraphs = "".join(f"<p>{html_text(p)}</p>" for p in texts.get(r["report_id"], "").split("\n") if p)
        lines += [
            f'<details class="fazhi-fulltext" data-search-exclude><summary>{html_text(r.get("title") or "报告")}（{html_text(r.get("year") or "")}）</summary>',
            f'<div class="fazhi-text">{paragraphs}</div>',
            "</details>",
            "",
        ]
    return "\n".join(lines)


def render_indicator(key: str, reports: list[Row], observations: list[Row]) -> str:
    by_id = {r["report_id"]: r for r in reports}
    lines = [f"# {text(INDICATOR_LABELS[key])}", "", f"指标代码 `{key}`。", "", "| 乡镇 | 县 | 省 | 年份 | 数值 | 原文 |", "|---|---|---|---:|---:|---|"]
    chosen = [o for o in observations if o["indicator"] == key and o["canonical"] == "true" and o["report_id"] in by_id]
    for o in sorted(chosen, key=lambda o: (by_id[o["report_id"]].get("township") or "", by_id[o["report_id"]].get("year") or "")):
        r = by_id[o["report_id"]]
        township = text(r.get("township") or "—")
        if r.get("township"):
            township = f"[{township}]({relative(f'indicators/{key}.md', place_path(r))})"
        lines.append(
            f"| {township} | {text(r.get('county') or '—')} | {text(r.get('province') or '—')} | {text(r.get('year') or '—')} |"
            f" {text(format_value(o['value'], o['qualifier'], o['unit']))} | {text(o['quote'])} |"
        )
    if not chosen:
        lines.append("| — | — | — | — | — | 暂无数据 |")
    return "\n".join(lines) + "\n"


def render_indicator_index(observations: list[Row]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for o in observations:
        if o["canonical"] == "true":
            counts[o["indicator"]] += 1
    lines = ["# 指标", "", "| 指标 | 代码 | 报告数 |", "|---|---|---:|"]
    lines += [f"| [{text(INDICATOR_LABELS[k])}]({k}.md) | `{k}` | {counts.get(k, 0)} |" for k in INDICATOR_KEYS]
    return "\n".join(lines) + "\n"


def render_downloads(manifests: list[Row]) -> str:
    lines = [
        "# 数据下载",
        "",
        "每个版本都不可更改；引用时请注明版本号。CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开。",
        "",
        "| 版本 | 日期 | 报告 | 数字 | 下载 | sha256 |",
        "|---|---|---:|---:|---|---|",
    ]
    for m in reversed(manifests):
        version = m["version"]
        zip_name = f"fazhi-{version}.zip"
        lines.append(
            f"| {text(version)} | {text(m['created'][:10])} | {m['counts']['reports']} | {m['counts']['observations']} |"
            f" [{zip_name}](downloads/{version}/{zip_name}) · [更新说明](downloads/{version}/CHANGELOG.txt) | `{m.get('zip_sha256', '')[:12]}` |"
        )
    lines += [
        "",
        "## 如何引用",
        "",
        "> 法治地图 Fazhi Atlas，乡镇法治政府建设年度报告数据集，版本 *版本号*。",
        "",
        "每个版本的 `datapackage.json`（Frictionless Data Package）说明了每个文件的字段、类型和含义；"
        "`manifest.json` 列出每个文件的 sha256。",
        "",
    ]
    return "\n".join(lines)
