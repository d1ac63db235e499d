"""What a reader comes to the site for, checked in the built HTML of a real two-release build:
trends across years, one year and one unit per comparison, coverage beside county totals."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sitegen.render import charts, pages

from tests.helpers import build_multiyear_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_multiyear_site(tmp_path_factory.mktemp("reader-site"))


def _html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_township_reported_in_two_years_shows_each_indicator_as_a_trend(site: Path) -> None:
    page = _html(site, "townships/431223200")
    trends = page.split('id="trends"', 1)[1].split("<h2", 1)[0]
    assert 'aria-label="调解矛盾纠纷件数（件）：2022年度 157件，2023年度 171件"' in trends
    svg = re.search(r'<svg width="(\d+)" height="\d+" viewBox="0 0 (\d+) \d+"[^>]*font-size="(\d+)"', trends)
    assert svg and svg.group(1) == svg.group(2) and int(svg.group(1)) <= charts.MAX_WIDTH  # drawn at the size shown
    assert int(svg.group(3)) >= 12


def test_a_year_without_the_figure_is_drawn_as_none_never_as_zero() -> None:
    chart = charts.trend_chart("调解矛盾纠纷件数", "件", [(2021, 12.0, "exact"), (2022, None, ""), (2023, 30.0, "at_least")])
    assert "2022年度无" in chart and "≥30件" in chart
    assert chart.count("<rect") == 2


def test_a_township_with_one_year_per_indicator_has_no_trend_section(site: Path) -> None:
    assert 'id="trends"' not in _html(site, "townships/654202108")


def test_indicator_pages_compare_one_year_at_a_time_with_the_unit_in_every_row(site: Path) -> None:
    overview = _html(site, "indicators/disputes_mediated")
    assert 'href="2022/"' in overview and 'href="2023/"' in overview and 'aria-label="选择年度"' in overview
    year_2022, year_2023 = _html(site, "indicators/disputes_mediated/2022"), _html(site, "indicators/disputes_mediated/2023")
    assert "乡、村两级调解组织共成功调解矛盾纠纷157起" in year_2022 and "171起" not in year_2022
    assert "171起" in year_2023 and "157起" not in year_2023
    assert 'aria-current="page"' in year_2023
    table = year_2023.split('class="fazhi-cards fazhi-sortable"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1])
    assert rows and all('data-label="单位">件<' in row for row in rows)


def test_county_totals_say_how_many_of_the_county_townships_reported(site: Path) -> None:
    with (site.parent / "releases" / "2026.11.23" / "townships.csv").open(encoding="utf-8-sig") as handle:
        in_county = sum(1 for row in csv.DictReader(handle) if row["county"] == "辰溪县")
    page = _html(site, "indicators/disputes_mediated/2023")
    assert in_county > 10
    assert f'data-label="覆盖">{in_county} 个乡镇中 1 个报告了该数字<' in page


def test_figures_of_two_units_in_one_year_are_never_in_one_table() -> None:
    by_id = {"a": {"report_id": "a", "township": "甲镇", "county": "某县", "province": "某省", "year": "2024", "township_code": "1", "level": "township", "revision": "1"},
             "b": {"report_id": "b", "township": "乙镇", "county": "某县", "province": "某省", "year": "2024", "township_code": "2", "level": "township", "revision": "1"}}
    rows = [{"report_id": "a", "value": "68", "unit": "课时", "qualifier": "exact", "quote": "培训68课时"},
            {"report_id": "b", "value": "2", "unit": "次", "qualifier": "exact", "quote": "培训2次"}]
    markdown = pages.render_indicator_year("enforcement_training", "2024", ["2024"], by_id, rows, {"课时": [1, 68.0], "次": [1, 2.0]}, {}, {})
    sections = markdown.split("## 单位：")
    assert len(sections) == 3
    assert "68" in sections[1] + sections[2] and not ("68" in sections[1] and "培训2次" in sections[1])
    assert all(section.count("<table>") == 1 for section in sections[1:])


def _bundle_entry(site: Path, link: str) -> dict:  # type: ignore[type-arg]
    """The report a viewer link (archive/?b=<bundle>&r=<id>-<revision>) shows, read from its bundle."""
    import gzip
    import json
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(unescape(link)).query)
    bundle = json.loads(gzip.decompress((site / "archive" / "b" / f"{query['b'][0]}.json.gz").read_bytes()))
    return dict(bundle["reports"][query["r"][0]])


def test_a_figure_links_to_its_sentence_highlighted_in_the_archived_text(site: Path) -> None:
    page = _html(site, "townships/431223200")
    evidence = page.split('id="f-disputes_mediated-2022"', 1)[1].split("</li>", 1)[0]
    link = re.search(r'href="\.\./\.\./(archive/\?b=431223-2022&amp;r=[0-9a-f]{16}-\d+)#q-(\d+)-(\d+)">在原文中查看这句话', evidence)
    assert link, evidence
    report = _bundle_entry(site, link.group(1))
    start, end = int(link.group(2)), int(link.group(3))
    counted = [m for m in report["marks"] if m[:2] == [start, end]]
    assert counted and counted[0][2] == 1 and report["text"][start:end] == "乡、村两级调解组织共成功调解矛盾纠纷157起"
    assert any(m[2] == 0 for m in report["marks"])  # the report's other mentions, marked apart
    assert report["code"] == "431223200" and report["url"] == "http://demo.gov.cn/chuanxi.html"
    viewer = (site / "archive" / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in viewer and "<noscript>" in viewer and (site / "assets" / "archive.js").exists()
    # The version is the stylesheet's, rewritten by every build: a bundle reused from an earlier build cites the current release.
    assert '.cite::after { content: "数据集版本 2026.11.23。"; }' in (site / "archive" / "archive.css").read_text(encoding="utf-8")


def test_a_bundle_keeps_the_portal_s_text_as_data_never_markup() -> None:
    """The viewer puts every string in with textContent (archive.js); the entry holds the text as it
    is, and a source address only if it is http(s)."""
    from sitegen.render.archive import archive_entry

    row = {"report_id": "0123456789abcdef", "revision": "1", "title": "<script>alert(1)</script>", "url": "javascript:alert(2)", "year": "2024"}
    text = "前言<img src=x onerror=alert(3)>。全年调解矛盾纠纷12起。"
    mention = {"report_id": row["report_id"], "indicator": "disputes_mediated", "value": "12", "unit": "起", "qualifier": "exact",
               "quote": "全年调解矛盾纠纷12起", "quote_start": str(text.index("全年")), "quote_end": str(text.rindex("。"))}
    entry = archive_entry(row, text, [mention], [])
    assert entry["url"] == "" and entry["title"] == row["title"] and entry["code"] == ""
    assert entry["marks"] == [[int(mention["quote_start"]), int(mention["quote_end"]), 1, "调解矛盾纠纷件数", "12", []]]
    script = (Path(__file__).resolve().parents[2] / "site" / "sitegen" / "assets" / "archive.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


def _atom(path: Path) -> list[dict[str, str]]:
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.parse(path).getroot()
    return [{"id": e.findtext("a:id", namespaces=ns) or "", "title": e.findtext("a:title", namespaces=ns) or "",
             "href": e.find("a:link", ns).get("href", "") if e.find("a:link", ns) is not None else ""} for e in root.findall("a:entry", ns)]


def test_the_site_feed_lists_new_and_revised_reports_newest_first_linking_their_pages(site: Path) -> None:
    entries = _atom(site / "feed.xml")
    assert [e["title"] for e in entries[:2]] == ["修订：乌苏市西湖镇2024年度法治建设工作情况报告", "新增：船溪乡2023年度法治政府建设工作情况"]
    assert len(entries) == 7 and len({e["id"] for e in entries}) == 7  # 5 added, then 1 revised and 1 added
    for e in entries:
        assert (site / e["href"] / "index.html").exists() or (site / e["href"]).is_file(), e


def test_a_county_feed_holds_its_own_reports_and_its_pages_link_it(site: Path) -> None:
    county = site / "townships" / "湖南省" / "辰溪县"
    entries = _atom(county / "feed.xml")
    assert [e["title"] for e in entries] == ["新增：船溪乡2023年度法治政府建设工作情况", "新增：船溪乡2022年度法治政府建设工作情况"]
    assert all((county / e["href"] / "index.html").resolve().exists() for e in entries)
    assert '<link rel="alternate feed" type="application/atom+xml" title="辰溪县新增和修订的报告" href="feed.xml">' in _html(site, "townships/湖南省/辰溪县")
    township = _html(site, "townships/431223200")
    assert 'type="application/atom+xml" title="辰溪县新增和修订的报告" href="../../townships/湖南省/辰溪县/feed.xml"' in township
    assert 'type="application/atom+xml" title="法治地图：新增和修订的报告" href="../../feed.xml"' in township


def test_a_feed_holds_hostile_titles_as_text_and_stays_well_formed() -> None:
    import xml.etree.ElementTree as ET

    from sitegen.render import feeds

    entries = feeds.entries_of("2026.11.23", "2026-11-23T02:00:00+00:00", "- added: x (镇, 县, 2024) `0123456789abcdef`\n- gone: y `fedcba9876543210`")
    row = {"report_id": "0123456789abcdef", "title": "<script>alert(1)</script>\x01&amp;]]>", "year": "2024"}
    xml = feeds.render_feed("t", "urn:x", "feed.xml", "./", entries, {row["report_id"]: row}, {}, to_root="")
    title = ET.fromstring(xml).find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text == "新增：<script>alert(1)</script>&amp;]]>"


def test_every_page_is_at_most_60_kb_of_gzip_html(site: Path) -> None:
    import gzip

    sizes = {str(p.relative_to(site)): len(gzip.compress(p.read_bytes())) for p in site.rglob("*.html")}
    assert len(sizes) > 40 and max(sizes.values()) <= 60 * 1024, max(sizes.items(), key=lambda item: item[1])


def test_a_county_page_gives_its_latest_totals_with_coverage(site: Path) -> None:
    with (site.parent / "releases" / "2026.11.23" / "townships.csv").open(encoding="utf-8-sig") as handle:
        in_county = sum(1 for row in csv.DictReader(handle) if row["county"] == "辰溪县")
    page = _html(site, "townships/湖南省/辰溪县")
    totals = page.split("各项指标合计", 1)[1]
    row = re.search(r'<tr><td data-label="指标"><a href="\.\./\.\./\.\./indicators/disputes_mediated/2023/">调解矛盾纠纷件数</a></td>(.*?)</tr>', totals)
    assert row, totals[:800]
    assert 'data-label="合计">171<' in row.group(1) and f"{in_county} 个乡镇中 1 个报告了该数字" in row.group(1)
    assert "2023年度各乡镇报告中的数字之和" in totals


def test_a_chart_names_its_unit_once() -> None:
    chart = charts.trend_chart("受众人数（人）", "人", [(2022, 7800.0, "at_least"), (2023, 7800.0, "at_least")])
    assert "<figcaption>受众人数（人）</figcaption>" in chart and 'aria-label="受众人数（人）：2022年度 ≥7,800人' in chart
    assert "<figcaption>调解成功率</figcaption>" in charts.trend_chart("调解成功率", "%", [(2022, 98.0, "exact"), (2023, 97.0, "exact")])


def test_a_mention_inside_another_still_has_its_anchor_in_the_archived_text() -> None:
    from sitegen.render.archive import marks_of

    text = "全年调解矛盾纠纷12起，其中成功调解10起。"
    whole = {"report_id": "r", "indicator": "disputes_mediated", "value": "12", "unit": "起", "qualifier": "exact", "quote": text[:-1],
             "quote_start": "0", "quote_end": str(len(text) - 1)}
    inner = {"report_id": "r", "indicator": "disputes_mediation_success", "value": "10", "unit": "起", "qualifier": "exact", "quote": "成功调解10起",
             "quote_start": str(text.index("成功")), "quote_end": str(len(text) - 1)}
    marks = marks_of(text, [whole], [inner])
    assert len(marks) == 1 and marks[0][5] == [f'q-{inner["quote_start"]}-{inner["quote_end"]}']  # the viewer gives the mark that id too


# --- the indicator-year page, for a journalist ------------------------------------------------------

def _report(report_id: str, township: str, code: str, kind: str = "government_annual_report", level: str = "township") -> dict[str, str]:
    return {"report_id": report_id, "revision": "1", "township": township, "township_code": code, "county": "某县", "province": "某省",
            "year": "2024", "kind": kind, "level": level}


def _value(report_id: str, value: str) -> dict[str, str]:
    return {"report_id": report_id, "indicator": "disputes_mediated", "value": value, "unit": "件", "qualifier": "exact",
            "quote": f"调解矛盾纠纷{value}件", "quote_start": "10", "quote_end": "20"}


def test_indicator_year_rows_run_largest_first_with_shufa_and_unplaced_apart() -> None:
    """The demo's 31, 90, 81 read 90, 81, 31; a 述法 report's 500 and a report with no township (900)
    are listed apart, never ranked first; each value links to its figure's anchor or archived sentence."""
    by_id = {r["report_id"]: r for r in (_report("a", "甲镇", "111111101"), _report("b", "乙镇", "111111102"), _report("c", "丙镇", "111111103"),
                                         _report("d", "丁镇", "111111104", kind="shufa"), _report("e", "", "", level="unknown"))}
    largest = [_value("a", "31"), _value("b", "90"), _value("c", "81"), _value("d", "500"), _value("e", "900")]
    cite = pages.Citation(version="2026.11.23", released_on="2026-11-23", site_url="https://example.org/fazhi/")
    markdown = pages.render_indicator_year("disputes_mediated", "2024", ["2024"], by_id, largest, {"件": [5, 1602.0]}, {}, {}, cite=cite)
    annual, rest = markdown.split("### 述法报告", 1)
    shufa, unplaced = rest.split("### 未识别到乡镇的报告", 1)
    values = re.findall(r'data-label="数值"><a href="([^"]+)">([\d,]+)</a>', annual)
    assert [v for _, v in values] == ["90", "81", "31"]
    assert values[0][0] == "../../../townships/111111102/#f-disputes_mediated-2024"  # the figure, not the top of the page
    assert 'data-label="名次">1<' in annual and "../../../archive/?b=111111-2024&amp;r=b-1#q-10-20" in annual  # the sentence, archived
    assert ">500<" in shufa and ">500<" not in annual and ">900<" in unplaced and ">900<" not in annual + shufa
    assert '<a href="../../../archive/?b=c000000-2024&amp;r=e-1#q-10-20">900</a>' in unplaced  # no township page: the value leads to its sentence
    assert "这个数字计入" in markdown and "不含信访件" in markdown and "(调解|调处|化解)" not in markdown  # a definition, not a regex
    assert '<span class="fazhi-cite-version">' in markdown and "，https://example.org/fazhi/indicators/disputes_mediated/2024/" in markdown
    assert "2026.11.23" not in markdown  # the version is release.css's: an unchanged page keeps its bytes on a new release
    assert 'href="../2024.csv"' in markdown


