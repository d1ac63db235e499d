"""How the site build grows, and where a national site stands against its goals (issues 27, 32).

Default: a synthetic release of N townships (one year), built with MkDocs Material; prints pages,
build seconds, total size, largest page and search-index size for each N.

``--releases DIR`` (a data/releases folder holding two or more releases, e.g. the one
``benchmarks/national.py --townships 40000 --years 5 --keep K --no-site`` leaves in K/data):
the full build of the second-newest release, then the night's build of the newest one reusing
it (as ``fazhi nightly`` does), each in a process of its own so that its peak RSS is its own;
then, on the night's site: size and file count (the GitHub Pages limits: 1 GB, 100,000 files),
the home page's first visit in gzip bytes (HTML and the CSS and scripts it loads; the search
index is not loaded until a reader searches), and, in headless Chromium on loopback, the time
from typing a township's name (and a code) in the search box to its first result.

Usage: python benchmarks/site_scale.py                 (N = 400, 4,000, 40,000; the last takes long)
       python benchmarks/site_scale.py --sizes 400 4000 --years 1
       python benchmarks/site_scale.py --releases /tmp/national/data/releases [--keep-sites DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitegen.build import build_site  # noqa: E402

from benchmarks.national import NOW, SOURCE, batches, harvest, size_mb  # noqa: E402
from benchmarks.synthetic import corpus  # noqa: E402
from flows import release, store  # noqa: E402
from flows.records import Night  # noqa: E402

PAGES_LIMIT_MB, FILES_LIMIT = 1000, 100_000  # GitHub Pages


def release_of(n: int, years: int, work: Path) -> str:
    with ProcessPoolExecutor() as pool, store.open_store(work / "fazhi.sqlite") as conn:
        for batch in batches(corpus(n, years), 2000):
            store.merge(conn, Night.of(NOW, list(pool.map(harvest, batch, chunksize=64))))
        info = release.cut_release(conn, work / "releases", [SOURCE], NOW)
    assert info is not None
    return info.version


def _build(releases: Path, version: str, site: Path, docs: Path, previous: Path | None, out: Any) -> None:
    started = time.perf_counter()
    stats = build_site(releases, version, site, docs, previous=previous)
    out.put({"seconds": time.perf_counter() - started, "stats": stats.__dict__ if hasattr(stats, "__dict__") else str(stats),
             "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def build_in_child(releases: Path, version: str, site: Path, docs: Path, previous: Path | None) -> dict[str, Any]:
    """The build in a forked process: its own peak RSS (and its render workers', the largest of them)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    child = context.Process(target=_build, args=(releases, version, site, docs, previous, queue))
    child.start()
    result: dict[str, Any] = queue.get()
    child.join()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["largest_process_mb"] = max(result["rss_mb"], children if children * 1024 > before else 0)
    return result


def site_size(site: Path) -> tuple[float, int]:
    """Bytes (each file once, hard links as the publish sees them: every path is a file) and files."""
    total, files = 0, 0
    for root, _dirs, names in os.walk(site):
        for name in names:
            if name.startswith("."):
                continue  # the build's records (.fazhi-pages.json …) are never published
            total += os.lstat(os.path.join(root, name)).st_size
            files += 1
    return total / 1e6, files


def home_first_visit(site: Path) -> dict[str, int]:
    """gzip bytes of what a first visit to the home page loads: its HTML, stylesheets and scripts."""
    html = (site / "index.html").read_text(encoding="utf-8")
    loaded = {"index.html": len(gzip.compress(html.encode("utf-8"), 6))}
    for ref in re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"#?]+)', html):
        path = site / ref
        if path.is_file():
            loaded[ref] = len(gzip.compress(path.read_bytes(), 6))
    return loaded


def first_results(site: Path, queries: list[str]) -> list[tuple[str, float]]:
    """Seconds from typing each query in the search box (home page, cold cache) to the first
    township result on the screen, in headless Chromium on loopback."""
    from tests.browsing import chromium, served

    timings = []
    with served(site) as url, chromium() as browser:
        for query in queries:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(url + "/")
            page.wait_for_load_state("networkidle")
            page.keyboard.press("/")
            started = time.perf_counter()
            page.keyboard.type(query)
            page.locator(f'.fazhi-finder[data-query="{query}"] .fazhi-finder__item').first.wait_for(timeout=60_000)
            timings.append((query, time.perf_counter() - started))
            context.close()
    return timings


def national(releases: Path, keep: Path | None) -> None:
    versions = sorted((p.name for p in releases.iterdir() if (p / "manifest.json").exists()),
                      key=lambda v: json.loads((releases / v / "manifest.json").read_text(encoding="utf-8"))["created"])
    if len(versions) < 2:
        sys.exit(f"{releases}: two releases needed (the full build of one, the night of the next)")
    work = keep or Path(tempfile.mkdtemp(prefix="fazhi-site-national-"))
    work.mkdir(parents=True, exist_ok=True)
    full, night = work / "full", work / "night"
    for folder in (full, night):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"full build of {versions[-2]} …", flush=True)
    first = build_in_child(releases, versions[-2], full, work / "docs", None)
    print(f"  full build: {first['seconds']:.1f} s, peak RSS {first['rss_mb']:.0f} MB (largest process {first['largest_process_mb']:.0f} MB); {first['stats']}", flush=True)
    print(f"night's build of {versions[-1]}, reusing the full build …", flush=True)
    second = build_in_child(releases, versions[-1], night, work / "docs", full)
    print(f"  night's site step: {second['seconds']:.1f} s, peak RSS {second['rss_mb']:.0f} MB; {second['stats']}", flush=True)
    megabytes, files = site_size(night)
    pieces = [p for p in (night / "search" / "townships").glob("*.json") if p.stem != "on-site"]
    print(f"  site: {megabytes:.0f} MB in {files:,} files (GitHub Pages: {PAGES_LIMIT_MB} MB, {FILES_LIMIT:,} files); "
          f"Material's search index {size_mb(night / 'search' / 'search_index.json'):.1f} MB; finder pieces {len(pieces):,}, "
          f"largest {max(p.stat().st_size for p in pieces) / 1e3:.0f} KB", flush=True)
    by_folder: dict[str, list[float]] = {}
    for path in night.rglob("*"):
        if path.is_file():
            top = path.relative_to(night).parts[0]
            by_folder.setdefault(top, [0, 0])
            by_folder[top][0] += path.stat().st_size / 1e6
            by_folder[top][1] += 1
    print("  by folder: " + "; ".join(f"{k} {v[0]:.0f} MB / {v[1]:,.0f}" for k, v in sorted(by_folder.items(), key=lambda kv: -kv[1][0])[:8]))
    loaded = home_first_visit(night)
    print(f"  home first visit: {sum(loaded.values()) / 1e3:.1f} KB gzip (HTML {loaded['index.html'] / 1e3:.1f} KB; goal 150 KB)", flush=True)
    sample = json.loads(sorted(pieces)[len(pieces) // 2].read_text(encoding="utf-8"))["t"][0]
    for query, seconds in first_results(night, [sample[1], sample[0][:6]]):
        print(f"  first search result for {query!r}: {seconds:.2f} s (goal 2 s)", flush=True)
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 4000, 40000])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--releases", type=Path, help="measure the full and the night's build of this folder's two newest releases")
    parser.add_argument("--keep-sites", type=Path, help="with --releases: build the sites here and keep them")
    args = parser.parse_args()
    if args.releases:
        national(args.releases, args.keep_sites)
        return
    print(f"{'townships':>9} {'reports':>8} {'pages':>7} {'build s':>8} {'site MB':>8} {'largest page KB':>16} {'search index MB':>16}", flush=True)
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"fazhi-site-{n}-"))
        print(f"  … {n} townships: building the release", file=sys.stderr, flush=True)
        version = release_of(n, args.years, work)
        print(f"  … {n} townships: building the site", file=sys.stderr, flush=True)
        started = time.perf_counter()
        pages = build_site(work / "releases", version, work / "public", work / "docs").pages
        seconds = time.perf_counter() - started
        largest = max((work / "public").rglob("*.html"), key=lambda p: p.stat().st_size)
        index = size_mb(work / "public" / "search" / "search_index.json")
        print(f"{n:9d} {n * args.years:8d} {pages:7d} {seconds:8.1f} {size_mb(work / 'public'):8.1f} "
              f"{largest.stat().st_size / 1e3:16.0f} {index:16.1f}", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
