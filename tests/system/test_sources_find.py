"""`fazhi sources find` on six loopback portals laid out as real county sites are (tests/find_portals.py,
written before the finder): from the home page, an article, a township sub-site; then the night walks
what was found, through each family's pagination."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from find_portals import ALL, Portal, serve, township_portal, trs_portal

from flows import store
from flows.cli import main
from flows.harvest.context import SourceNight
from flows.harvest.discover import discover_links
from flows.harvest.find import find_columns
from flows.harvest.http import HttpClient
from flows.harvest.registry import parse_sources
from flows.harvest.source import harvest_source
from flows.records import Night
from flows.store.keys import url_key
from flows.store.layout import DataLayout
from flows.store.raw import RawStore

NOW = datetime(2026, 4, 2, tzinfo=timezone.utc)


def found_paths(portal: Portal, start: str, budget: int = 40) -> tuple[list[list[str]], object]:
    result = find_columns(HttpClient(allow_private=True), start, budget=budget, rate=50)
    return [[url.removeprefix(portal.base) for url in f.listings] for f in result.found], result


@pytest.mark.parametrize("make", ALL, ids=[m.__name__ for m in ALL])
def test_the_column_is_found_from_the_home_page(make, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    with serve(make()) as portal:
        assert main(["sources", "find", portal.base + "/", "--adcode", "500238", "--rate", "50"]) == 0
        out = capsys.readouterr().out
        sources = parse_sources("sources:\n" + "\n".join(line for line in out.splitlines() if not line.startswith("#")), "find")
        assert len(sources) == 1, out
        source = sources[0]
        assert sorted(u.removeprefix(portal.base) for u in source.listing) == sorted(portal.columns)
        assert source.family == portal.family and source.checked is False
        assert (source.adcode, source.covers, source.county) == ("500238", ["500238"], "巫溪县")
        assert "fazhi sources find from" in (source.found_by or "") and " → " in (source.found_by or "")
        requests = [r for r in portal.requests if r != "/robots.txt"]
        assert len(requests) <= 40
        # the night walks the column found, through the family's pagination, to every report
        portal.requests.clear()
        found = discover_links(SourceNight(HttpClient(allow_private=True), source.model_copy(update={"rate_per_second": 50}), RawStore(tmp_path / "raw"), NOW))
        taken = {url_key(d.link.url) for d in found.decisions if d.take}
        assert taken == set(portal.report_paths), (taken, portal.report_paths)


def test_the_path_of_links_is_printed_for_each_column(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(trs_portal()) as portal:
        assert main(["sources", "find", portal.base + "/", "--adcode", "500238", "--rate", "50"]) == 0
    out = capsys.readouterr().out
    assert "政务公开 → 政府信息公开目录 → 其他法定公开信息 → 法治政府建设年度报告" in out


def test_from_an_article_the_column_comes_from_its_layout_and_is_read_to_confirm_it() -> None:
    with serve(trs_portal()) as portal:
        article = portal.base + portal.report_paths[-1]
        paths, result = found_paths(portal, article, budget=3)
        assert paths == [portal.columns]
        assert result.found[0].path == ["(its column by the trs layout)"]  # type: ignore[attr-defined]
        assert portal.requests[:2] == ["/robots.txt", portal.columns[0]]


def test_a_township_sub_site_leads_to_the_columns_of_each_year() -> None:
    with serve(township_portal()) as portal:
        paths, result = found_paths(portal, portal.base + "/jd/csl/")
        assert paths == [["/zhengwu/2025nd-jdzfzzfjsqkbg/", "/zhengwu/2024nd-jdzfzzfjsqkbg/"]]
        found = result.found[0]  # type: ignore[attr-defined]
        assert found.yearly and found.path[-2:] == ["法治政府建设", "2025年度"]
        assert found.family == "shanghai"  # no marker on the page: the reports' URL layout names it


def test_a_budget_too_small_finds_nothing_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(trs_portal()) as portal:
        assert main(["sources", "find", portal.base + "/", "--budget", "2", "--rate", "50"]) == 2
        assert len([r for r in portal.requests if r != "/robots.txt"]) == 2
    out = capsys.readouterr().out
    assert "2 page(s) read, 0 column(s) found" in out


def test_the_information_disclosure_annual_report_is_not_a_report_column() -> None:
    """The Hanweb portal's 政府信息公开年报 column lists a 政府信息公开工作年度报告: never followed or named."""
    with serve(ALL[1]()) as portal:
        paths, _ = found_paths(portal, portal.base + "/")
        assert paths == [portal.columns]
        assert "/col/col1229000013/index.html" not in portal.requests
        assert not any("zwfw" in r for r in portal.requests)  # the menu's link to another host is not followed


