"""The files that explain a release, generated from the declared format (dataset.format) and the
indicator table (parsers.figures.indicators + dataset.indicator_docs), so they never drift from the data:
README.md (what, who, how to load), CODEBOOK.md and codebook.csv (every table and column in
Chinese and English, every status, deadline rule and indicator), LICENSE and CITATION.cff.
Pure: text out; the release writer saves them and lists them in the manifest and the zip."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from dataset.coverage import DEADLINE_RULE_CODES, DEADLINE_RULES, STATUS_MEANINGS
from dataset.format import DATASET_TITLE, Column, Resource
from dataset.indicator_docs import INDICATOR_DOCS, YEAR_VALUE_RULE, IndicatorDoc


def _doc(key: str, label: str) -> IndicatorDoc:
    """The indicator's documentation; a key added to the indicator table before its words (the
    tests refuse that, a release does not fail for it) shows its label."""
    return INDICATOR_DOCS.get(key) or IndicatorDoc(key, label, "—", "—")

AUTHORS = "Fazhi Atlas contributors"
CODEBOOK_FILES = ("README.md", "CODEBOOK.md", "codebook.csv", "LICENSE", "CITATION.cff")

# The Chinese name of every column of the release (by column name: a name means one thing in every table).
COLUMN_ZH: dict[str, str] = {
    # sources_health.csv (for operators)
    "checked": "已核实", "checked_on": "核实日期", "nights": "记录夜数", "last_success": "最近成功", "last_error_on": "最近出错日期",
    "last_error": "最近出错原因", "items_last": "最近一夜条目数", "items_usual": "通常条目数", "nights_since_new": "距上次发现新报告的夜数",
    "newest": "最新条目日期", "reports_by_year": "各年度报告数",
    # unreadable.csv
    "file_url": "无法读取的文件", "needs": "所需工具", "reason": "原因", "last_seen": "最近发现",
    "report_id": "报告编号", "revision": "文本版本", "township": "乡镇", "township_code": "乡镇统计用区划代码", "county": "县级行政区",
    "county_code": "县级区划代码", "province": "省级行政区", "prefecture": "地级行政区", "adcode": "县级区划代码", "level": "发布机构层级",
    "kind": "报告类型", "year": "报告年度", "published_on": "发布日期", "published_on_source": "发布日期来源", "signed_on": "落款日期",
    "on_time": "是否按时发布", "title": "标题", "url": "网址", "source_id": "来源编号", "sha256": "文本哈希", "script": "字体（简/繁）",
    "status": "状态", "mirror_urls": "其他网址", "withdrawn_on": "撤下日期", "seq": "提及序号", "indicator": "指标", "value": "数值",
    "unit": "单位", "qualifier": "限定（确数/以上/约）", "quote": "原文引句", "quote_start": "引句起点", "quote_end": "引句终点",
    "section": "所在小节", "canonical": "计入年度值", "flag_codes": "提示代码", "flags": "提示代码", "scope": "提及范围", "basis": "年度值依据",
    "name": "名称", "listing_urls": "栏目页", "covers": "覆盖县", "in_registry": "仍在来源登记中", "monitored_since": "开始监测时间",
    "last_listing": "最近一次读取栏目", "listing_reads": "栏目读取次数", "pages_read": "最多读取页数", "max_pages": "页数上限",
    "reached_end": "读到栏目末页", "stopped_by_max_pages": "因页数上限停止", "oldest_listed": "栏目最早条目日期", "current": "当前版本", "fetched_at": "抓取时间",
    "first_seen": "首次发现", "last_checked": "最近核查", "page_url": "文章页", "page_sha256": "文章页哈希", "attachment_url": "附件网址",
    "attachment_sha256": "附件哈希", "content_type": "内容类型", "text_sha256": "文本哈希", "extractor_version": "提取器版本",
    "townships": "乡镇数", "sources": "覆盖来源", "covered": "有来源覆盖", "report_group": "报告组别", "withdrawn": "已撤下",
    "deadline": "截止日期", "deadline_rule": "截止规则", "report": "报告记录", "text": "规范化文本", "original": "原文",
    "province_code": "省级区划代码", "prefecture_code": "地级区划代码", "label_zh": "指标中文名",
}


def column_zh(column: str, labels: Mapping[str, str]) -> str:
    """The Chinese name of a column: its own, an indicator's label, or a year's status column."""
    if column in COLUMN_ZH:
        return COLUMN_ZH[column]
    for suffix, tail in (("_qualifier", "：限定"), ("_basis", "：年度值依据"), ("_flags", "：提示代码")):
        if column.endswith(suffix) and column.removesuffix(suffix) in labels:
            return labels[column.removesuffix(suffix)] + tail
    if column in labels:
        return labels[column]
    if column[:4].isdigit():
        return f"{column[:4]}年度{'述法报告' if column.endswith('_shufa') else '报告'}状态"
    raise KeyError(f"column {column!r} has no Chinese name in dataset/codebook.py COLUMN_ZH")


def _constraints(column: Column) -> str:
    parts = []
    if column.enum:
        parts.append("one of: " + ", ".join(column.enum))
    if column.pattern:
        parts.append(f"pattern {column.pattern}")
    if column.minimum is not None:
        parts.append(f"≥ {column.minimum}")
    if column.maximum is not None:
        parts.append(f"≤ {column.maximum}")
    if column.required:
        parts.append("required")
    return "; ".join(parts)


CODEBOOK_HEADER = ["entry", "table", "name", "type", "name_zh", "name_en", "description", "unit", "allowed", "counts", "excludes"]


def codebook_csv(tables: Sequence[Resource], labels: Mapping[str, str], units: Mapping[str, str]) -> str:
    """codebook.csv: a row per table, per column, per status, per deadline rule and per indicator."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CODEBOOK_HEADER)
    for table in tables:
        writer.writerow(["table", table.path, table.name, table.format, "", table.name, table.description, "", "", "", ""])
        for c in table.columns:
            writer.writerow(["column", table.path, c.name, c.type, column_zh(c.name, labels), c.name, c.description,
                             units.get(c.name, ""), _constraints(c), "", ""])
    for status, (zh, meaning) in STATUS_MEANINGS.items():
        writer.writerow(["status", "coverage.csv", status, "string", zh, status, meaning, "", "", "", ""])
    for group, code in DEADLINE_RULE_CODES.items():
        writer.writerow(["deadline_rule", "coverage.csv", code, "string", "截止规则", f"{group} reports", DEADLINE_RULES[code], "", "", "", ""])
    for key, label in labels.items():
        doc = _doc(key, label)
        writer.writerow(["indicator", "values.csv", key, "number", label, doc.name_en, f"{doc.definition} {YEAR_VALUE_RULE}", units[key], "≥ 0",
                         doc.counts, doc.excludes])
    return out.getvalue()


