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
    page.locator(".fazhi-fulltext summary").first.click()  # open the full text too
    assert dialogs == []


def test_markup_in_a_report_body_and_quote_never_runs(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + township("623026102"))
    page.locator(".fazhi-fulltext summary").first.click()
    for figure in page.locator(".fazhi-figure").all():
        figure.hover()
    page.wait_for_timeout(300)
    assert "<img src=x onerror=alert(3)>" in page.locator("article").inner_text()
    assert page.locator("article img").count() == 0
    assert dialogs == []


def test_indicator_table_sorts_by_value_on_click(page, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/indicators/materials_distributed/2024/")  # one year per page
    page.screenshot(path=str(shots(tmp_path) / "indicator.png"), full_page=True)
    values_table = page.locator(".fazhi-sortable").first  # the values; the county totals follow
    value_header = values_table.locator("th", has_text="数值")
    value_header.click()
    values = values_table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    numbers = [float(v.replace("≥", "").replace("≈", "").replace(",", "")) for v in values]
    assert numbers == sorted(numbers) and len(numbers) >= 2  # 2024: 胡吉尔台乡 and 永加乡
    value_header.click()
    values = values_table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert float(values[0].replace("≥", "").replace(",", "")) == max(numbers)


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
    page.goto(site_url + township("431223200"))
    href = page.locator("a", has_text="纯文本").first.get_attribute("href")  # the text as published; 存档 is the highlighted HTML page
    assert href
    reply = page.goto(page.url + href)
    assert reply is not None and "charset" not in (reply.headers.get("content-type") or "")  # as fazhi serve and http.server send it
    assert page.locator("body").inner_text().startswith("船溪鄉2022年度法治政府建設工作情況")
    page.goto(site_url + "/downloads/")
    page.goto(page.url + page.locator("a", has_text="更新说明").first.get_attribute("href"))
    assert "新增" in page.locator("body").inner_text() or "added" in page.locator("body").inner_text()
    assert "æ" not in page.locator("body").inner_text()  # UTF-8 read as Latin-1 starts with æ/å/ç
