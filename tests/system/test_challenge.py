"""A portal behind a JavaScript challenge: requests alone fails clearly; the browser passes once."""

from __future__ import annotations

import pytest

from flows.harvest.browser import chromium_path, solve_challenge
from flows.harvest.context import SourceNight
from flows.harvest.http import FetchError
from tests.challenge_portal import TOKEN, challenge_portal

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (.ci/run installs it)")
PAGE = ("<html><body>法治</body></html>".encode("utf-8"), "text/html; charset=utf-8")


def test_the_browser_passes_the_challenge_and_returns_its_cookie() -> None:
    with challenge_portal({"/col/index.html": PAGE}) as (base, log):
        cookies = solve_challenge(f"{base}/col/index.html", "FazhiAtlas/0.1")
    assert cookies == {"__jsl_clearance": TOKEN}
    assert log[0] == ("/col/index.html", False) and ("/col/index.html", True) in log


def test_a_challenge_that_never_passes_fails_within_its_deadline_naming_the_url() -> None:
    with challenge_portal({}) as (base, _):  # the page reloads into a 404: never a success either
        url = f"{base}/nothing.html"
        with pytest.raises(FetchError, match="nothing.html: blocked by anti-bot"):
            solve_challenge(url, "FazhiAtlas/0.1", deadline=3)


def _challenged_portal_pages() -> dict[str, tuple[bytes, str]]:
    from tests.conftest import seed_text

    html = "text/html; charset=utf-8"
    listing = ('<html><head><meta charset="utf-8"></head><body><ul>'
               '<li><a href="/art/2025/3/11/art_1_1.html">西仓镇2025年法治政府建设工作情况报告</a><span>2025-03-11</span></li>'
               '</ul></body></html>').encode("utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text("xicang").split("\n") if line.strip())
    article = f'<html><head><meta charset="utf-8"></head><body><div class="article">{paragraphs}</div></body></html>'.encode("utf-8")
    return {"/col/col1/index.html": (listing, html), "/art/2025/3/11/art_1_1.html": (article, html)}


def _harvest(base: str, tmp_path, **client):  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from flows.harvest.http import HttpClient
    from flows.harvest.source import harvest_source
    from flows.store.raw import RawStore
    from parsers.models import Source

    source = Source(id="challenged", name="某县人民政府", listing=[f"{base}/col/col1/index.html"], allowed_domains=["127.0.0.1"],
                    rate_per_second=50, browser=client.pop("browser_first", False))
    http = HttpClient(allow_private=True, browser_first=source.browser, **client)
    return harvest_source(SourceNight(http, source, RawStore(tmp_path / "raw"), datetime(2026, 11, 23, tzinfo=timezone.utc)))


def test_without_a_browser_a_challenged_source_fails_saying_what_to_install(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flows.harvest.discover import ListingError

    with challenge_portal(_challenged_portal_pages()) as (base, log):
        with pytest.raises(ListingError, match=r"challenged: listing page unreachable: .*blocked by anti-bot \(HTTP 412.*no browser to pass it"):
            _harvest(base, tmp_path, challenge_solver=None)
    assert all(not passed for _, passed in log)


def test_with_the_browser_the_challenge_is_passed_once_and_the_report_harvested(tmp_path) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def solver(url: str, agent: str) -> dict[str, str]:
        calls.append(url)
        return solve_challenge(url, agent)

    with challenge_portal(_challenged_portal_pages()) as (base, log):
        summary = _harvest(base, tmp_path, challenge_solver=solver)
        harvested = summary.harvested
    assert not summary.failures, summary.failures
    assert [h.extraction.report.place.township for h in harvested] == ["西仓镇"]
    assert len(calls) == 1  # once for the host, not once per page
    # the client's 412, the browser's visit (412, its reload passes), then every request passes,
    # robots.txt read again behind the challenge
    first_pass = [passed for _, passed in log].index(True)
    assert log[:first_pass] == [("/robots.txt", False), ("/col/col1/index.html", False), ("/col/col1/index.html", False)]
    assert all(passed for _, passed in log[first_pass:])
    assert ("/robots.txt", True) in log and ("/art/2025/3/11/art_1_1.html", True) in log


def test_a_source_marked_browser_passes_the_challenge_before_its_first_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with challenge_portal(_challenged_portal_pages()) as (base, log):
        summary = _harvest(base, tmp_path, challenge_solver=solve_challenge, browser_first=True)
        harvested = summary.harvested
        assert len(harvested) == 1 and not summary.failures
    script_requests = [(path, passed) for path, passed in log if path != "/robots.txt"]
    # the browser's own visit (412, then the reload with its cookie), then every request of the client passes
    assert script_requests[0] == ("/col/col1/index.html", False)
    assert all(passed for _, passed in script_requests[1:])
