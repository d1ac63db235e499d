"""How a township's status for a year is shown: one mapping, text + icon + colour, never colour alone.

The release says per township and year whether its report was found and when it was published
(dataset.coverage). Six statuses are shown; a release may give fewer (before 2026-12 it had no
``not_due`` or ``not_searched``), so the site derives ``not_due`` itself for a year whose deadline
had not passed on the release's date (a township is never marked 未找到 for a report not yet
due), and takes any status it does not know for 未找到's neutral cousin, shown as its raw key.

Colours are CSS classes (fazhi.css, light and dark); the icon is a character in the text, hidden
from screen readers (the word says it); the word is always there, so a grey-scale print, a
colour-blind reader and a screen reader all read the same status.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from ..formatting import html_text

DEADLINE = (4, 1)  # the report on year Y is due before 1 April of Y + 1 (《法治政府建设与责任落实督察工作规定》)


class StatusStyle(NamedTuple):
    label: str  # the word (the status itself, for every reader)
    icon: str  # a character before it (decoration: aria-hidden)
    filter_label: str  # the filter button: 只看…
    meaning: str  # one sentence for the legend


STATUS_STYLES: dict[str, StatusStyle] = {
    "on_time": StatusStyle("按时", "✓", "只看按时", "在报告年度次年4月1日前发布"),
    "late": StatusStyle("逾期", "!", "只看逾期", "在次年4月1日以后发布"),
    "undated": StatusStyle("发布日期不详", "?", "只看日期不详", "找到了报告，但网页上没有发布日期"),
    "found": StatusStyle("已发布", "✓", "只看已发布", "找到了报告（述法报告等没有发布期限的报告，不分按时逾期）"),
    "unreadable": StatusStyle("无法读取", "⊘", "只看无法读取", "找到了报告，但它的文件（扫描件、.doc、.wps 等）需要本站机器尚未安装的工具（OCR、LibreOffice 等）"
                                                         "才能读取：已发布，不是未找到；数字待读取后补上"),
    "not_found": StatusStyle("未找到", "✕", "只看未找到", "该县已检索的政府网站栏目中没有找到这一年度的报告（不等于一定没有发布）"),
    "not_due": StatusStyle("未到期", "…", "只看未到期", "发布期限（次年4月1日）在本版本数据的日期还没有到"),
    "not_searched": StatusStyle("未纳入检索", "○", "只看未纳入检索", "本站还没有检索这个县的政府网站，无从判断"),
}
STATUS_ORDER = tuple(STATUS_STYLES)
PUBLISHED = ("on_time", "late", "undated", "found")  # a report was found
UNKNOWN_STYLE = StatusStyle("—", "·", "", "")


def style(status: str) -> StatusStyle:
    return STATUS_STYLES.get(status, UNKNOWN_STYLE._replace(label=status or "—"))


def fair_status(status: str, year: int, released_on: date | None) -> str:
    """The status as shown: ``not_found`` for a year whose deadline had not passed on the
    release's date is ``not_due`` (an early report in March does not make every other township
    of that year 未找到)."""
    if status == "not_found" and released_on is not None and released_on < date(year + 1, *DEADLINE):
        return "not_due"
    return status


def status_badge(status: str) -> str:
    """The status in a table cell or a line: icon (hidden from screen readers) and word, coloured."""
    shown = style(status)
    key = status if status in STATUS_STYLES else "unknown"
    return (f'<span class="fazhi-status fazhi-status--{key}" data-status="{key}"><span class="fazhi-status__icon" aria-hidden="true">'
            f"{shown.icon}</span>{html_text(shown.label)}</span>")


def status_legend(shown: tuple[str, ...] = STATUS_ORDER) -> str:
    """What each status means, with its badge: under every table of statuses."""
    items = "".join(f"<li>{status_badge(s)}：{html_text(STATUS_STYLES[s].meaning)}</li>" for s in shown if s in STATUS_STYLES)
    return f'<ul class="fazhi-legend" aria-label="状态说明" data-search-exclude>{items}</ul>'


def percent(part: int, whole: int) -> str:
    """A share as a reader says it: 42%, <1% for a small non-zero share, — for nothing to divide."""
    if whole <= 0:
        return "—"
    share = 100 * part / whole
    if 0 < share < 1:
        return "<1%"
    return f"{share:.0f}%"


def bare_badge(status: str) -> str:
    """The status inside a sentence (a township's year lines): the word, coloured; its icon drawn
    by the stylesheet (``icon_css``) so that the sentence reads the same as text (page
    descriptions, feeds and tests read "2022年度：2022-11-29 发布，按时")."""
    key = status if status in STATUS_STYLES else "unknown"
    return f'<span class="fazhi-status fazhi-status--{key} fazhi-status--bare">{html_text(style(status).label)}</span>'


def icon_css() -> str:
    """The icons of bare badges, from the one mapping above (written into the site's release.css);
    ``/ ""``: no alternative text, the word says it."""
    return "".join(f'.fazhi-status--bare.fazhi-status--{key}::before {{ content: "{shown.icon}" / ""; font-weight: 700; margin-right: 0.15em; }}\n'
                   for key, shown in STATUS_STYLES.items())
