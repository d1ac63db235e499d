"""National scale, stage by stage: N townships × Y years through parse, merge, release and site.

Prints one row per stage: items, seconds, items/s, peak RSS so far (this process and its worker
processes), and output size. Then the incremental night: the full store built, 100 new reports
and 20 revised ones arrive (fetch excluded), and the whole night is timed.

Usage: python benchmarks/national.py --townships 4000 --years 5
       python benchmarks/national.py --quick          (200 townships × 2 years, for CI)
       python benchmarks/national.py --no-site        (skip the MkDocs build)
       python benchmarks/national.py --keep DIR --night 2   (another night on the store, release and
                                                            site kept in DIR: no rebuild, new reports and revisions of its own)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitegen.stats import SiteStats  # noqa: E402

from benchmarks.synthetic import SyntheticReport, corpus  # noqa: E402
from flows import release, store  # noqa: E402
from flows.publish.site import publish_latest  # noqa: E402
from flows.records import Harvested, Night  # noqa: E402
from flows.store.layout import DataLayout  # noqa: E402
from parsers import extract_report  # noqa: E402
from parsers.models import Document, Source  # noqa: E402

NOW = datetime(2026, 11, 22, 2, tzinfo=timezone.utc)
T = TypeVar("T")
SOURCE = Source(id="national", name="synthetic national corpus", listing=["http://synthetic.invalid/"])
BATCH = 2000  # reports per merge transaction: memory stays flat in N


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def reset_peak() -> None:
    """Start this process's peak RSS (VmHWM) afresh, so that a stage's own peak can be read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def stage_peak_mb() -> float:
    """This process's peak RSS since reset_peak() (Linux), else since it started."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the figure pass): on a shared machine
    a stage's CPU time says more than its wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def harvest(report: SyntheticReport) -> Harvested:
    document = Document(url=f"http://synthetic.invalid{report.url_key}", title=report.title, text=report.text, format="txt")
    return Harvested(source_id=SOURCE.id, url_key=report.url_key, url=document.url, sha256="0" * 64, fetched_at=NOW,
                     extraction=extract_report(document))


@contextmanager
def progress_bar(stage: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich bar on stderr for the long stage, in a terminal only: the table on stdout stays clean."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(stage, total=total)
        yield lambda n: bar.advance(task, n)


def site_breakdown(s: SiteStats) -> str:
    return (f"site: generate {s.generate_s} s, mkdocs {s.mkdocs_s} s, township pages {s.townships_s} s on {s.workers} processes "
            f"({s.rendered} rendered, {s.reused} reused; {s.archives_written} archive texts written, {s.archives_reused} reused)")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def build_store(db: Path, townships: int, years: int, workers: int, advance: Callable[[int], None] = lambda n: None) -> int:
    """The national store: townships × years synthetic reports parsed and extracted on ``workers``
    processes and merged in batches; returns how many reports were merged. Also used by the
    state tests (tests/system/test_state.py) to measure the saved parts at this scale."""
    merged = 0
    with ProcessPoolExecutor(workers) as pool, store.open_store(db) as conn:
        # Executor.map submits its whole input at once: feed it one batch at a time to keep memory flat.
        for batch in batches(corpus(townships, years), BATCH):
            merged += len(store.merge(conn, Night.of(NOW, list(pool.map(harvest, batch, chunksize=64)))).new)
            advance(len(batch))
    return merged


class Table:
    def __init__(self) -> None:
        print(f"{'stage':34} {'items':>9} {'seconds':>9} {'items/s':>10} {'peak RSS MB':>12} {'output MB':>10}", flush=True)

    def row(self, stage: str, items: int, seconds: float, output: float | None = None) -> None:
        rate = f"{items / seconds:10.1f}" if seconds > 0 else f"{'—':>10}"
        out = f"{output:10.1f}" if output is not None else f"{'':>10}"
        print(f"{stage:34} {items:9d} {seconds:9.2f} {rate} {peak_rss_mb():12.0f} {out}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--townships", type=int, default=400)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--quick", action="store_true", help="200 townships × 2 years")
    parser.add_argument("--no-site", action="store_true", help="skip the site build")
    parser.add_argument("--keep", type=Path, help="keep the data and site in this folder")
    parser.add_argument("--night", type=int, default=1,
                        help="which incremental night: from 2 on, a store kept in --keep is reused and only the night runs")
    args = parser.parse_args()
    if args.quick:
        args.townships, args.years = 200, 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="fazhi-national-"))
    work.mkdir(parents=True, exist_ok=True)
    data, public = work / "data", work / "public"  # the site never goes inside the data directory
    data.mkdir(exist_ok=True)
    n = args.townships * args.years
    print(f"{args.townships} townships × {args.years} years = {n} reports; {args.workers} worker processes; {os.cpu_count()} cores")
    table = Table()

    started = time.perf_counter()
    sample = list(islice(corpus(args.townships, args.years), min(n, 2000)))
    table.row("generate (sample)", len(sample), time.perf_counter() - started)

    started = time.perf_counter()
    for report in sample:
        harvest(report)
    table.row("parse+extract, one core", len(sample), time.perf_counter() - started)

    db = data / "fazhi.sqlite"
    layout = DataLayout(root=data)
    if args.night > 1:
        if not (args.keep and db.exists()):
            parser.error("--night 2 and later need --keep DIR holding a store built by an earlier run")
        incremental_night(args, db, data, layout, public, table)
        return
    started = time.perf_counter()
    with progress_bar("parse+extract+merge", n) as advance:
        merged = build_store(db, args.townships, args.years, args.workers, advance)
    table.row(f"parse+extract+merge, {args.workers} processes", merged, time.perf_counter() - started, size_mb(db))

    reset_peak()
    started, cpu = time.perf_counter(), cpu_seconds()
    with store.open_store(db) as conn:
        info = release.cut_release(conn, data / "releases", [SOURCE], NOW)
    assert info is not None
    table.row("release", info.reports, time.perf_counter() - started, size_mb(Path(info.path)))
    print(f"  release: CPU {cpu_seconds() - cpu:.1f} s (with the figure pass, a child process from {release.PARALLEL_FROM} reports); "
          f"own peak RSS {stage_peak_mb():.0f} MB")

    if not args.no_site:
        started = time.perf_counter()
        built = publish_latest(layout, public)
        assert built is not None and built.stats is not None
        table.row("site (generate + mkdocs build)", built.stats.pages, time.perf_counter() - started, size_mb(public))
        index = public / "search" / "search_index.json"
        largest = max((public).rglob("*.html"), key=lambda p: p.stat().st_size)
        print(f"  search index {size_mb(index):.1f} MB; largest page {largest.stat().st_size / 1e3:.0f} KB ({largest.relative_to(public)})")
        print(f"  {site_breakdown(built.stats)}")

    incremental_night(args, db, data, layout, public, table)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def incremental_night(args: argparse.Namespace, db: Path, data: Path, layout: DataLayout, public: Path, table: Table) -> None:
    """100 new reports, 20 revised, everything else unchanged (fetch excluded). Night k > 1 brings
    reports and revisions of its own, so that nights can follow each other on a kept store."""
    k = args.night
    mark = "" if k == 1 else str(k)
    later = NOW + timedelta(days=k)
    fresh = [replace(r, url_key=r.url_key.replace(".html", f"-new{mark}.html"), year=2026) for r in islice(corpus(100, 1, seed=98 + k), 100)]
    revised = [replace(r, text=r.text.replace("全面推进法治政府建设", f"全面推进法治政府建设（修订{mark}）"))
               for r in islice(corpus(args.townships, args.years), 20 * (k - 1), 20 * k)]
    night_started = started = time.perf_counter()
    items = [harvest(r) for r in fresh + revised]
    table.row("  night: parse+extract", len(items), time.perf_counter() - started)
    started = time.perf_counter()
    with store.open_store(db) as conn:
        result = store.merge(conn, Night.of(later, items))
        table.row("  night: merge", len(items), time.perf_counter() - started)
        reset_peak()
        started, cpu = time.perf_counter(), cpu_seconds()
        night = release.cut_release(conn, data / "releases", [SOURCE], later)
        table.row("  night: release", night.reports if night else 0, time.perf_counter() - started)
        print(f"  night: release: CPU {cpu_seconds() - cpu:.1f} s; own peak RSS {stage_peak_mb():.0f} MB")
    assert night is not None and (len(result.new), len(result.revised)) == (100, 20), f"new {len(result.new)}, revised {len(result.revised)}, mirrored {len(result.mirrored)}, unchanged {len(result.unchanged)}"
    if not args.no_site:
        started = time.perf_counter()
        built = publish_latest(layout, public)
        assert built is not None and built.stats is not None
        table.row("  night: site (unchanged pages reused)", built.stats.pages, time.perf_counter() - started)
        print(f"  {site_breakdown(built.stats)}")
    table.row("incremental night (100 new, 20 revised)", 120, time.perf_counter() - night_started)


if __name__ == "__main__":
    main()
