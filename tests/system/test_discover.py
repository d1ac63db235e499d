"""Discovery and fetching on portals shaped like the real ones, served on 127.0.0.1."""

from datetime import datetime, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from flows import store
from flows.harvest.context import SourceNight
from flows.harvest.http import HttpClient
from flows.harvest.source import harvest_source
from flows.records import Night
from flows.store.raw import RawStore
from parsers.models import RATE_RANGE, Source
from tests.conftest import PORTALS, seed_text

RATE_MAX = RATE_RANGE[1]  # the fastest rate a source may ask for (the registry refuses more)

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
REPORT = (PORTALS / "region/info/1046/31805.htm").read_bytes()  # 西仓镇, VSB-style


def page(items: str, pager: str = "") -> str:
    return f'<html><head><meta charset="utf-8"></head><body><div class="list"><ul>{items}</ul></div>{pager}</body></html>'


@pytest.fixture
def vsb_portal(httpserver: HTTPServer) -> HTTPServer:
    """A VSB column over two pages (下一页), with a report, a .wps attachment and decoys."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/info/8641.htm").respond_with_data(
        page('<li><a href="8641/532061.htm">西仓镇2025年法治政府建设工作情况报告</a><span>2025-12-12</span></li>'
             '<li><a href="8641/532000.htm">某某县2025年政府信息公开工作年度报告</a><span>2025-12-01</span></li>',
             '<a href="8641/2.htm">下一页</a>'),
        content_type="text/html; charset=utf-8",
    )
    httpserver.expect_request("/info/8641/2.htm").respond_with_data(
        page('<li><a href="531500.htm">新华乡2024年法治政府建设年度报告</a><span>2025-03-02</span></li>'
             '<li><a href="531400.htm">某某乡2024年法治政府建设工作要点</a><span>2025-02-02</span></li>'),
        content_type="text/html; charset=utf-8",
    )
    httpserver.expect_request("/info/8641/532061.htm").respond_with_data(REPORT, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/info/8641/531500.htm").respond_with_data(
        '<html><body><div id="vsb_content"><p>附件：<a href="/__local/9/AB/report.wps">新华乡2024年法治政府建设年度报告.wps</a></p></div></body></html>',
        content_type="text/html; charset=utf-8",
    )
    return httpserver


def harvest(server: HTTPServer, tmp_path: Path, **source_fields):  # type: ignore[no-untyped-def]
    source = Source(id="pingbian", name="屏边县人民政府", listing=[server.url_for("/info/8641.htm")],
                    allowed_domains=["localhost"], rate_per_second=RATE_MAX, **source_fields)
    return harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(tmp_path / "raw"), NOW))


def test_vsb_column_is_walked_across_pages_and_only_reports_are_fetched(vsb_portal: HTTPServer, tmp_path: Path) -> None:
    summary = harvest(vsb_portal, tmp_path)
    harvested = summary.harvested
    taken = sorted(d.link.title for d in summary.decisions if d.take)
    assert taken == ["新华乡2024年法治政府建设年度报告", "西仓镇2025年法治政府建设工作情况报告"]
    assert summary.listing is not None and summary.listing.complete
    assert [h.extraction.report.place.township for h in harvested] == ["西仓镇"]
    fetched_paths = {request.path for request, _ in vsb_portal.log}
    assert "/info/8641/532000.htm" not in fetched_paths and "/info/8641/531400.htm" not in fetched_paths


def test_an_attachment_that_needs_a_missing_tool_is_recorded_with_what_it_needs_not_dropped(vsb_portal: HTTPServer, tmp_path: Path,
                                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A .wps is read through LibreOffice (tests/system/test_formats.py); on a machine without it the
    report is a failure naming the file and what it needs, kept in the store's ``unreadable``."""
    from flows.harvest import convert

    monkeypatch.setattr(convert, "libreoffice", lambda: None)
    vsb_portal.expect_request("/__local/9/AB/report.wps").respond_with_data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
                                                                          content_type="application/octet-stream")
    summary = harvest(vsb_portal, tmp_path)
    assert [(f.url.rsplit("/", 1)[-1], f.needs) for f in summary.failures] == [("531500.htm", "LibreOffice")]
    assert summary.failures[0].reason.endswith("report.wps: unreadable: needs LibreOffice (.wps)")
    unread = summary.failures[0].unread  # what its page and listing title say of it: coverage's unreadable, not not_found
    assert unread is not None and unread.title == "新华乡2024年法治政府建设年度报告" and unread.year == 2024
    assert unread.kind == "government_annual_report" and unread.file_url is not None and unread.file_url.endswith("/report.wps")
    assert unread.township_code is None  # many townships are named 新华乡 and this source names no county: none is guessed
    night = Night(now=NOW, harvests=[summary], failures=summary.failures)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        assert store.keep_unreadable(conn, night) == 1
        assert [(r["url"].rsplit("/", 1)[-1], r["needs"]) for r in store.unreadable_reports(conn)] == [("531500.htm", "LibreOffice")]