def test_indicator_year_page_has_its_rows_as_csv_and_a_citation_kept_in_print(site: Path) -> None:
    page = _html(site, "indicators/disputes_mediated/2023")
    assert 'href="../2023.csv" download' in page and 'class="fazhi-cite-line"' in page and 'class="fazhi-cite-version"' in page
    assert '.fazhi-cite-version::after { content: "数据集版本 2026.11.23（2026-11-23）"; }' in (site / "assets/release.css").read_text(encoding="utf-8")
    with (site / "indicators/disputes_mediated/2023.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and rows[0]["名次"] == "1" and rows[0]["乡镇"] == "船溪乡" and rows[0]["数值"] == "171"
    assert rows[0]["乡镇页面"].endswith("townships/431223200/#f-disputes_mediated-2023") and "#q-" in rows[0]["原文存档"]
    css = (site / "assets/fazhi.css").read_text(encoding="utf-8")
    printed = css.split("@media print", 1)[1]
    assert ".fazhi-cite-line" in printed and ".fazhi-cite-line { display: none" not in css  # on screen and on paper


# --- statuses -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, word, icon", [("on_time", "按时", "✓"), ("late", "逾期", "!"), ("undated", "发布日期不详", "?"),
                                               ("not_found", "未找到", "✕"), ("not_due", "未到期", "…"), ("not_searched", "未纳入检索", "○"),
                                               ("unreadable", "无法读取", "⊘")])
