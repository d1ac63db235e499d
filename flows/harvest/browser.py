"""Pass a portal's JavaScript anti-bot challenge once, in headless Chromium, and keep its cookies.

Many county portals (瑞数/加速乐-style front ends) answer a script client with HTTP 412 and a
page whose script computes a cookie and reloads; a browser passes. Fazhi Atlas asks a real
browser only then (or for a source that sets `browser: true`), once per host and night, and
hands the cookies back to that host's `requests` session, so every later request stays within
the same client, caps, guard and politeness limits.

The browser is Debian's `chromium` driven by Playwright (`pip install 'fazhi-atlas[browser]'`);
Playwright's own browser download is never needed. The challenge page's script is the one thing
from a portal that is ever executed, and only inside Chromium: every request the page makes to
another host than the one challenged is aborted, downloads are refused, and the whole visit has a
deadline.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flows.harvest.http import FetchError

# As the machine notes say: without the background-networking flags Chromium tries to reach Google.
CHROMIUM_ARGS = ["--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio"]
DEADLINE_SECONDS = 30.0


def chromium_path() -> str | None:
    """FAZHI_CHROMIUM, else Debian's chromium on PATH."""
    return os.environ.get("FAZHI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def available_solver() -> Callable[[str, str], dict[str, str]] | None:
    """solve_challenge when Playwright and a chromium are installed, else None (the source then
    fails on a challenge saying what to install)."""
    if importlib.util.find_spec("playwright") is None or chromium_path() is None:
        return None
    return solve_challenge


def solve_challenge(url: str, user_agent: str, *, deadline: float = DEADLINE_SECONDS) -> dict[str, str]:
    """Open ``url`` in headless Chromium until the page stops answering 412 and return the cookies
    the browser then holds for its host. Raises FetchError (naming the URL and why) when no browser
    is available or the challenge is not passed within ``deadline`` seconds."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise FetchError(f"{url}: blocked by anti-bot (HTTP 412) and no browser to pass it: pip install 'fazhi-atlas[browser]'", 412) from exc
    executable = chromium_path()
    if executable is None:
        raise FetchError(f"{url}: blocked by anti-bot (HTTP 412) and no chromium found (apt-get install chromium, or set FAZHI_CHROMIUM)", 412)
    host = urlsplit(url).hostname or ""
    args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])  # Chromium's sandbox refuses to start as root
    ends = time.monotonic() + deadline
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=args, timeout=deadline * 1000)
            try:
                context = browser.new_context(user_agent=user_agent, accept_downloads=False, java_script_enabled=True)
                context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == host else route.abort())
                page = context.new_page()
                statuses: list[int] = []
                page.on("response", lambda response: statuses.append(response.status) if response.request.is_navigation_request() else None)
                page.goto(url, wait_until="load", timeout=deadline * 1000)
                while time.monotonic() < ends:
                    if statuses and statuses[-1] < 400:
                        break
                    page.wait_for_timeout(250)
                else:
                    raise FetchError(f"{url}: blocked by anti-bot (HTTP 412): the browser did not pass the challenge in {deadline:g} s", 412)
                return {c["name"]: c["value"] for c in context.cookies(url)}
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise FetchError(f"{url}: blocked by anti-bot (HTTP 412): the browser failed: {str(exc).splitlines()[0]}", 412) from exc
