"""Reports' archived texts, every figure's sentence highlighted: bundles read by one viewer page.

A figure on a township page links to ``archive/?b=<bundle>&r=<id>-<revision>#q-<start>-<end>``:
the viewer (``archive/index.html`` with ``assets``' archive.js) fetches the bundle, shows the
report's text with the counted mention marked apart from the report's other mentions (solid and
labelled 计入, against dotted and 未计入: not by colour alone) and opens at the sentence.

Why bundles (issue 32): one HTML page and one ``.txt`` per report revision were 400,000 files and
3.3 GB at 40,000 townships × 5 years, and township pages inlined the texts again (5.8 GB);
GitHub Pages publishes at most 1 GB. A bundle holds one county's reports of one year
(``archive/b/<county code>-<year>.json.gz``, gzip: ~23 reports), so the texts are on the site once,
compressed, in ~14,000 files, and a night's new report rewrites one bundle. The texts as published
(before t2s) are no longer on the site: the release's ``texts/<year>.jsonl.gz`` carries them.

What needs JavaScript: reading a whole text on the site (the viewer renders the bundle with DOM
nodes and ``textContent`` only: government text is never parsed as HTML). Without it the township
page still quotes every figure's sentence, and the viewer's ``noscript`` says where the texts are.
The viewer's Content Security Policy allows only the site's own script, style and fetches; it prints
with the source URL, the release version (archive.css, rewritten by each build) and a citation line.
Pure: rows and text in, entries and bytes out.
"""

from __future__ import annotations

import gzip
import html
import json
from typing import Any

from parsers.figures.indicators import INDICATOR_LABELS, UNCLASSIFIED
from parsers.read.normalise import strip_format_characters

from ..formatting import format_value
from .pages import Row, on_township_page, safe_url

STYLESHEET = "archive.css"  # beside the pages in archive/: one file, not 1.5 KB in each of 200,000 pages
STYLE = """
body { font: 16px/1.8 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem;
       color: #1f1f1f; background: #fff; }
a { color: #0b57a4; text-decoration: underline; }
mark { color: inherit; background: none; scroll-margin-top: 3rem; }
mark.counted { background: #fff1a8; border-bottom: 3px solid #6b4f00; font-weight: 600; }
mark.other { border-bottom: 2px dotted #555; }
mark:target, mark.target { outline: 3px solid #0b57a4; outline-offset: 2px; }
.tag { font-size: 0.7em; border: 1px solid currentColor; border-radius: 0.2em; padding: 0 0.25em; margin-left: 0.15em; font-weight: 400; }
.meta, .legend { font-size: 0.9rem; color: #444; }
.cite { display: none; }
.cite-version { display: none; }
/* A long source address wraps: unbroken, one URL made the page 443 px wide at 390. */
body { overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) {
  body { color: #e6e6e6; background: #1b1b1f; }
  a { color: #9cc7ff; }
  mark.counted { background: #5c4a00; border-bottom-color: #ffd54f; }
  mark.other { border-bottom-color: #bbb; }
  .meta, .legend { color: #c4c4c4; }
}
@media print {
  body { max-width: none; color: #000; background: #fff; }
  nav { display: none; }
  .cite { display: block; border-top: 1px solid #000; margin-top: 2rem; padding-top: 0.5rem; font-size: 0.85rem; }
  a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 0.8em; word-break: break-all; }
}
"""


def _span(text: str, mention: Row) -> tuple[int, int] | None:
    """The mention's span in ``text``: its recorded offsets, else where its quote first occurs."""
    try:
        start, end = int(mention.get("quote_start") or -1), int(mention.get("quote_end") or -1)
    except ValueError:
        start = end = -1
    if 0 <= start < end <= len(text):
        return start, end
    quote = str(mention.get("quote") or "")
    found = text.find(quote) if quote else -1
    return (found, found + len(quote)) if found >= 0 else None


def stylesheet(version: str) -> str:
    """archive/archive.css: STYLE and the release's version for the citation line, kept out of
    the pages (as the township pages' is: sitegen.build.write_release_css) so that an archived
    text written by an earlier build is reused as it is and still cites the current release."""
    safe = "".join(c for c in version if c.isalnum() or c in ".-_")  # a CSS string: no quote or backslash can end it
    return STYLE + f'.cite::after {{ content: "数据集版本 {safe}。"; }}\n'


