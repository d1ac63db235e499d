"""The two-release site in Chromium as a reader uses it: on a phone (390×844) nothing that answers
the question is off-screen and chart labels stay readable; search finds a township by its county
and its code; print carries the source, the version and a citation line."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.browsing import NEEDS_CHROMIUM, chromium, served
from tests.helpers import build_multiyear_site

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = build_multiyear_site(tmp_path_factory.mktemp("phone-site"))
    with served(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _right_edges(page, selector: str) -> list[float]:  # type: ignore[no-untyped-def]
    return [box["x"] + box["width"] for box in (cell.bounding_box() for cell in page.locator(selector).all()) if box]


def test_on_a_phone_the_value_unit_quote_on_time_and_source_columns_are_on_screen(phone, site_url: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(site_url + "/indicators/disputes_mediated/2023/")
    edges = _right_edges(phone, '.fazhi-cards td:is([data-label="数值"], [data-label="单位"], [data-label="原文"], [data-label="覆盖"])')
    assert len(edges) >= 4 and max(edges) <= 390
    assert phone.locator('.fazhi-cards td[data-label="数值"]').first.inner_text() == "171"
    phone.goto(site_url + "/townships/431223200/")
    edges = _right_edges(phone, '.fazhi-reports td:is([data-label="是否按时"], [data-label="来源"])')
    assert len(edges) == 4 and max(edges) <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself never scrolls sideways


def test_chart_labels_are_at_least_12_px_on_a_phone(phone, site_url: str) -> None:  # type: ignore[no-untyped-def]
    measure = """() => Array.from(document.querySelectorAll('.fazhi-trend svg, .fazhi-chart svg')).flatMap(svg => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Array.from(svg.querySelectorAll('text')).map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    })"""
    for path in ("/townships/431223200/", "/indicators/disputes_mediated/2023/"):
        phone.goto(site_url + path)
        sizes = phone.evaluate(measure)
        assert sizes and min(sizes) >= 12, (path, sizes)
        if path.startswith("/townships/"):
            assert phone.locator(".fazhi-trend svg").first.get_attribute("aria-label") == "调解矛盾纠纷件数（件）：2022年度 157件，2023年度 171件"


def _search(page, site_url: str, query: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/")
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.keyboard.press("End")  # typed CJK arrives as text input; Material's search waits for a key
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    return str(page.locator(".md-search-result").inner_text()).replace("\u200b", "")  # jieba's word breaks


def _find(page, site_url: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The township finder's results (finder.js) for ``query``, typed in the search box."""
    page.goto(site_url + "/")
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.locator(f'.fazhi-finder[data-query="{query}"]').wait_for(timeout=15_000)
    return [str(text) for text in page.locator(".fazhi-finder__item").all_inner_texts()]


def test_search_finds_a_township_by_its_county_and_by_its_code(desktop, site_url: str) -> None:  # type: ignore[no-untyped-def]
    assert any(item.startswith("船溪乡") for item in _find(desktop, site_url, "431223200"))
    by_county = _find(desktop, site_url, "辰溪县")
    assert len(by_county) == 20 and "共 23 个" in desktop.locator(".fazhi-finder__meta").inner_text()  # its 23 townships, 20 shown
    assert all("辰溪县" in item for item in by_county) and by_county[0].startswith("辰阳镇")  # no report, found too (code order)
    assert "辰溪县" in _search(desktop, site_url, "辰溪县")  # the county page, from Material's index
    assert [item for item in _find(desktop, site_url, "辰溪县 船溪") if item.startswith("船溪乡")]


def test_searching_a_word_of_the_rules_never_shows_a_regex(desktop, site_url: str) -> None:  # type: ignore[no-untyped-def]
    shown = _search(desktop, site_url, "调解")
    assert "{0," not in shown and "[^" not in shown and "|" not in shown


def test_print_shows_the_source_url_the_release_version_and_a_citation(desktop, site_url: str) -> None:  # type: ignore[no-untyped-def]
    desktop.emulate_media(media="print")
    desktop.goto(site_url + "/townships/431223200/")
    cite = desktop.locator(".fazhi-cite")
    assert cite.is_visible() and "引用：法治地图 Fazhi Atlas，“船溪乡（辰溪县）”乡镇页面" in cite.inner_text()
    after = desktop.evaluate("getComputedStyle(document.querySelector('.fazhi-cite'), '::after').content")
    assert "数据集版本 2026.11.23" in after
    source = desktop.evaluate("getComputedStyle(document.querySelector('.fazhi-reports a[href^=\"http\"]'), '::after').content")
    assert "http://demo.gov.cn/chuanxi-2023.html" in source
    desktop.emulate_media(media="screen")
    assert not desktop.locator(".fazhi-cite").is_visible()


def test_a_figure_permalink_opens_the_archive_at_its_highlighted_sentence(phone, site_url: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(site_url + "/townships/431223200/#f-disputes_mediated-2022")
    phone.locator("#f-disputes_mediated-2022 a", has_text="在原文中查看这句话").click()
    phone.wait_for_load_state()
    phone.locator("mark.target").wait_for(timeout=10_000)  # drawn by archive.js from the bundle, then scrolled to
    mark = phone.locator("mark.target")
    assert mark.count() == 1 and mark.inner_text().startswith("乡、村两级调解组织共成功调解矛盾纠纷157起")
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 844  # scrolled to it
    assert quote("辰溪县") not in phone.url  # the archive's own URL, not a county page


def _widest(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Tables and links wider than the screen (a table that scrolls inside its box counts too)."""
    return list(page.evaluate("""Array.from(document.querySelectorAll('article table, article a, article p, article ul'))
        .filter(e => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().right > innerWidth + 1)
        .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().width))"""))


def test_on_a_phone_home_downloads_rankings_and_archived_texts_fit_the_screen(phone, site_url: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/downloads/", "/rankings/", "/townships/431223100/", "/en/"):
        phone.goto(site_url + path)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
        assert _widest(phone) == [], path
    phone.goto(site_url + "/townships/431223200/")
    phone.goto(phone.url + (phone.locator("a", has_text="存档全文（标出数字）").first.get_attribute("href") or ""))
    phone.locator("#text p").first.wait_for(timeout=10_000)
    phone.evaluate("""document.querySelector('a[href^="http"]').textContent = 'http://www.example.gov.cn/' + 'zwgk/'.repeat(30) + 'index.html'""")
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")  # a long source address wraps


def test_every_page_carries_the_release_and_the_way_to_report_a_correction(desktop, site_url: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/townships/431223200/", "/indicators/disputes_mediated/2023/", "/rankings/"):
        desktop.goto(site_url + path)
        footer = desktop.locator(".fazhi-footer")
        assert "CC BY 4.0" in footer.inner_text() and "报告错误与更正" in footer.inner_text()
        version = footer.locator(".fazhi-footer-version").evaluate("e => getComputedStyle(e, '::after').content")
        assert "2026.11.23" in version and "2026-11-23" in version
    assert desktop.locator('meta[property="og:image"]').count() == 1
