"""Identification speed: loading the register, and identifying one report (goals: < 0.5 s, < 2 ms).

    python benchmarks/identify.py [--reports N]

Times are CPU time of the process (time.process_time): the machine is shared, and wall time
measures the neighbours. The reports are the seeds and, when it is on this machine, the dev set's openings; each is
identified N times over (the register and its automaton are loaded once, as in a night).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import read_document  # noqa: E402
from parsers.identity.identify import identify_report  # noqa: E402
from parsers.identity.register import find_names, load_register  # noqa: E402
from parsers.read.normalise import normalise  # noqa: E402

DEVSET = Path("/work/shared/devset/reports")
LOAD_SNIPPET = ("import time; from parsers.identity.register import load_register; t = time.process_time(); load_register(); "
                "print(time.process_time() - t)")


def load_seconds(runs: int = 5) -> list[float]:
    """Register load time in fresh processes (the lru_cache would hide it in this one), after the
    parsers package is imported (its imports, OpenCC and BeautifulSoup, are not the register's)."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True, cwd=ROOT)
        times.append(float(out.stdout.strip()))
    return times


def texts() -> list[tuple[str, bytes]]:
    files = sorted((ROOT / "tests/fixtures/seeds").glob("*.txt"))
    if DEVSET.is_dir():
        files += sorted(DEVSET.glob("*.txt"))
    return [(f.name, f.read_bytes()) for f in files]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=20, help="times each report is identified")
    args = parser.parse_args()
    loads = load_seconds()
    load_register()
    documents = [read_document(data, name) for name, data in texts()]
    prepared = [(doc, normalise(doc.text)) for doc in documents]
    per_report = []
    for document, normalised in prepared:
        started = time.process_time()
        for _ in range(args.repeat):
            find_names.cache_clear()  # each run reads the text afresh, as a night does each report
            identify_report(document, normalised)
        per_report.append((time.process_time() - started) / args.repeat * 1000)
    print(f"register load (fresh process, {len(loads)} runs): median {statistics.median(loads):.3f} s, max {max(loads):.3f} s  (goal < 0.5 s)")
    print(f"identification, {len(prepared)} reports × {args.repeat}: median {statistics.median(per_report):.2f} ms, "
          f"p95 {sorted(per_report)[int(0.95 * (len(per_report) - 1))]:.2f} ms, max {max(per_report):.2f} ms  (goal < 2 ms)")


if __name__ == "__main__":
    main()
