"""Builders shared by the store, release and site tests: real seed reports as harvested records."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sitegen.stats import SiteStats

from flows.records import Harvested, Listing, Night
from parsers import extract_report, read_document
from tests.conftest import SEED_NAMES, seed_text

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def harvested(name: str, text: str | None = None, *, source_id: str = "demo", title: str | None = None) -> Harvested:
    body = (text if text is not None else seed_text(name)).encode("utf-8")
    document = read_document(body, f"http://demo.gov.cn/{name}.txt")
    if title is not None:
        document = document.model_copy(update={"title": title})
    return Harvested(
        source_id=source_id,
        url_key=f"/{name}.html",
        url=f"http://demo.gov.cn/{name}.html",
        sha256="0" * 64,
        fetched_at=NOW,
        extraction=extract_report(document),
    )


def all_seeds() -> list[Harvested]:
    return [harvested(name) for name in SEED_NAMES]


HOSTILE_TITLE = '永加乡2024年<script>alert(1)</script>[x](javascript:alert(2)) | {{ config }}'
# Appended to 西仓镇's text: markup, Markdown tricks, template syntax and table breakers in a body
# and, through the figure, in a quote.
HOSTILE_BODY = ('<img src=x onerror=alert(3)> ![p](javascript:alert(4)) {% include "secret" %} {{ 7*7 }} | a | b |\n'
                '<b onmouseover=alert(5)>全年调解矛盾纠纷12起。')


def build_seed_site(root: Path) -> Path:
    """A real MkDocs build (strict) of a release of the five seeds, 永加乡's title made hostile."""
    return build_seed_site_with_stats(root)[0]


def build_seed_site_with_stats(root: Path) -> tuple[Path, SiteStats]:
    """build_seed_site, and what the build did."""
    from sitegen.build import build_site

    from flows import release, store
    from parsers.models import Source

    items = all_seeds()
    items[-1] = harvested("yongjia", title=HOSTILE_TITLE)
    items[3] = harvested("xicang", seed_text("xicang") + "\n" + HOSTILE_BODY)
    with store.open_store(root / "fazhi.sqlite") as conn:
        # the source's listing read to its end (the sampling frame): 辰溪县's townships without a report are not_found
        listing = Listing(source_id="demo", complete=True, url_keys=[i.url_key for i in items], pages=1, reached_end=True)
        store.merge(conn, Night.of(NOW, items, listings=[listing]))
        info = release.cut_release(conn, root / "releases", [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"], covers=["431223"])], NOW)
    assert info is not None
    out = root / "public"
    return out, build_site(root / "releases", info.version, out, root / "docs", strict=True)


CHUANXI_2023 = "chuanxi-2023"  # 船溪乡's 2022 report, told again for 2023 with other figures


def build_multiyear_site(root: Path) -> Path:
    """Two releases and a site of the second: the five seeds, then 船溪乡's 2023 report added (its
    figures across two years: trends, per-year indicator pages) and 西湖镇's report revised (the
    feed's "revised" entry). The report 2023 text's date is 2024-05-20: late."""
    from datetime import timedelta

    from sitegen.build import build_site

    from flows import release, store
    from parsers.models import Source

    sources = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"], covers=["431223"])]
    later = seed_text("chuanxi").replace("2022", "2023").replace("2023-11-29", "2024-05-20").replace("157起", "171起").replace("154起", "160起")
    with store.open_store(root / "fazhi.sqlite") as conn:
        listing = Listing(source_id="demo", complete=False, url_keys=[], pages=1, reached_end=True)  # searched: the frame
        store.merge(conn, Night.of(NOW, all_seeds(), listings=[listing]))
        assert release.cut_release(conn, root / "releases", sources, NOW) is not None
        next_day = NOW + timedelta(days=1)
        store.merge(conn, Night.of(next_day, [harvested(CHUANXI_2023, later), harvested("xihu", seed_text("xihu") + "\n全年发放宣传资料3000份。")]))
        info = release.cut_release(conn, root / "releases", sources, next_day)
    assert info is not None
    out = root / "public"
    build_site(root / "releases", info.version, out, root / "docs", strict=True)
    return out


class Drained:
    """A child process whose stdout and stderr are both read by threads as they arrive.

    Reading one pipe line by line while the other is never read hangs both sides once the child
    writes more than a pipe holds to the unread one (issue 31, item 16): every wait here has a
    timeout, and both pipes are always drained."""

    def __init__(self, process: "subprocess.Popen[str]") -> None:
        import queue
        import threading

        self.process = process
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []

        def pump(stream, into: list[str], signal_lines: bool) -> None:  # type: ignore[no-untyped-def]
            for line in stream:
                into.append(line)
                if signal_lines:
                    self.lines.put(line)
            if signal_lines:
                self.lines.put(None)

        self.threads = [threading.Thread(target=pump, args=(process.stdout, self.stdout, True), daemon=True),
                        threading.Thread(target=pump, args=(process.stderr, self.stderr, False), daemon=True)]
        for thread in self.threads:
            thread.start()

    def wait_for(self, text: str, timeout: float) -> str:
        """The first stdout line containing ``text``; AssertionError with both outputs after ``timeout``
        seconds or when the child's stdout ends first."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is not None and text in line:
                return line
            if line is None:
                raise AssertionError(f"no line with {text!r} within {timeout:g} s\n--- stdout\n{''.join(self.stdout)[-3000:]}"
                                     f"\n--- stderr\n{''.join(self.stderr)[-3000:]}")

    def finish(self, timeout: float) -> tuple[str, str]:
        """Wait for the child (killed after ``timeout``: then AssertionError) and return its whole output."""
        import subprocess

        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise AssertionError(f"still running after {timeout:g} s\n--- stderr\n{''.join(self.stderr)[-3000:]}") from None
        for thread in self.threads:
            thread.join(timeout=30)
        return "".join(self.stdout), "".join(self.stderr)


def archived_reports(site: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """Every report revision in the site's archive bundles (sitegen.render.archive), by ``<id>-<revision>``."""
    import gzip
    import json

    found: dict[str, dict] = {}  # type: ignore[type-arg]
    for bundle in sorted((site / "archive" / "b").glob("*.json.gz")):
        found.update(json.loads(gzip.decompress(bundle.read_bytes()))["reports"])
    return found