RESEARCH_QUERIES = {
    "Share of searched townships whose annual report was on time, per county and year":
        "SELECT county_code, year, avg((status = 'on_time')::INT) AS share_on_time, count(*) AS townships\n"
        "FROM read_csv('coverage.csv', all_varchar = true)\n"
        "WHERE report_group = 'annual' AND status NOT IN ('not_searched', 'not_due')\n"
        "GROUP BY ALL ORDER BY ALL;",
    "Median disputes mediated per township, by province and year":
        "SELECT province_code, year, median(value::DOUBLE) AS median_disputes, count(*) AS townships\n"
        "FROM read_csv('figures_long.csv', all_varchar = true)\n"
        "WHERE indicator = 'disputes_mediated' AND kind <> 'shufa'\n"
        "GROUP BY ALL ORDER BY ALL;",
    "Joining by township code (the register's names beside the figures)":
        "SELECT t.township_code, t.township, t.county, f.year, f.indicator, f.value, f.qualifier\n"
        "FROM read_csv('townships.csv', all_varchar = true) t\n"
        "JOIN read_csv('figures_long.csv', all_varchar = true) f USING (township_code);",
}


def codebook_md(tables: Sequence[Resource], labels: Mapping[str, str], units: Mapping[str, str], register: Mapping[str, str]) -> str:
    lines = ["# Codebook 编码手册", "", f"{DATASET_TITLE}. Every table of the release, its columns (Chinese and English), the statuses, "
             "the deadline rules and the indicators. Generated from the release format (dataset/format.py) and the indicator table.", "",
             f"Township codes: 9-digit 统计用区划代码 from {register['name']} {register['version']} (codes as of {register['codes_as_of']}). "
             "Codes are text: read them as strings (they may start with a zero in other registers, and an empty cell must not turn a column into floats).",
             "", "Text cells that start with = + - @, a tab or a carriage return carry a leading apostrophe (') in the CSV files, so that a "
             "spreadsheet does not run them as formulas; a cell that starts with ' carries one more. Remove one leading ' to get the text "
             "(the Parquet copies and texts/ hold the text without it).", "",
             "Lists are JSON arrays where a column is declared `array` (frame.csv sources, figures_long.csv flags); older columns "
             "(mirror_urls, listing_urls, covers) are space-separated and flag_codes ;-separated, as declared.", ""]
    lines += ["## Statuses (coverage.csv, townships.csv)", "", "| status | 中文 | meaning |", "|---|---|---|"]
    lines += [f"| `{s}` | {zh} | {meaning} |" for s, (zh, meaning) in STATUS_MEANINGS.items()]
    lines += ["", "`withdrawn` (coverage.csv) is a fact beside the status: a report published on time and later taken down was published on time.",
              "", "## Deadline rules", "", "| report_group | deadline_rule | rule |", "|---|---|---|"]
    lines += [f"| `{g}` | `{c}` | {DEADLINE_RULES[c]} |" for g, c in DEADLINE_RULE_CODES.items()]
    lines += ["", "## Research questions in duckdb", ""]
    for question, sql in RESEARCH_QUERIES.items():
        lines += [f"{question}:", "", "```sql", sql, "```", ""]
    for table in tables:
        lines += [f"## {table.path}", "", table.description, ""]
        if table.primary_key:
            lines += [f"Key: {', '.join(table.primary_key)}.", ""]
        lines += ["| column | 中文 | type | description | allowed |", "|---|---|---|---|---|"]
        lines += [f"| `{c.name}` | {column_zh(c.name, labels)} | {c.type} | {c.description.replace('|', '/')} | {_constraints(c).replace('|', '/')} |"
                  for c in table.columns]
        lines.append("")
    lines += ["## Indicators 指标", "", YEAR_VALUE_RULE, ""]
    for key, label in labels.items():
        doc = _doc(key, label)
        lines += [f"### `{key}`: {label} / {doc.name_en}", "", f"- Unit: {units[key]}", f"- Definition: {doc.definition}",
                  f"- Counts: {doc.counts}", f"- Does not count: {doc.excludes}", ""]
    return "\n".join(lines)


