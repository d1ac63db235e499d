"""The source health page for operators: per source, last success, last error, reports per year
and what to look at, from the release's sources_health.csv (the site reads releases only).

Error messages name portal URLs and repeat what portals answered: untrusted text, escaped."""

from __future__ import annotations

from html import escape
from typing import Any

INTRO = (
    "# 来源健康 · Source health\n\n"
    "供运维人员查看：每个来源（政府网站栏目）在本版本发布前各夜的抓取情况——栏目是否可访问、最近一次成功与失败、"
    "各年度报告数，以及需要处理的问题（栏目改版、长期无更新、robots.txt 禁止、412 反爬验证、跳转到其他网站）。"
    "命令行 `fazhi sources status` 给出同样的信息。[方法说明](methodology.md)\n\n"
)


def render_source_health(rows: list[dict[str, Any]] | None) -> str:
    """The page: an HTML table, flagged sources first (Markdown tables would take a portal's `|` or
    `<` as markup; every cell is escaped instead)."""
    if rows is None:
        return INTRO + "本版本没有来源健康数据（sources_health.csv）：由较早版本的程序发布。\n"
    flagged = sum(1 for r in rows if r.get("flags"))
    checked = sum(1 for r in rows if r.get("checked") == "true")
    ordered = sorted(rows, key=lambda r: (not r.get("flags"), r["source_id"]))
    head = "".join(f"<th>{h}</th>" for h in ("来源 source", "已核实 checked", "最近成功 last success", "最近失败 last error",
                                              "栏目条目 items", "多少夜无新报告 nights since new", "各年度报告 reports by year", "问题 flags"))
    body = []
    for r in ordered:
        items = r.get("items_last") or "–"
        if r.get("items_usual"):
            items = f"{items}（通常 {r['items_usual']}）"
        error = f"{(r.get('last_error_on') or '')[:10]} {r.get('last_error') or ''}".strip() or "–"
        cells = [r["source_id"], "是" if r.get("checked") == "true" else "否", (r.get("last_success") or "从未 never")[:16],
                 error[:300], items, r.get("nights_since_new") or "–", r.get("reports_by_year") or "–", r.get("flags") or "–"]
        body.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return (INTRO + f"{len(rows)} 个来源，{checked} 个已核实，{flagged} 个需要查看。\n\n"
            f'<table class="fazhi-health"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>\n')
