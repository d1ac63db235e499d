"""Re-extraction at national scale: `fazhi reextract` over a store of N townships × Y years.

Builds the store as benchmarks/national.py does (the synthetic corpus, parsed on every core and
merged in batches), but the way a night stores it: each report's bytes in the raw store and its
fetch in the log, since re-extraction reads the bytes again. Then every revision is marked as made
by an older extractor (what a rule change amounts to) and re-extracted, timed; a release is cut
after it, timed too.

Usage: python benchmarks/reextract.py --townships 4000 --years 5
       python benchmarks/reextract.py --quick        (200 townships × 2 years)
       python benchmarks/reextract.py --keep DIR     (keep the store; a second run reuses it)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.national import NOW, SOURCE, Table, batches, size_mb  # noqa: E402
from benchmarks.synthetic import SyntheticReport, corpus  # noqa: E402
from flows import release, store  # noqa: E402
from flows.records import FetchRecord, Harvested, Night  # noqa: E402
from flows.reextract import record_sources, reextract  # noqa: E402
from flows.store.layout import DataLayout  # noqa: E402
from parsers import extract_report, extractor_version, read_document  # noqa: E402

BATCH = 2000
RAW: Path | None = None


def _start(raw_root: str) -> None:
    global RAW
    RAW = Path(raw_root)


def harvest_stored(report: SyntheticReport) -> tuple[Harvested, FetchRecord]:
    """A synthetic report as a night stores it: bytes in the raw store, the fetch in the log."""
    assert RAW is not None
    body = report.text.encode("utf-8")
    sha = DataLayout(root=RAW.parent).raw().save(body)
    url = f"http://synthetic.invalid{report.url_key.replace('.html', '.txt')}"
    item = Harvested(source_id=SOURCE.id, url_key=store.url_key(url), url=url, sha256=sha, fetched_at=NOW,
                     extraction=extract_report(read_document(body, url, "text/plain")))
    return item, FetchRecord(source_id=SOURCE.id, url=url, url_key=item.url_key, fetched_at=NOW, status=200, sha256=sha, content_type="text/plain")


def build(layout: DataLayout, townships: int, years: int, workers: int, table: Table) -> None:
    started = time.perf_counter()
    merged = 0
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(str(layout.root / "raw"),)) as pool, store.open_store(layout.store_path) as conn:
        for batch in batches(corpus(townships, years), BATCH):
            done = list(pool.map(harvest_stored, batch, chunksize=64))
            merged += len(store.merge(conn, Night.of(NOW, [h for h, _ in done], [log for _, log in done])).new)
        record_sources(conn, [SOURCE], NOW)
    table.row(f"build store, {workers} processes", merged, time.perf_counter() - started, size_mb(layout.store_path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--townships", type=int, default=400)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--quick", action="store_true", help="200 townships × 2 years")
    parser.add_argument("--keep", type=Path, help="keep the data in this folder (reused when it holds a store)")
    parser.add_argument("--no-release", action="store_true", help="skip the release after the re-extraction")
    args = parser.parse_args()
    if args.quick:
        args.townships, args.years = 200, 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="fazhi-reextract-"))
    layout = DataLayout(root=work)
    n = args.townships * args.years
    print(f"{args.townships} townships × {args.years} years = {n} reports; {args.workers} worker processes; {os.cpu_count()} cores")
    table = Table()
    if not layout.store_path.exists():
        build(layout, args.townships, args.years, args.workers, table)
    with store.open_store(layout.store_path) as conn:
        # What a rule change amounts to: every revision's figures made by another extractor than the
        # one in effect (here renamed to "benchmark-old", dropping an earlier run's).
        version = extractor_version()
        conn.execute("BEGIN")
        for name in ("observations", "year_values", "extractions"):
            conn.execute(f"DELETE FROM {name} WHERE extractor = 'benchmark-old'")
            conn.execute(f"UPDATE {name} SET extractor = 'benchmark-old' WHERE extractor = ?", (version,))
        conn.execute("UPDATE revision_extractors SET extractor = 'benchmark-old'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # else the timed run would pay for writing these changes back
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = reextract(conn, layout.raw(), NOW, workers=args.workers)
        own_after, children_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        table.row(f"reextract, {args.workers} processes", result.reextracted, result.seconds, size_mb(layout.store_path))
        main_cpu = own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime
        worker_cpu = children_after.ru_utime + children_after.ru_stime - children.ru_utime - children.ru_stime
        n_done = max(result.reextracted, 1)
        # On a shared machine the wall clock says how busy the others were; CPU time says what the work costs.
        cores = os.cpu_count() or 1
        # The writing process and the workers share the cores: the bound is the busiest of the
        # writer alone, the workers together, and all of them on every core.
        bound = max(main_cpu, worker_cpu / args.workers, (main_cpu + worker_cpu) / cores)
        print(f"  CPU per report: main process {1000 * main_cpu / n_done:.2f} ms, workers {1000 * worker_cpu / n_done:.2f} ms; "
              f"on {cores} free cores: ≈ {n_done / bound:.0f} reports/s")
        if result.failures:
            print(f"  {len(result.failures)} failure(s), e.g. {result.failures[0].reason}")
        if not args.no_release:
            started = time.perf_counter()
            cut = release.cut_release(conn, layout.releases, [SOURCE], NOW)
            table.row("release after it", cut.reports if cut else 0, time.perf_counter() - started)
    print(f"reextract: {result.per_second:.0f} reports/s on {args.workers} processes")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
