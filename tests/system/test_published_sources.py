"""Dates from listings and URLs (issue 26), on a listing served on 127.0.0.1: the listing's date
beside a link is kept with the report (the store's links), used as the publication date when the
page has none (published_on_source = listing), kept when the report is extracted again from its
stored bytes, and released; a date in the URL's path stands in when the listing shows none."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

from pytest_httpserver import HTTPServer

from flows import release, store
from flows.harvest.context import SourceNight
from flows.harvest.http import HttpClient
from flows.harvest.source import harvest_source
from flows.records import Night
from flows.reextract import replay, replay_items
from flows.store.raw import RawStore
from parsers.models import RATE_RANGE, Source

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


def _article(township: str) -> str:
    body = (f"{township}2024年法治政府建设年度报告\n"
            f"2024年，{township}坚持以习近平法治思想为指导，深入推进法治政府建设，全年调解矛盾纠纷32起，开展普法宣传活动15场，"
            "组织领导干部学法活动6次，办理行政执法案件12件。依法行政水平持续提升，法治政府建设取得新成效。\n"
            "一、加强组织领导。镇党委、政府高度重视法治政府建设工作，成立法治政府建设工作领导小组，由主要负责同志任组长，"
            "定期研究部署法治政府建设重点任务，切实履行推进法治建设第一责任人职责。\n"
            "二、推进依法行政。严格落实重大行政决策程序，健全合法性审查机制，规范行政执法行为，全面推行行政执法公示制度、"
            "执法全过程记录制度和重大执法决定法制审核制度，行政执法规范化水平不断提高。\n"
            "三、深化普法宣传。以宪法、民法典为重点，开展法律进机关、进村组、进学校、进企业活动，群众法治意识明显增强。\n"
            "四、化解矛盾纠纷。坚持和发展新时代枫桥经验，健全人民调解组织网络，及时排查化解各类矛盾纠纷，维护社会和谐稳定。")
    return f'<html><head><meta charset="utf-8"><title>{township}2024年法治政府建设年度报告</title></head><body><div id="zoom">{"".join(f"<p>{line}</p>" for line in body.split(chr(10)))}</div></body></html>'


def test_listing_and_url_dates_are_kept_used_and_released(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/col/list.htm").respond_with_data(
        '<html><head><meta charset="utf-8"></head><body><ul>'
        '<li><a href="/art/5512345.htm">西湖镇2024年法治政府建设年度报告</a><span>2025-03-10</span></li>'
        '<li><a href="/zwgk/202504/t20250402_77.htm">西仓镇2024年法治政府建设年度报告</a></li>'
        '</ul></body></html>', content_type="text/html; charset=utf-8")
    httpserver.expect_request("/art/5512345.htm").respond_with_data(_article("西湖镇"), content_type="text/html; charset=utf-8")
    httpserver.expect_request("/zwgk/202504/t20250402_77.htm").respond_with_data(_article("西仓镇"), content_type="text/html; charset=utf-8")
    source = Source(id="s", name="x", listing=[httpserver.url_for("/col/list.htm")], allowed_domains=["localhost"], rate_per_second=RATE_RANGE[1])
    raw = RawStore(tmp_path / "raw")
    harvest = harvest_source(SourceNight(HttpClient(allow_private=True), source, raw, NOW))

    first, second = httpserver.url_for("/art/5512345.htm"), httpserver.url_for("/zwgk/202504/t20250402_77.htm")
    reports = {h.url: h.extraction.report for h in harvest.harvested}
    assert set(reports) == {first, second}, [f.reason for f in harvest.failures]
    listed, in_url = reports[first], reports[second]
    assert (listed.published_on, listed.published_on_source, listed.on_time) == (date(2025, 3, 10), "listing", True)
    assert (in_url.published_on, in_url.published_on_source, in_url.on_time) == (date(2025, 4, 2), "url", False)

    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night(now=NOW, harvests=[harvest]))
        # extracted again from the stored bytes (a rule change): the listing's date is read from the store's links
        keys = [tuple(row) for row in conn.execute("SELECT report_id, current_revision FROM reports ORDER BY report_id")]
        again = {r.url: r.rows for r in (replay(item, raw) for item in replay_items(conn, keys, {source.id: source}))}
        assert all(rows is not None for rows in again.values())
        replayed = {url: json.loads(rows.report) for url, rows in again.items() if rows is not None}
        assert (replayed[first]["published_on"], replayed[first]["published_on_source"]) == ("2025-03-10", "listing")
        assert (replayed[second]["published_on"], replayed[second]["published_on_source"]) == ("2025-04-02", "url")
        cut = release.cut_release(conn, tmp_path / "releases", [source], NOW)
    assert cut is not None
    with (Path(cut.path) / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["url"]: row for row in csv.DictReader(handle)}
    assert (rows[first]["published_on"], rows[first]["published_on_source"]) == ("2025-03-10", "listing")
    assert (rows[second]["published_on"], rows[second]["published_on_source"]) == ("2025-04-02", "url")
