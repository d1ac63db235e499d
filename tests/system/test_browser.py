"""The built site in a real browser (Debian's headless Chromium driven by Playwright)."""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browsing import NEEDS_CHROMIUM, chromium, served
from tests.helpers import HOSTILE_TITLE, build_seed_site

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = build_seed_site(tmp_path_factory.mktemp("browser-site"))
    with served(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


NOT_SEARCHED = "尼勒克镇"  # 654028100: a county a report names but no source covers


def township(code: str) -> str:
    """A township page's path: keyed by its 9-digit code."""
    return f"/townships/{code}/"


def county(path: str) -> str:
    return "/townships/" + "/".join(quote(part) for part in path.split("/")) + "/"


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FAZHI_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_township_page_shows_its_figure_table(page, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + township("431223200"))
    rows = page.locator(".fazhi-figures table tbody tr")
    assert rows.count() >= 5
    assert "157" in page.locator(".fazhi-figures").inner_text()
    assert page.locator(".fazhi-figure").first.get_attribute("title")
    page.screenshot(path=str(shots(tmp_path) / "township.png"), full_page=True)


def test_searching_chuanxi_finds_the_township(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/")
    page.keyboard.press("/")  # Material's shortcut to the search field
    page.keyboard.type("船溪")
    page.keyboard.press("End")  # a key event: typed CJK arrives as text input, which Material's search waits to see followed by a key
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    assert "船溪乡" in page.locator(".md-search-result").inner_text()


def test_the_latest_release_download_returns_the_zip(page, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/")
    page.screenshot(path=str(shots(tmp_path) / "home.png"), full_page=True)
    href = page.locator("a.md-button--primary").get_attribute("href")
    assert href and href.endswith(".zip")
    reply = page.request.get(f"{site_url}/{href.lstrip('./')}")
    assert reply.status == 200 and reply.body()[:2] == b"PK"


def test_a_script_in_a_report_title_is_shown_as_text_and_never_runs(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + township("220382203"))
    page.wait_for_load_state("networkidle")
    assert HOSTILE_TITLE in page.locator("article").inner_text()  # every character shown as published
    for link in page.locator("article a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    page.locator(".fazhi-fulltext a").first.click()  # open the full text too (the archive's viewer)
    page.locator("#text p").first.wait_for(timeout=10_000)
    assert HOSTILE_TITLE in page.locator("h1").inner_text() and dialogs == []


def test_markup_in_a_report_body_and_quote_never_runs(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + township("623026102"))
    for figure in page.locator(".fazhi-figure").all():
        figure.hover()
    page.locator(".fazhi-fulltext a").first.click()  # the whole text, rendered from its bundle by archive.js
    page.locator("#text p").first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert "<img src=x onerror=alert(3)>" in page.locator("#text").inner_text()
    assert page.locator("main img").count() == 0 and page.locator("#text b").count() == 0
    assert dialogs == []


def test_indicator_table_sorts_by_value_on_click(page, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/indicators/materials_distributed/2024/")  # one year per page
    page.screenshot(path=str(shots(tmp_path) / "indicator.png"), full_page=True)
    # 2024: 永加乡's annual report is ranked; 胡吉尔台乡's figure is from a 述法 report, in its own table below.
    tables = page.locator(".fazhi-sortable")
    assert "永加乡" in tables.nth(0).inner_text() and "胡吉尔台乡" in tables.nth(1).inner_text() and "胡吉尔台乡" not in tables.nth(0).inner_text()
    for table in (tables.nth(0), tables.nth(1)):
        header = table.locator("th", has_text="数值")
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
    value_column = page.locator(".fazhi-sortable").nth(2)  # the county totals, sorted the same way
    header = value_column.locator("th", has_text="合计")
    header.click()
    values = value_column.locator("tbody tr td:nth-child(3)").all_inner_texts()
    numbers = [float(v.replace("≥", "").replace("≈", "").replace(",", "")) for v in values]
    assert numbers == sorted(numbers) and numbers


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_top_of_a_township_page_says_whether_it_published_on_time(phone, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    phone.goto(site_url + township("431223200"))
    line = phone.locator(".fazhi-years li", has_text="2022年度")
    assert line.inner_text() == "2022年度：2022-11-29 发布，按时；5 项数字"
    box = line.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844  # on the first screen, no scrolling
    assert phone.locator(".fazhi-years li").first.inner_text() == "2025年度：未找到"
    assert phone.title().startswith("船溪乡（辰溪县）")
    # The quote of a figure is on the page, not in a hover-only tooltip.
    assert phone.locator("#f-disputes_mediated-2022 .fazhi-quote").is_visible()
    phone.screenshot(path=str(shots(tmp_path) / "township-phone.png"), full_page=True)


def test_the_county_table_sorts_by_keyboard_to_show_who_never_published(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + county("湖南省/辰溪县"))
    table = page.locator(".fazhi-status-table table")
    header = table.locator("th", has_text="未找到年数")
    header.locator("button").focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    counts = [int(v) for v in table.locator("tbody tr td:last-child").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] == 7 and counts[-1] == 6  # 船溪乡 found its 2022 report
    assert "船溪乡" in table.locator("tbody tr").last.inner_text()
    never = [row for row in table.locator("tbody tr").all_inner_texts() if row.strip().endswith("7")]
    assert len(never) == 22


def test_an_archived_text_shows_no_mojibake_from_a_server_that_names_no_charset(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """The archive's viewer reads its bundle as UTF-8 whatever the server says; the changelog has a BOM."""
    page.goto(site_url + township("431223200"))
    page.locator(".fazhi-fulltext a", has_text="2022").first.click()
    page.locator("#text p").first.wait_for(timeout=10_000)
    assert page.locator("#text").inner_text().startswith("船溪乡2022年度法治政府建设工作情况")  # the text as read (simplified)
    page.goto(site_url + "/downloads/")
    page.goto(page.url + page.locator("a", has_text="更新说明").first.get_attribute("href"))
    assert "新增" in page.locator("body").inner_text() or "added" in page.locator("body").inner_text()
    assert "æ" not in page.locator("body").inner_text()  # UTF-8 read as Latin-1 starts with æ/å/ç


# --- statuses, findability, the official's question ------------------------------------------------

@pytest.mark.parametrize("width", [390, 1366])
def test_a_county_official_finds_who_did_not_publish_for_a_year_in_one_screen(browser, site_url: str, width: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Home → the province (its row in the table) → the county → the year: the names of the
    townships with no 2022 report are on the screen the year link leads to."""
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", is_mobile=width < 600, has_touch=width < 600)
    page = context.new_page()
    page.goto(site_url + "/")
    page.locator(".fazhi-year-panel--default a", has_text="湖南省").click()
    page.locator(".fazhi-year-panel--default a", has_text="辰溪县").click()
    page.locator("nav.fazhi-year-nav a", has_text="2022年度").first.click()
    missing = page.locator("#y2022 .fazhi-missing", has_text="未找到")
    assert missing.is_visible() and "辰阳镇" in missing.inner_text() and "船溪乡" not in missing.inner_text()  # 船溪乡: on time
    assert "22 个" in missing.inner_text() and not page.locator("#y2025").is_visible()
    box = missing.bounding_box()
    assert box is not None and 0 <= box["y"] < 844  # the list starts on the screen the link opened
    page.screenshot(path=str(shots(tmp_path) / f"county-year-{width}.png"))
    context.close()


def test_the_county_table_fits_1366_px_and_filters_by_status(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(site_url + county("湖南省/辰溪县"))
    box = page.locator(".fazhi-status-table")
    assert box.evaluate("e => e.querySelector('table').getBoundingClientRect().width <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    controls = box.locator(".fazhi-filter")
    assert controls.is_visible()
    controls.locator("select").select_option("2022")
    controls.locator("button", has_text="只看按时").click()
    shown = [row for row in box.locator("tbody tr").all() if row.is_visible()]
    assert len(shown) == 1 and "船溪乡" in shown[0].inner_text()
    controls.locator("button", has_text="只看未找到").click()
    assert sum(1 for row in box.locator("tbody tr").all() if row.is_visible()) == 22
    assert "显示 22 / 23 个乡镇" in controls.inner_text()


def test_without_script_the_county_table_shows_every_township_and_no_filter(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + county("湖南省/辰溪县"))
    assert not page.locator(".fazhi-filter").is_visible()
    assert page.locator(".fazhi-status-table tbody tr").count() == 23
    page.goto(site_url + county("湖南省/辰溪县") + "#y2022")  # the year links work without script too (CSS :target)
    assert page.locator("#y2022").is_visible() and not page.locator("#y2025").is_visible()
    context.close()


def test_a_township_that_never_published_is_found_by_name_and_code(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """The finder (sitegen.render.finder, finder.js): nothing of the search on a first visit; a name's
    first character fetches that one piece, a code's first two digits theirs, and nothing else."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert not any("/search/" in url for url in requested)  # a first visit loads no index and no piece
    page.keyboard.press("/")
    page.keyboard.type("辰阳")
    found = page.locator(".fazhi-finder__item").first
    found.wait_for(timeout=5_000)
    assert "辰阳镇" in found.inner_text() and "431223100" in found.inner_text() and "辰溪县" in found.inner_text()
    assert sorted(url for url in requested if "/search/townships/" in url) == [  # names and counties' names starting with 辰 (U+8FB0)
        site_url + "/search/townships/k-8fb0.json", site_url + "/search/townships/n-8fb0.json", site_url + "/search/townships/on-site.json"]
    page.locator("[data-md-component=search-query]").fill("4312231")
    page.locator('.fazhi-finder[data-query="4312231"] .fazhi-finder__item', has_text="辰阳镇").wait_for(timeout=5_000)  # the list answers this query
    assert all(item.inner_text().split("·")[-1].strip().startswith("4312231") for item in page.locator(".fazhi-finder__item").all())
    assert sorted(url.rsplit("/", 1)[1] for url in requested if "/search/townships/" in url) == ["c-43.json", "k-8fb0.json", "n-8fb0.json", "on-site.json"]
    page.locator("[data-md-component=search-query]").fill("辰溪县 辰阳")  # county, then the name's beginning
    page.locator('.fazhi-finder[data-query="辰溪县 辰阳"] .fazhi-finder__item', has_text="辰阳镇").first.click()
    page.wait_for_url("**" + township("431223100"))
    page.goto(site_url + "/")  # a township of a county no source covers (未纳入检索) is found too: its row on its county's page
    page.keyboard.press("/")
    page.keyboard.type(NOT_SEARCHED)
    found = page.locator(f'.fazhi-finder[data-query="{NOT_SEARCHED}"] .fazhi-finder__item', has_text="654028100").first
    assert "未纳入检索" in found.inner_text()
    found.locator("a").click()
    page.wait_for_url("**/" + quote("尼勒克县") + "/")
    assert "尼勒克镇" in page.locator("article").inner_text() and "未纳入检索" in page.locator("article").inner_text()
    page.goto(site_url + township("431223100"))
    assert page.title().startswith("辰阳镇（辰溪县）")
    assert "2022年度：未找到" in page.locator(".fazhi-years").inner_text()