def test_skip_reasons_are_kept_in_the_store(vsb_portal: HTTPServer, tmp_path: Path) -> None:
    summary = harvest(vsb_portal, tmp_path)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night(now=NOW, harvests=[summary]))
        reasons = dict(conn.execute("SELECT title, reason FROM links WHERE taken = 0").fetchall())
    assert reasons["某某县2025年政府信息公开工作年度报告"] == "政府信息公开工作年度报告 (information disclosure, not rule of law)"
    assert reasons["某某乡2024年法治政府建设工作要点"] == "a plan, notice or rule, not a report"
    assert reasons["下一页"] == "title does not look like a rule-of-law report"


def test_a_listing_cut_by_max_pages_is_not_complete(vsb_portal: HTTPServer, tmp_path: Path) -> None:
    summary = harvest(vsb_portal, tmp_path, max_pages=1)
    assert summary.listing is not None and not summary.listing.complete
    assert "/info/8641/2.htm" not in {request.path for request, _ in vsb_portal.log}


def test_a_page_titled_like_a_report_whose_text_is_not_one_is_refused(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/list.htm").respond_with_data(
        page('<li><a href="/a.htm">某某镇2024年法治政府建设年度报告</a></li>'), content_type="text/html; charset=utf-8")
    filler = "".join(f"<p>{line}</p>" for line in ["本站正在升级维护，请稍后访问。"] * 40)
    httpserver.expect_request("/a.htm").respond_with_data(f'<html><body><div id="zoom">{filler}</div></body></html>', content_type="text/html")
    source = Source(id="s", name="x", listing=[httpserver.url_for("/list.htm")], allowed_domains=["localhost"], rate_per_second=RATE_MAX)
    summary = harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(tmp_path / "raw"), NOW))
    harvested = summary.harvested
    assert harvested == []
    assert "not a rule-of-law report despite its title" in summary.failures[0].reason


def test_a_gb2312_labelled_page_with_a_gbk_only_character_reaches_the_dataset_intact(httpserver: HTTPServer, tmp_path: Path) -> None:
    text = seed_text("yongjia").replace("永加乡人民政府", "永加乡人民政府（镕）")
    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><div id="zoom">'
            + "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip()) + "</div></body></html>").encode("gbk")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/list.htm").respond_with_data(
        page('<li><a href="/y.htm">永加乡2024年法治政府建设工作报告</a></li>'), content_type="text/html; charset=utf-8")
    httpserver.expect_request("/y.htm").respond_with_data(body, content_type="text/html; charset=gb2312")
    source = Source(id="s", name="x", listing=[httpserver.url_for("/list.htm")], allowed_domains=["localhost"], rate_per_second=RATE_MAX)
    harvested = harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(tmp_path / "raw"), NOW)).harvested
    assert "双辽市永加乡人民政府（镕）" in harvested[0].extraction.text
    assert "\ufffd" not in harvested[0].extraction.text


def test_titles_without_a_year_or_shortened_are_fetched_and_decided_by_their_text(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A TRS-style column: one title names no year, one is shortened with the whole title in the
    anchor's `title` attribute, one is shortened with no attribute, and a navigation link."""
    body = seed_text("xicang")  # 西仓镇's report: its text says which year
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/col/fzzf/index.html").respond_with_data(
        page('<li><a href="./202503/t20250310_1.html">大河乡人民政府关于法治政府建设的情况报告</a><span>2025-03-10</span></li>'
             '<li><a href="./202503/t20250311_2.html" title="西仓镇2025年法治政府建设工作情况报告">关于2025年度法治政府建设…</a><span>2025-03-11</span></li>'
             '<li><a href="./202503/t20250312_3.html">关于2025年度法治建设工作…</a><span>2025-03-12</span></li>'
             '<li><a href="./index.html">法治政府建设年度报告</a></li>'),
        content_type="text/html; charset=utf-8",
    )
    article = '<html><head><meta charset="utf-8"></head><body><div class="TRS_Editor">{}</div></body></html>'
    paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n") if line.strip())
    for name in ("t20250310_1", "t20250311_2", "t20250312_3"):
        httpserver.expect_request(f"/col/fzzf/202503/{name}.html").respond_with_data(article.format(paragraphs), content_type="text/html; charset=utf-8")
    source = Source(id="dahe", name="某县人民政府", listing=[httpserver.url_for("/col/fzzf/index.html")], allowed_domains=["localhost"], rate_per_second=50)
    summary = harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(tmp_path / "raw"), NOW))
    harvested = summary.harvested
    taken = {d.link.title: d.reason for d in summary.decisions if d.take}
    assert set(taken) == {"大河乡人民政府关于法治政府建设的情况报告", "西仓镇2025年法治政府建设工作情况报告", "关于2025年度法治建设工作…"}
    assert "read from the text" in taken["大河乡人民政府关于法治政府建设的情况报告"]
    refused = {d.link.title: d.reason for d in summary.decisions if not d.take}
    assert refused == {"法治政府建设年度报告": "no year in the title: a column or navigation link"}
    assert len(harvested) == 3 and not summary.failures
    assert {h.extraction.report.year for h in harvested} == {2025}  # from the text, not the title
    shortened = next(h for h in harvested if h.url.endswith("t20250312_3.html"))
    assert shortened.extraction.report.title is None  # never the shortened listing title; this text has no title line of its own