def test_every_status_is_a_word_an_icon_and_a_colour_class(status: str, word: str, icon: str) -> None:
    from sitegen.tables.statuses import status_badge

    badge = status_badge(status)
    assert f'class="fazhi-status fazhi-status--{status}"' in badge and f'aria-hidden="true">{icon}</span>{word}</span>' in badge


def test_a_year_whose_deadline_had_not_passed_on_the_release_date_is_not_due_never_not_found() -> None:
    from datetime import date

    from sitegen.tables.statuses import fair_status

    assert fair_status("not_found", 2025, date(2026, 3, 20)) == "not_due"  # one early report in March changes nothing for the others
    assert fair_status("not_found", 2025, date(2026, 4, 1)) == "not_found"
    assert fair_status("on_time", 2025, date(2026, 3, 20)) == "on_time"
    assert fair_status("not_found", 2025, None) == "not_found"


def test_an_unknown_status_from_a_newer_release_is_shown_as_its_key_not_dropped() -> None:
    from sitegen.tables.statuses import status_badge

    assert "withdrawn_x" in status_badge("withdrawn_x") and "fazhi-status--unknown" in status_badge("withdrawn_x")
    assert "&lt;b&gt;" in status_badge("<b>")


def test_a_township_page_compares_its_years_on_time_and_figures_with_its_county() -> None:
    from sitegen.tables.rankings import render_township_comparison

    from dataset.coverage import TownshipCoverage

    def township(code: str, statuses: list[str]) -> TownshipCoverage:
        annual = dict(zip([2022, 2023, 2024], statuses))
        return TownshipCoverage(code=code, name=code, county_code="111111", county="某县", prefecture="", province="某省", annual=annual, shufa={})  # type: ignore[arg-type]

    mine = township("111111101", ["on_time", "not_found", "on_time"])
    county = [mine, township("111111102", ["not_found", "not_found", "late"]), township("111111103", ["on_time", "not_due", "not_searched"])]
    line = render_township_comparison(mine, county, [2022, 2023, 2024])
    assert "本乡镇 2 / 3（67%）" in line and "全县各乡镇合计 3 / 7（43%）" in line  # 未到期 and 未纳入检索 are not in the county's denominator
    rows = [_report("a", "甲镇", "111111101")]
    values = [_value("a", "31")]
    place = pages.Place(code="111111101", name="甲镇", county="某县", province="某省")
    page = pages.render_township(place, rows, [], {}, {"a": "正文"}, ["2024年度：按时"], values, line, {("disputes_mediated", "2024", "件"): (12.0, 5)})
    compare = page.content.split('id="compare"', 1)[1].split("<h2", 1)[0]
    assert 'data-label="本乡镇">31<' in compare and 'data-label="全县中位数">12<' in compare and 'data-label="报告的乡镇数">5<' in compare
    assert ("compare", "与本县比较") in page.toc