@pytest.mark.parametrize(("args", "message"), [
    (["ftp://x.gov.cn/"], "only http:// and https://"),
    (["http://127.0.0.1:1/", "--adcode", "999999"], "--adcode 999999: not a county code"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "find", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_start_that_does_not_answer_is_an_error_not_a_walk(capsys: pytest.CaptureFixture[str]) -> None:
    """A start off loopback is walked with the night's guard on (no private addresses); a host that
    does not resolve ends the walk with its error printed, exit 2."""
    assert main(["sources", "find", "http://portal.invalid/", "--budget", "3"]) == 2
    out = capsys.readouterr().out
    assert "0 column(s) found" in out and "error:" in out


def test_the_night_finds_the_listing_of_an_entry_that_has_none(tmp_path: Path) -> None:
    """An imported row without a derivable listing (find_from only): the night looks for the column
    from its page, walks it, and says which listing it used in the source's health."""
    with serve(ALL[3]()) as portal:  # guangdong: the home page's box leads to the column
        text = (f"sources:\n  - id: gd\n    name: 某某市人民政府\n    adcode: \"440825\"\n    find_from: [{portal.base}/]\n"
                f"    checked: false\n    rate_per_second: 50\n")
        source = parse_sources(text, "t")[0]
        harvest = harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(tmp_path / "raw"), NOW))
        assert harvest.health is not None and harvest.health.listing == portal.base + portal.columns[0]
        assert harvest.health.report_links == 3 and not harvest.health.error
        assert len(harvest.harvested) == 3
        layout = DataLayout(root=tmp_path / "data")
        with store.open_store(layout.store_path) as conn:
            store.merge(conn, Night(now=NOW, harvests=[harvest]))
            (status,) = store.source_status(conn, [source])
        assert status.listing_found == portal.base + portal.columns[0]
        assert status.checked and status.checked_on == NOW.isoformat() and status.flags == []


def test_a_new_column_with_one_undated_report_is_found_by_its_name() -> None:
    portal = Portal("one", family="")
    portal.add("/", "<html><head><title>某某乡人民政府</title></head><body><a href='/fzzf/'>法治政府建设</a></body></html>")
    portal.add("/fzzf/", "<html><head><title>法治政府建设</title></head><body><ul><li><a href='/show.aspx?id=77'>"
                         "某某乡2025年度法治政府建设情况报告</a></li></ul></body></html>")
    with serve(portal):
        paths, _ = found_paths(portal, portal.base + "/")
    assert paths == [["/fzzf/"]]


def test_a_boxs_more_link_is_followed_by_the_boxs_heading() -> None:
    """A home page box headed 法治政府建设 with only a 更多>> link to its column, and news links."""
    portal = Portal("more", family="")
    portal.add("/", "<html><head><title>某某县人民政府</title></head><body>"
                    "<div class='box'><div class='hd'><span>工作动态</span><a href='/gzdt/'>更多&gt;&gt;</a></div></div>"
                    "<div class='box'><div class='hd'><span>法治政府建设</span><a href='/ztzl/fz/'>更多&gt;&gt;</a></div>"
                    "<ul><li><a href='/ztzl/fz/1.html'>县司法局开展宪法宣传周活动</a></li></ul></div></body></html>")
    rows = "".join(f"<li><a href='/ztzl/fz/{n}.html'>某某县{y}年度法治政府建设情况报告</a><span>{y + 1}-03-2{n}</span></li>"
                   for n, y in ((2, 2025), (3, 2024)))
    portal.add("/ztzl/fz/", f"<html><head><title>法治政府建设</title></head><body><ul>{rows}</ul></body></html>")
    with serve(portal):
        paths, result = found_paths(portal, portal.base + "/")
    assert paths == [["/ztzl/fz/"]]
    assert result.found[0].path == ["法治政府建设"]  # type: ignore[attr-defined]
    assert "/gzdt/" not in portal.requests
