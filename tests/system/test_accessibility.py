"""axe-core (npm's axe.min.js 4.12, bundled by axe-playwright-python) in Debian's Chromium over every
page type of a built site, light and dark, desktop (1366×900) and phone (390×844): no serious or
critical violation; and, on the way, no console error and no request to anywhere but the site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browsing import NEEDS_CHROMIUM, chromium, served
from tests.helpers import build_multiyear_site

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = NEEDS_CHROMIUM
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    out = build_multiyear_site(tmp_path_factory.mktemp("a11y-site"))
    with served(out) as url:
        yield out, url


def page_types(out: Path) -> dict[str, str]:
    """One page of each type the site has (13), found in the built site."""
    import gzip
    import json

    bundle = sorted((out / "archive" / "b").glob("[0-9]*.json.gz"))[0]  # a township's report, read in the archive's viewer
    report = sorted(json.loads(gzip.decompress(bundle.read_bytes()))["reports"])[0]
    archive = f"?b={bundle.name[: -len('.json.gz')]}&r={report}"
    return {
        "home": "/", "township index": "/townships/", "province": "/townships/" + quote("湖南省") + "/",
        "county": "/townships/" + quote("湖南省/辰溪县") + "/", "township": "/townships/431223200/",
        "unresolved": "/townships/unresolved/", "indicator index": "/indicators/", "indicator": "/indicators/disputes_mediated/",
        "indicator year": "/indicators/disputes_mediated/2023/", "downloads": "/downloads/", "methodology": "/methodology/",
        "404": "/404.html", "archived text": f"/archive/{archive}",
        "township without a report": "/townships/431223100/", "county not searched": "/townships/" + quote("新疆维吾尔自治区/尼勒克县") + "/",
        "rankings": "/rankings/", "english": "/en/", "about": "/about/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_axe_finds_no_serious_violation_console_error_or_outside_request(site: tuple[Path, str], scheme: str, device: str) -> None:
    out, base = site
    axe = axe_sync.Axe()
    found: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=scheme, locale="zh-CN", is_mobile=device == "phone",
                                      has_touch=device == "phone")
        page = context.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((base, "data:")) else None)
        wide: list[str] = []
        for kind, path in page_types(out).items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    found.append(f"{kind} {path}: {violation['id']} ({violation['impact']}) at {violation['nodes'][0]['target']}")
            # No sideways scroll: every page at 1366 px, the county (its township × year table) on a phone too;
            # a table may scroll inside its own wrapper.
            if device == "desktop" or kind == "county":
                scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > inner:
                    wide.append(f"{kind} {path}: {scroll} px wide at {inner}")
        # The township finder's results (finder.js) in the open search dialog.
        page.goto(base + "/")
        page.keyboard.press("/")
        page.keyboard.type("辰")
        page.locator('.fazhi-finder[data-query="辰"] .fazhi-finder__item').first.wait_for()
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")  # the dialog's fade-in:
        page.wait_for_timeout(400)  # colours read mid-transition are partly transparent (a contrast that is not the page's)
        for violation in axe.run(page, context={"include": [[".fazhi-finder"]]}).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(f"search dialog: {violation['id']} ({violation['impact']}) at {violation['nodes'][0]['target']} {violation['nodes'][0].get('failureSummary')}")
        browser.close()
    assert found == []
    assert wide == []
    assert errors == [] and outside == []
