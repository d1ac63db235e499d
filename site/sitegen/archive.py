"""A report's archived full text as an HTML page, every figure's sentence highlighted in it.

A figure on a township page links here (``archive/<id>-<revision>.html#q-<start>-<end>``): the
page opens at the sentence, the counted mention marked apart from the report's other mentions of
figures (solid and labelled 计入, against dotted and 未计入: not by colour alone). The text is the
one the figures were read from (normalised: simplified characters, half-width digits), so the
quote spans of observations.csv and values.csv point into it; the text as published stays beside
it as UTF-8 plain text (``.txt``). The page is standalone (no theme, no script: a Content
Security Policy forbids any), its text escaped, and it prints with the source URL, the release
version and a citation line (their shared stylesheet: ``STYLE``, written once as archive/archive.css).
Pure: rows and text in, HTML out.
"""

from __future__ import annotations

from parsers.figures.indicators import INDICATOR_LABELS, UNCLASSIFIED

from .formatting import format_value, html_text
from .pages import Row, safe_url

STYLESHEET = "archive.css"  # beside the pages in archive/: one file, not 1.5 KB in each of 200,000 pages
STYLE = """
body { font: 16px/1.8 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem;
       color: #1f1f1f; background: #fff; }
a { color: #0b57a4; text-decoration: underline; }
mark { color: inherit; background: none; scroll-margin-top: 3rem; }
mark.counted { background: #fff1a8; border-bottom: 3px solid #6b4f00; font-weight: 600; }
mark.other { border-bottom: 2px dotted #555; }
mark:target { outline: 3px solid #0b57a4; outline-offset: 2px; }
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


def render_archive(row: Row, text: str, counted: list[Row], others: list[Row], *, township_link: str | None) -> str:
    """The highlighted text of one report revision. ``counted``: its figures counted as the year's
    values; ``others``: its other mentions; ``township_link``: the township page, from archive/.
    The release's version is not in the page: archive.css (``stylesheet``) adds it to the citation."""
    marks: list[tuple[int, int, str, Row]] = []
    for kind, mentions in (("counted", counted), ("other", others)):
        for m in mentions:
            span = _span(text, m)
            if span is not None:
                marks.append((span[0], span[1], kind, m))
    marks.sort(key=lambda m: (m[0], m[2] != "counted"))
    body: list[str] = []
    at, taken, last = 0, set(), -1
    for start, end, kind, m in marks:
        anchor = f"q-{start}-{end}"
        if start < at or anchor in taken:
            # Overlapping mentions: the first (the counted one, at equal starts) is marked; a link to
            # this one still lands there.
            if anchor not in taken and last >= 0:
                body[last] = f'<span id="{anchor}"></span>' + body[last]
                taken.add(anchor)
            continue
        taken.add(anchor)
        label = INDICATOR_LABELS.get(str(m.get("indicator")), str(m.get("indicator") or ""))
        shown = format_value(m["value"], m.get("qualifier") or "exact", m.get("unit") or "")
        tag = "计入" if kind == "counted" else "未计入"
        body.append(html_text(text[at:start]))
        body.append(f'<mark id="{anchor}" class="{kind}" title="{html_text(label)} {html_text(shown)}（{tag}）">{html_text(text[start:end])}'
                    f'<span class="tag">{html_text(label)} · {tag}</span></mark>')
        last = len(body) - 1
        at = end
    body.append(html_text(text[at:]))
    paragraphs = "".join(f"<p>{p}</p>" for p in "".join(body).split("\n") if p.strip())
    title = str(row.get("title") or "报告")
    place = "，".join(str(row.get(k)) for k in ("province", "county", "township") if row.get(k))
    url = safe_url(row.get("url"))
    source = f'<a href="{url}" rel="nofollow noopener">{url}</a>' if url else "不详"
    back = f'<a href="{html_text(township_link)}">返回乡镇页面</a> · ' if township_link else ""
    published = html_text(row.get("published_on") or "日期不详")
    cite = (f"引用：{html_text(row.get('township') or '')}《{html_text(title)}》（{html_text(row.get('year') or '年份不详')}年度，{published} 发布），"
            f"原网页 {url or '不详'}；法治地图 Fazhi Atlas 数据集，报告 {html_text(row['report_id'])} 第 {html_text(row.get('revision'))} 版。"
            '<span class="cite-version">数据集版本见“数据下载”页。</span>')
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
        f'<title>{html_text(title)}（存档） - 法治地图 Fazhi Atlas</title><link rel="stylesheet" href="{STYLESHEET}"></head><body>'
        f'<nav aria-label="存档导航"><p>{back}<a href="{html_text(row["report_id"])}-{html_text(row.get("revision"))}.txt">发布时的原文（纯文本）</a></p></nav>'
        f"<main><h1>{html_text(title)}</h1>"
        f'<p class="meta">{html_text(place)} · {html_text(row.get("year") or "年份不详")}年度 · {published} 发布 · 第 {html_text(row.get("revision"))} 版 · 原网页：{source}</p>'
        '<p class="legend">下文为提取数字所用的文本（已转为简体、半角数字）。<mark class="counted">实线底纹<span class="tag">计入</span></mark>'
        '是计入该年度数值的那一处，<mark class="other">虚线<span class="tag">未计入</span></mark>是报告中对数字的其他提及。</p>'
        f'<div class="text">{paragraphs}</div><p class="cite">{cite}</p></main></body></html>'
    )


def mentions_of(report_id: str, observations: list[Row], values: list[Row] | None) -> tuple[list[Row], list[Row]]:
    """A report's counted figures (its values.csv rows, else its canonical observations) and its
    other mentions (observations not at a counted span). Counts no indicator takes (indicator
    ``unclassified``: the reviewers' queue) are no figure of the site and are not marked."""
    own = [o for o in observations if o["report_id"] == report_id and o.get("indicator") != UNCLASSIFIED]
    counted = [v for v in values if v["report_id"] == report_id] if values is not None else [o for o in own if o.get("canonical") == "true"]
    counted_spans = {(c.get("quote_start"), c.get("quote_end")) for c in counted}
    others = [o for o in own if (o.get("quote_start"), o.get("quote_end")) not in counted_spans and o.get("canonical") != "true"]
    return counted, others
