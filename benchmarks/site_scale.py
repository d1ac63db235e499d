"""How the site build grows: a synthetic release of N townships, built with MkDocs Material.

Prints, for each N: pages, build seconds, total size, largest page and search-index size.
Usage: python benchmarks/site_scale.py                 (N = 400, 4,000, 40,000; the last takes long)
       python benchmarks/site_scale.py --sizes 400 4000 --years 1
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitegen.build import build_site  # noqa: E402

from benchmarks.national import NOW, SOURCE, batches, harvest, size_mb  # noqa: E402
from benchmarks.synthetic import corpus  # noqa: E402
from flows import release, store  # noqa: E402
from flows.records import Night  # noqa: E402


def release_of(n: int, years: int, work: Path) -> str:
    with ProcessPoolExecutor() as pool, store.open_store(work / "fazhi.sqlite") as conn:
        for batch in batches(corpus(n, years), 2000):
            store.merge(conn, Night.of(NOW, list(pool.map(harvest, batch, chunksize=64))))
        info = release.cut_release(conn, work / "releases", [SOURCE], NOW)
    assert info is not None
    return info.version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 4000, 40000])
    parser.add_argument("--years", type=int, default=1)
    args = parser.parse_args()
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
