"""A portal behind a JavaScript challenge: requests alone fails clearly; the browser passes once."""

from __future__ import annotations

import pytest

from flows.browser import chromium_path, solve_challenge
from flows.http import FetchError
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