def test_a_year_whose_only_report_could_not_be_read_says_so_names_the_tool_and_escapes_the_portals_text() -> None:
    """Issue 29: the township page's year line for a report found but not read (unreadable.csv):
    the status, the report linked to its page, what it needs; a title or URL from a portal is text,
    and only an http(s) URL becomes a link."""
    from sitegen.tables.accountability import year_lines

    unread = [{"year": "2022", "kind": "government_annual_report", "title": "<b>船溪乡</b>2022年度报告", "url": 'http://x.gov.cn/a"b.htm',
               "needs": "antiword or LibreOffice"},
              {"year": "2022", "kind": "unknown", "title": "扫描件", "url": "javascript:alert(1)", "needs": "OCR"}]
    [line] = year_lines([2022], None, [], {}, unread)
    assert line.startswith('2022年度：<span class="fazhi-status fazhi-status--unreadable fazhi-status--bare">无法读取</span>：找到了报告，但无法读取：')
    assert '<a href="http://x.gov.cn/a&quot;b.htm" rel="nofollow noopener">&lt;b&gt;船溪乡&lt;/b&gt;2022年度报告</a>（需要 antiword or LibreOffice）' in line
    assert "扫描件（需要 OCR）" in line and "javascript:" not in line
    assert year_lines([2022], None, [], {}) == ['2022年度：<span class="fazhi-status fazhi-status--not_found fazhi-status--bare">未找到</span>']