def readme_md(version: str, released_on: str, cite: str, tables: Sequence[Resource], register: Mapping[str, str]) -> str:
    listing = "\n".join(f"- `{t.path}`: {t.description}" for t in tables)
    return f"""# {DATASET_TITLE}

Release {version} ({released_on}).

**What**: the annual rule-of-law reports (法治政府建设年度报告, 法治建设工作情况报告, 述法报告) that Chinese township governments
publish on their websites, the figures they state (each with the sentence it was read from), and, per township and year, whether
a report was found, on time or late, or where nobody looked (the sampling frame: frame.csv, coverage.csv).

**Who**: {AUTHORS}, from the governments' own websites (sources.csv lists them). Place codes: {register['name']} {register['version']}
(统计用区划代码 as of {register['codes_as_of']}).

**Licence**: the extracted data CC-BY-4.0 (LICENSE); the report texts (texts/) are the governments' own, reproduced for reference.

**Cite as**: {cite} (CITATION.cff).

## Files

{listing}
- `texts/<year>.jsonl.gz`: the normalised and published texts.
- `datapackage.json`: the Frictionless schema of every table, and its Parquet copy and the texts as files of known size and sha256
  (`pip install frictionless`, then `frictionless validate datapackage.json`; `fazhi verify` compares each Parquet copy with its CSV);
  CODEBOOK.md and codebook.csv say the same in words, in Chinese and English.

## Loading (codes as text)

Codes and ids are text: read them as strings, or an empty cell turns a code column into floats (pandas) or BIGINT (duckdb).

pandas:

```python
import pandas as pd
reports = pd.read_csv("reports.csv", dtype=str, keep_default_na=False, na_values=[""])
values = pd.read_csv("values.csv", dtype={{"report_id": str, "indicator": str}})
long = pd.read_parquet("figures_long.parquet")  # typed: codes are strings, values numbers
```

duckdb:

```sql
SELECT * FROM read_csv('coverage.csv', all_varchar = true);
SELECT * FROM read_csv('figures_long.csv', types = {{'township_code': 'VARCHAR', 'county_code': 'VARCHAR', 'value': 'DOUBLE'}});
SELECT * FROM 'figures_long.parquet';
```

R:

```r
library(readr)
coverage <- read_csv("coverage.csv", col_types = cols(.default = col_character()))
long <- read_csv("figures_long.csv", col_types = cols(.default = col_character(), value = col_double(), year = col_integer()))
```

CSV files are UTF-8 with a byte-order mark (Excel opens them); a text cell starting with = + - @ carries a leading ' (see CODEBOOK.md).
"""


def license_text(released_on: str) -> str:
    return f"""Fazhi Atlas data release ({released_on})

The extracted data, metadata and tables of this release (every file but texts/) are licensed under
the Creative Commons Attribution 4.0 International licence (CC-BY-4.0):
https://creativecommons.org/licenses/by/4.0/legalcode

You may share and adapt them for any purpose, giving appropriate credit ({AUTHORS}; see CITATION.cff).

The report texts (texts/*.jsonl.gz) were published by the governments named in each row; they are
reproduced for reference under their publishers' own terms.
"""


def citation_cff(version: str, released_on: str, url: str | None) -> str:
    lines = ["cff-version: 1.2.0", "message: If you use this dataset, please cite this release.", "type: dataset",
             f'title: "{DATASET_TITLE}"', f'version: "{version}"', f"date-released: {released_on}", "license: CC-BY-4.0",
             "authors:", f'  - name: "{AUTHORS}"']
    if url:
        lines.append(f'url: "{url}"')
    lines += ["keywords:", "  - rule of law", "  - township government", "  - China", "  - annual reports"]
    return "\n".join(lines) + "\n"
