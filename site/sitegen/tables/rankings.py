"""Rankings: provinces and counties by on-time rate, a tile grid of provinces, and how a township
compares with its county. Pure: coverage rows in, HTML strings out.

The rate is always shown with its numerator and denominator (n 个按时 / 已检索且已到期的乡镇):
法治蓝皮书-style tables rank governments, and a rate of 100% from one township is not a rate of
100% from 300. Townships not searched (未纳入检索) and years not yet due (未到期) are left out of
the denominator; 未找到 stays in, because it is what the ranking is about, and the page says what
it does and does not prove.

The map is a tile grid (one square per province, placed roughly where the province lies): a
boundary map of China must carry an approved map number (审图号); a grid of squares is not a map.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from ..formatting import html_text
from .accountability import Coverage, searched, year_panels
from .statuses import percent

# (row, column) of each province's square, by the first two digits of its code.
TILES: dict[str, tuple[int, int]] = {
    "65": (0, 0), "15": (0, 4), "23": (0, 6),
    "63": (1, 1), "62": (1, 2), "64": (1, 3), "11": (1, 4), "21": (1, 5), "22": (1, 6),
    "54": (2, 1), "61": (2, 2), "14": (2, 3), "13": (2, 4), "12": (2, 5),
    "51": (3, 2), "41": (3, 3), "37": (3, 4),
    "50": (4, 2), "42": (4, 3), "34": (4, 4), "32": (4, 5), "31": (4, 6),
    "53": (5, 1), "52": (5, 2), "43": (5, 3), "36": (5, 4), "33": (5, 5),
    "45": (6, 2), "44": (6, 3), "35": (6, 4), "71": (6, 5),
    "46": (7, 2), "82": (7, 3), "81": (7, 4),
}
SHORT = {"11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江", "31": "上海",
         "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东",
         "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海",
         "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门"}
BANDS = ((80, "≥80%"), (60, "60–79%"), (40, "40–59%"), (20, "20–39%"), (0, "<20%"))  # the tile colours, with their legend
MIN_SEARCHED = 1  # an area with no searched township has no rate: shown as 无数据, ranked last
COUNTY_ROWS = 500  # the county ranking lists at most this many (a national page stays ≤ 60 KB gzip); province pages list all


Area = tuple[str, str, list[Coverage]]  # (name, link, townships)


def rate_of(townships: Sequence[Coverage], year: int) -> tuple[int, int]:
    """(on time, searched and due) among ``townships`` in ``year``."""
    counts: Counter[str] = Counter(t.annual.get(year, "not_found") for t in townships)
    return counts["on_time"], searched(counts)


def _order(areas: Sequence[Area], year: int) -> list[tuple[Area, int, int]]:
    """Highest rate first; equal rates, the larger denominator first; no rate, last."""
    rated = [(area, *rate_of(area[2], year)) for area in areas]
    return sorted(rated, key=lambda item: (item[2] < MIN_SEARCHED, -(item[1] / item[2]) if item[2] else 0, -item[2], item[0][0]))


def _band(on_time: int, total: int) -> str:
    if total < MIN_SEARCHED:
        return "none"
    share = 100 * on_time / total
    return str(next(floor for floor, _ in BANDS if share >= floor))


def render_ranking_table(areas: Sequence[Area], year: int, label: str, *, county_of: Callable[[Area], str] | None = None,
                         limit: int | None = None) -> str:
    """A sortable ranking: rank, area, on time (n), searched (denominator), rate."""
    rows = []
    ordered = _order(areas, year)
    for rank, (area, on_time, total) in enumerate(ordered[:limit] if limit else ordered, start=1):
        name, link, _ = area
        shown = f'<a href="{html_text(link)}">{html_text(name)}</a>' if link else html_text(name)
        where = [f'<td data-label="省级行政区">{html_text(county_of(area))}</td>'] if county_of else []
        rows.append(f'<tr><td data-label="名次">{rank if total >= MIN_SEARCHED else "—"}</td><td data-label="{label}">{shown}</td>{"".join(where)}'
                    f'<td class="fazhi-num" data-label="按时">{on_time}</td><td class="fazhi-num" data-label="已检索且到期">{total}</td>'
                    f'<td class="fazhi-num" data-label="按时率">{percent(on_time, total) if total >= MIN_SEARCHED else "无数据"}</td></tr>')
    columns = ["名次", label, *(["省级行政区"] if county_of else []), "按时（个）", "已检索且到期（个）", "按时率"]
    head = "".join(f'<th scope="col"><button type="button" class="fazhi-sort">{c}</button></th>' for c in columns)
    more = (f"<p>共 {len(ordered)} 个，下表列出按时率最高的 {limit} 个；每个县的情况见其所在省的页面。</p>" if limit and len(ordered) > limit else "")
    return (f'{more}<div class="fazhi-sortable fazhi-cards" data-search-exclude><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def render_tile_map(provinces: Sequence[Area], year: int) -> str:
    """One square per province, placed on a grid, coloured by on-time rate and labelled with it
    (the colour repeats the number; it never carries it alone). Provinces with no data are grey."""
    by_code = {area[2][0].code[:2]: area for area in provinces if area[2]}
    tiles = []
    for code, (row, column) in TILES.items():
        area = by_code.get(code)
        if area is None:
            tiles.append(f'<span class="fazhi-tile fazhi-tile--none" style="grid-row:{row + 1};grid-column:{column + 1}">'
                         f'{SHORT[code]}<small>未纳入</small></span>')
            continue
        on_time, total = rate_of(area[2], year)
        shown = percent(on_time, total) if total >= MIN_SEARCHED else "无数据"
        tiles.append(f'<a class="fazhi-tile fazhi-tile--{_band(on_time, total)}" style="grid-row:{row + 1};grid-column:{column + 1}" '
                     f'href="{html_text(area[1])}" aria-label="{html_text(area[0])}：按时率 {shown}（{on_time}/{total}）">'
                     f'{SHORT[code]}<small>{shown}</small></a>')
    legend = "".join(f'<li><span class="fazhi-tile-key fazhi-tile--{floor}" aria-hidden="true"></span>{text}</li>' for floor, text in BANDS)
    legend += '<li><span class="fazhi-tile-key fazhi-tile--none" aria-hidden="true"></span>未纳入检索或无数据</li>'
    return (f'<figure class="fazhi-tilemap"><div class="fazhi-tiles" role="group" aria-label="{year}年度各省级行政区按时率（方格图）">{"".join(tiles)}</div>'
            f'<figcaption>{year}年度按时率：每个方格是一个省级行政区，位置大致对应其地理方位，不是地图。</figcaption>'
            f'<ul class="fazhi-tile-legend">{legend}</ul></figure>')


def render_rankings(provinces: Sequence[Area], counties: Sequence[Area], years: list[int], latest: int | None,
                    province_of: Callable[[Area], str]) -> str:
    """The rankings page (Markdown with held HTML blocks): what the rate means, then per year the
    tile grid beside the province table, and the county ranking of that year."""
    lines = ["---", "description: 各省级行政区、各县乡镇（街道）法治政府建设年度报告按时发布率排名，附分子、分母与说明。",
             "hide:", "  - navigation", "  - toc", "---", "",  # the tile grid and the province table side by side at 1366 px
             "# 按时发布排名", "",
             "按时率 = 按时发布年度报告的乡镇数 ÷ 本站已检索、且发布期限已过的乡镇数。每个比例都给出分子和分母：只有几个乡镇的县，比例波动很大。",
             "",
             '!!! note "“未找到”说明什么，不说明什么"', "",
             "    “未找到”表示本站在该县已检索的政府网站栏目中没有找到这一年度的报告。它**不能证明**乡镇没有发布："
             "报告可能在本站未检索的网站、栏目或附件中，也可能已被删除。它**可以说明**：公众在这些常用的政府网站栏目中找不到这份报告。"
             "“未纳入检索”（本站没有检索该县）和“未到期”不计入分母。", ""]
    if latest is None or not years:
        return "\n".join(lines + ["暂无数据。", ""])

    def panel(year: int) -> str:
        return ('<div class="fazhi-map-and-table">' + render_tile_map(provinces, year)
                + f'<div><h2 id="provinces-{year}">{year}年度：省级行政区</h2>' + render_ranking_table(provinces, year, "省级行政区") + "</div></div>")

    # Counties for the latest due year only: per year they would be 7 × 500 rows (~100 KB gzip at national
    # size); a county's every year is on its province's page, sortable by rate.
    counties_html = (f'<h2 id="counties">{latest}年度：县级行政区</h2><p>其他年度见各省页面（表中可按按时率排序）。</p>'
                     + render_ranking_table(counties, latest, "县级行政区", county_of=province_of, limit=COUNTY_ROWS))
    return "\n".join(lines + [year_panels(years, "y", latest, panel) + counties_html, ""])


def render_township_comparison(township: Coverage, county: Sequence[Coverage], years: list[int]) -> str:
    """How a township compares with its county: its share of years on time beside the county's
    (all its townships' years pooled), over the years due and searched."""
    due = [y for y in years if township.annual.get(y) not in ("not_due", "not_searched", None)]
    if not due:
        return ""
    mine = sum(1 for y in due if township.annual.get(y) == "on_time")
    pooled = [t.annual.get(y, "not_found") for t in county for y in due]
    theirs_total = sum(1 for s in pooled if s not in ("not_due", "not_searched"))
    theirs = sum(1 for s in pooled if s == "on_time")
    return (f'<p class="fazhi-compare">按时发布的年度：本乡镇 {mine} / {len(due)}（{percent(mine, len(due))}）；'
            f"全县各乡镇合计 {theirs} / {theirs_total}（{percent(theirs, theirs_total)}）。</p>")
