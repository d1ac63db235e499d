"""Source health: what each night records per source, the flags `fazhi sources status` and the
night's report raise, and "checked" once a listing answers with report links. Real loopback
portals, a real store."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from flows import store
from flows.cli import main
from flows.harvest.context import SourceNight
from flows.harvest.discover import ListingError
from flows.harvest.health import failure_health
from flows.harvest.http import HttpClient
from flows.harvest.registry import parse_sources
from flows.harvest.source import harvest_source
from flows.records import MergeResult, Night, SourceHarvest, SourceHealth
from flows.run.report import render_run_report, render_summary_lines, summarize
from flows.store.layout import DataLayout

NIGHT1 = datetime(2026, 4, 2, 18, 0, tzinfo=timezone.utc)


def trs_listing(items: list[tuple[str, str, str]], total_pages: int = 1) -> str:
    rows = "\n".join(f'<li><a href="{href}" target="_blank" title="{t}">{t}</a><span>{d}</span></li>' for href, t, d in items)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<div class="list"><ul>{rows}</ul></div>
<script>createPageHTML({total_pages}, 0, "index", "html");</script></body></html>"""


def article(title: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2026-03-20 09:00"><title>{title}</title></head><body><div class="article"><h1>{title}</h1>
<p>{title}如下。</p>
<p>一、主要举措和成效。我镇深入学习贯彻习近平法治思想，认真落实法治政府建设各项任务，党委会专题研究法治建设工作4次。</p>
<p>全年排查化解矛盾纠纷120起，调解成功118起，开展普法宣传活动30场次，发放宣传资料5000份，培育“法律明白人”60名。</p>
<p>二、存在的不足和原因。法治宣传的针对性有待增强，基层执法人员的法律素养有待提高。</p>
<p>二是严格规范公正文明执法。组织执法人员参加执法培训6次，聘请法律顾问审查合同45件，提供法律意见28次，行政执法案卷评查合格率100%。</p>
<p>三是深化法治宣传教育。围绕宪法宣传周、民法典宣传月等节点开展集中宣传，组织领导干部集中学法12次，覆盖群众8000余人次。</p>
<p>四是推进基层依法治理。健全人民调解组织网络，全镇共有调解委员会15个、人民调解员60名，实现村（社区）全覆盖。</p>
<p>三、下一步工作安排。我镇将继续深入推进依法行政，全面提升法治政府建设水平。</p></div></body></html>"""


def news(n: int) -> tuple[str, str, str]:
    return (f"/good/202603/t20260301_{n}.html", f"镇政府召开第{n}次工作例会", f"2026-03-{n % 27 + 1:02d}")


REPORTS = [("/good/202603/t20260320_900.html", "某某镇2025年度法治政府建设情况报告", "2026-03-20"),
           ("/good/202503/t20250320_800.html", "某某镇2024年度法治政府建设情况报告", "2025-03-20")]


def serve(server: HTTPServer, *, good_items: list[tuple[str, str, str]]) -> None:
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /blocked/\n", content_type="text/plain")
    server.expect_request("/good/").respond_with_data(trs_listing(good_items), content_type="text/html; charset=utf-8")
    for href, title, _ in REPORTS:
        server.expect_request(href).respond_with_data(article(title), content_type="text/html; charset=utf-8")
    server.expect_request("/blocked/").respond_with_data(trs_listing(REPORTS), content_type="text/html; charset=utf-8")
    server.expect_request("/waf/").respond_with_data("<html><script>document.cookie='x'</script></html>", status=412)
    server.expect_request("/moved/").respond_with_data("", status=302, headers={"Location": f"http://localhost:{server.port}/good/"})
    # answers 200 with a page that has links (its menu) but no records and no report links
    server.expect_request("/empty/").respond_with_data(
        '<html><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div><div class="list"></div></body></html>',
        content_type="text/html; charset=utf-8")


def registry(server: HTTPServer) -> str:
    base = f"http://127.0.0.1:{server.port}"
    entries = [("good", "/good/", "true"), ("blocked", "/blocked/", "true"), ("waf", "/waf/", "true"), ("moved", "/moved/", "true"),
               ("empty", "/empty/", "true"), ("fresh", "/good/", "false")]
    return "sources:\n" + "".join(
        f"  - id: {sid}\n    name: 某某县某某镇人民政府\n    adcode: \"500238\"\n    listing: [{base}{path}]\n    checked: {checked}\n"
        f"    rate_per_second: 50\n" for sid, path, checked in entries)


def run_night(layout: DataLayout, sources_text: str, now: datetime) -> Night:
    """Each source as the night's task runs it; a source whose listing fails becomes a failure with
    its health, as nightly.gather makes it."""
    sources = parse_sources(sources_text, "t")
    with store.open_store(layout.store_path) as conn:
        known, validators = store.known_keys(conn), store.validators(conn)
    harvests: list[SourceHarvest] = []
    failed: list[SourceHealth] = []
    client = HttpClient(allow_private=True)
    for source in sources:
        try:
            harvests.append(harvest_source(SourceNight(client, source, layout.raw(), now, known=known, validators=validators)))
        except ListingError as exc:
            failed.append(failure_health(source.id, source.listing[0], exc))
    night = Night(now=now, harvests=harvests, failures=[f for h in harvests for f in h.failures], failed_health=failed)
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, night)
    return night


@pytest.fixture
def layout(tmp_path: Path) -> DataLayout:
    return DataLayout(root=tmp_path / "data")


def test_a_night_records_each_sources_health_and_flags_what_stops_it(httpserver: HTTPServer, layout: DataLayout) -> None:
    serve(httpserver, good_items=[*REPORTS, *(news(n) for n in range(1, 19))])
    text = registry(httpserver)
    night = run_night(layout, text, NIGHT1)
    health = {h.source_id: h for h in night.health}
    good = health["good"]
    assert (good.answered, good.items, good.report_links, good.new_report_links, str(good.newest)) == (True, 20, 2, 2, "2026-03-20")
    assert health["blocked"].robots and not health["blocked"].answered
    assert health["waf"].challenge and not health["waf"].answered
    assert health["moved"].off_host and not health["moved"].answered
    assert health["empty"].answered and health["empty"].error and "lists nothing" in health["empty"].error
    assert any(f.source_id == "empty" and "lists nothing" in f.reason for f in night.failures)  # a failure, not a quiet success

    with store.open_store(layout.store_path) as conn:
        statuses = {s.source_id: s for s in store.source_status(conn, parse_sources(text, "t"))}
        rows = conn.execute("SELECT source_id, years FROM source_health WHERE source_id = 'good'").fetchall()
    assert json.loads(rows[0]["years"]) == {"2025": 1, "2024": 1}  # the stored reports, by the year they cover
    assert statuses["good"].flags == [] and statuses["good"].years == {"2024": 1, "2025": 1}
    assert statuses["blocked"].flags == ["robots.txt disallows the listing"]
    assert statuses["waf"].flags == ["answers 412 (anti-bot challenge not passed)"]
    assert statuses["moved"].flags == ["redirects off its host"]
    assert statuses["empty"].flags == ["listing lists nothing"]
    # the unchecked source on a listing that answered with report links is now checked, in the store
    assert statuses["fresh"].checked and statuses["fresh"].checked_on == NIGHT1.isoformat()
    assert not statuses["empty"].checked or parse_sources(text, "t")[4].checked


def test_shape_change_and_nothing_new_over_nights(httpserver: HTTPServer, layout: DataLayout, capsys: pytest.CaptureFixture[str]) -> None:
    full = [*REPORTS, *(news(n) for n in range(1, 19))]
    text = registry(httpserver)
    for n in range(3):  # three quiet nights with the same 20 records: nothing new after the first
        serve(httpserver, good_items=full)
        run_night(layout, text, NIGHT1 + timedelta(days=n))
    serve(httpserver, good_items=[*REPORTS])  # the template changed: 2 records where there were 20
    night = run_night(layout, text, NIGHT1 + timedelta(days=3))
    assert main(["sources", "status", "--data", str(layout.root), "--stale-nights", "3"]) == 0
    out = capsys.readouterr().out
    block = out.split("good  [")[1].split("\n\n")[0].split("\nblocked")[0]
    assert "items last night: 2 (usually 20)" in block
    assert "listing shape changed: 2 items where there were 20" in block and "nothing new for 3 nights" in block
    assert "last success: 2026-04-05" in block
    assert "reports by year: 2024: 1, 2025: 1" in block
    assert "6 source(s)" in out

    # the night's report names them, in the console lines and the artifact
    with store.open_store(layout.store_path) as conn:
        flagged = [s for s in store.source_status(conn, parse_sources(text, "t"), stale_nights=3) if s.flags]
    summary = summarize(parse_sources(text, "t"), night, MergeResult(), night.failures, None, None, None, None, flagged)
    lines = "\n".join(render_summary_lines(summary))
    assert "sources stale or broken: 6" in lines and "good: listing shape changed" in lines and "blocked: robots.txt disallows" in lines
    artifact = render_run_report(summary, {})
    assert "## Sources stale or broken" in artifact and "| waf | answers 412" in artifact


def test_status_without_a_store_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "status", "--data", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "no store here" in err and len(err.strip().splitlines()) == 1


def test_the_demo_night_records_every_source_healthy_and_checked(demo_night) -> None:  # type: ignore[no-untyped-def]
    """The real flow (Prefect, the demo portals): a health row per source, none flagged."""
    from flows.harvest.registry import load_sources

    sources = load_sources(demo_night.sources_file)
    with store.open_store(demo_night.data / "fazhi.sqlite") as conn:
        statuses = store.source_status(conn, sources)
    assert [s.source_id for s in statuses] == [s.id for s in sources]
    assert all(s.nights == 1 and s.last_success and s.checked and s.items_last for s in statuses), statuses
    assert demo_night.summary.sources_flagged == []


def test_the_release_carries_source_health_and_the_site_shows_it_escaped(httpserver: HTTPServer, layout: DataLayout) -> None:
    """sources_health.csv in the release (declared, listed, verified), and the operators' page the
    site makes of it, linked from the methodology page; a portal's words in an error are escaped."""
    from sitegen.build import write_docs

    from flows.release.cut import cut_release
    from flows.release.verify import verify_release

    serve(httpserver, good_items=[*REPORTS, *(news(n) for n in range(1, 19))])
    httpserver.expect_request("/evil/").respond_with_data("<b>x</b>", status=503)
    text = registry(httpserver) + (f"  - id: evil\n    name: 某某镇人民政府\n    adcode: \"500238\"\n"
                                   f"    listing: [\"http://127.0.0.1:{httpserver.port}/evil/?<script>alert(1)</script>\"]\n    rate_per_second: 50\n")
    run_night(layout, text, NIGHT1)
    sources = parse_sources(text, "t")
    with store.open_store(layout.store_path) as conn:
        cut = cut_release(conn, layout.releases, sources, NIGHT1)
    assert cut is not None
    folder = layout.releases / cut.version
    assert verify_release(layout.releases, cut.version) == []
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert "sources_health" in [r["name"] for r in package["resources"]]
    rows = {r["source_id"]: r for r in csv.DictReader((folder / "sources_health.csv").open(encoding="utf-8-sig"))}
    assert set(rows) == {s.id for s in sources}
    assert rows["good"]["reports_by_year"] == "2024:1 2025:1" and rows["good"]["flags"] == ""
    assert rows["blocked"]["flags"] == "robots.txt disallows the listing" and rows["fresh"]["checked"] == "true"
    from frictionless import Package  # the table validates against its declared schema

    report = Package(str(folder / "datapackage.json")).get_resource("sources_health").validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]

    docs = layout.root / "docs"
    write_docs(layout.releases, cut.version, docs)
    page = (docs / "sources-health.md").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.index(">blocked<") < page.index(">good<")  # flagged sources first
    assert "sources-health.md" in (docs / "methodology.md").read_text(encoding="utf-8")