def marks_of(text: str, counted: list[Row], others: list[Row]) -> list[list[Any]]:
    """The report's highlights, in text order and never overlapping: ``[start, end, counted (1/0),
    label, value shown, [other anchors]]``. Overlapping mentions: the first (the counted one, at
    equal starts) is marked; the others' anchors (``q-<start>-<end>``) are listed on it, so a link
    to one of them still lands there."""
    found: list[tuple[int, int, str, Row]] = []
    for kind, mentions in (("counted", counted), ("other", others)):
        for m in mentions:
            span = _span(text, m)
            if span is not None:
                found.append((span[0], span[1], kind, m))
    found.sort(key=lambda m: (m[0], m[2] != "counted"))
    marks: list[list[Any]] = []
    at, taken = 0, set()
    for start, end, kind, m in found:
        anchor = f"q-{start}-{end}"
        if start < at or anchor in taken:
            if anchor not in taken and marks:
                marks[-1][5].append(anchor)
                taken.add(anchor)
            continue
        taken.add(anchor)
        label = INDICATOR_LABELS.get(str(m.get("indicator")), str(m.get("indicator") or ""))
        shown = format_value(m["value"], m.get("qualifier") or "exact", m.get("unit") or "")
        marks.append([start, end, 1 if kind == "counted" else 0, label, shown, []])
        at = end
    return marks


def archive_entry(row: Row, text: str, counted: list[Row], others: list[Row]) -> dict[str, Any]:
    """One report revision in its bundle: what the viewer (assets archive.js) shows. Every string
    here is untrusted and is put into the page by the viewer as text (``textContent``), never as
    HTML; the source address only if it is http(s) (``safe_url``), the township link only from
    the code's digits."""
    code = str(row.get("township_code") or "")
    return {"title": strip_format_characters(str(row.get("title") or "报告")),
            "report_id": str(row["report_id"]), "revision": str(row.get("revision") or ""),
            "place": strip_format_characters("，".join(str(row.get(k)) for k in ("province", "county", "township") if row.get(k))),
            "township": strip_format_characters(str(row.get("township") or "")), "code": code if code.isdigit() and on_township_page(row) else "",
            "year": str(row.get("year") or ""), "published": str(row.get("published_on") or ""),
            "url": html.unescape(safe_url(row.get("url")) or ""), "text": text, "marks": marks_of(text, counted, others)}


def bundle_bytes(entries: dict[str, dict[str, Any]]) -> bytes:
    """A bundle's file: its reports' entries (by ``<id>-<revision>``) as JSON, gzip-compressed with
    no timestamp, so the same reports give the same bytes (an unchanged bundle is never uploaded)."""
    body = json.dumps({"v": BUNDLE_VERSION, "reports": dict(sorted(entries.items()))}, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0)


BUNDLE_VERSION = 1  # the bundles' shape, read by archive.js

VIEWER = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>报告存档 - 法治地图 Fazhi Atlas</title><link rel="stylesheet" href="archive.css"><script src="../assets/archive.js" defer></script></head><body>
<nav aria-label="存档导航"><p><a id="back" href="../">返回首页</a></p></nav>
<main><h1 id="title">报告存档</h1><p class="meta" id="meta"></p>
<noscript><p>阅读存档全文需要浏览器运行 JavaScript（本页读取按县、年度压缩的全文包）。不用 JavaScript：乡镇页面“原文依据”列出每个数字所在的句子；
每份报告的全文（原文和简体）在<a href="../downloads/">数据下载</a>的数据包 texts/&lt;年度&gt;.jsonl.gz 中。</p></noscript>
<p class="legend" id="legend" hidden>下文为提取数字所用的文本（已转为简体、半角数字）。<mark class="counted">实线底纹<span class="tag">计入</span></mark>
是计入该年度数值的那一处，<mark class="other">虚线<span class="tag">未计入</span></mark>是报告中对数字的其他提及。</p>
<p id="status" role="status"></p><div class="text" id="text"></div><p class="cite" id="cite"></p></main></body></html>
"""


def mentions_of(report_id: str, observations: list[Row], values: list[Row] | None) -> tuple[list[Row], list[Row]]:
    """A report's counted figures (its values.csv rows, else its canonical observations) and its
    other mentions (observations not at a counted span). Counts no indicator takes (indicator
    ``unclassified``: the reviewers' queue) are no figure of the site and are not marked."""
    own = [o for o in observations if o["report_id"] == report_id and o.get("indicator") != UNCLASSIFIED]
    counted = [v for v in values if v["report_id"] == report_id] if values is not None else [o for o in own if o.get("canonical") == "true"]
    counted_spans = {(c.get("quote_start"), c.get("quote_end")) for c in counted}
    others = [o for o in own if (o.get("quote_start"), o.get("quote_end")) not in counted_spans and o.get("canonical") != "true"]
    return counted, others
