"""Charts drawn at build time as inline SVG: no script, nothing fetched, readable on a phone.

An SVG scaled to fit its column shrinks its text with it (a 640-wide chart at 390 px drew its
labels at about 8 px). These charts are drawn at the size they are shown, at most ``MAX_WIDTH``
pixels wide (a phone's column at 390 px is ~350 px), with labels of ``FONT_PX``; wider screens
show them at the same size. Each has a text alternative (``aria-label``) and sits beside the
table of the same numbers. Pure: numbers and escaped labels in, markup out.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..formatting import format_value, html_text

MAX_WIDTH = 340  # px: fits the content column of a 390 px phone at scale 1
FONT_PX = 13  # ≥ 12 px at scale 1 (WCAG's usual floor for chart labels)


def trend_chart(title: str, unit: str, points: Sequence[tuple[int, float | None, str]]) -> str:
    """One indicator of one township across years: a bar per year, the value above it, the year
    below; a year with no figure is drawn as "无", never as zero. ``points``: (year, value or None,
    qualifier), in year order."""
    if not points:
        return ""
    slot = min(56, (MAX_WIDTH - 8) // len(points))
    width, top, bar_h, bottom = slot * len(points) + 8, FONT_PX + 8, 80, FONT_PX + 10
    height = top + bar_h + bottom
    peak = max((v for _, v, _ in points if v is not None), default=0.0) or 1.0
    shown_unit = "" if unit == "%" else unit
    parts, said = [], []
    for i, (year, value, qualifier) in enumerate(points):
        x = 4 + i * slot
        middle = x + slot / 2
        parts.append(f'<text x="{middle:g}" y="{height - 4}">{year}</text>')  # text-anchor: the svg's, inherited (40,000 pages × 15 charts)
        if value is None:
            parts.append(f'<text x="{middle:g}" y="{top + bar_h - 4}" class="fazhi-chart__none">无</text>')
            said.append(f"{year}年度无")
            continue
        shown = format_value(value, qualifier, unit)
        h = max(1.0, bar_h * value / peak)
        parts.append(f'<rect x="{x + 6}" y="{top + bar_h - h:.1f}" width="{slot - 12}" height="{h:.1f}" rx="2"></rect>'
                     f'<text x="{middle:g}" y="{top + bar_h - h - 4:.1f}">{html_text(shown)}</text>')
        said.append(f"{year}年度 {shown}{shown_unit}")
    named = title if not shown_unit or title.endswith(f"（{shown_unit}）") else f"{title}（{shown_unit}）"  # 受众人数（人） names its unit
    label = f"{named}：" + "，".join(said)  # a rate's values carry their %
    return (f'<figure class="fazhi-trend"><svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{html_text(label)}" font-size="{FONT_PX}" text-anchor="middle" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
            f"<figcaption>{html_text(named)}</figcaption></figure>")


def bar_chart(points: Sequence[tuple[str, float]], unit: str, caption: str) -> str:
    """Horizontal bars, largest first (an indicator's values in one year and one unit): the label
    on its own line above each bar, so a township's name never has to share the width with it."""
    if not points:
        return ""
    width, bar, line = MAX_WIDTH, 14, FONT_PX + 4
    step = line + bar + 8
    height = len(points) * step + 4
    peak = max(v for _, v in points) or 1.0
    parts = []
    for i, (label, value) in enumerate(points):
        y = 4 + i * step
        shown = format_value(value, unit=unit)
        w = max(1.0, (width - 80) * value / peak)
        parts.append(f'<text x="0" y="{y + FONT_PX}">{html_text(label)}</text>'
                     f'<rect x="0" y="{y + line}" width="{w:.1f}" height="{bar}" rx="2"></rect>'
                     f'<text x="{w + 6:.1f}" y="{y + line + bar - 2}">{html_text(shown)}</text>')
    said = "，".join(f"{label} {format_value(value, unit=unit)}" for label, value in points)
    return (f'<figure class="fazhi-chart" data-search-exclude><svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{html_text(caption + "：" + said)}" font-size="{FONT_PX}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
            f"<figcaption>{html_text(caption)}</figcaption></figure>")
