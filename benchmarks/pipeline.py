"""Parse + normalise + identify + extract throughput on one core, over the demo publications.

Prints reports per second for each input form (text, HTML page, .docx, PDF) end to end, then
for the extraction stage alone (normalised text → observations).
Usage: python benchmarks/pipeline.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from parsers import extract_report, read_document
from parsers.figures.extract import extract_observations
from parsers.read.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
PORTALS = ROOT / "flows" / "demo" / "portals"
INPUTS = {
    "txt": sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt")),
    "html": [PORTALS / "nilka/zwgk/fzzfjsndbg/202501/t20250120_1001.html", PORTALS / "chenxi/art/2022/11/29/art_4521_2088.html",
             PORTALS / "region/info/1046/31805.htm"],
    "docx": [PORTALS / "region/__local/A/3F/xihu_2024_fzjs.docx"],
    "pdf": [PORTALS / "region/__local/B/7C/yongjia_2024_fzzf.pdf"],
}


def measure(paths: list[Path], seconds: float) -> tuple[int, float, float, int]:
    """Reports done, wall seconds, CPU seconds of this process (on a shared machine the wall clock
    says how busy the others were; CPU time says what the work costs), figures found."""
    blobs = [(p.read_bytes(), str(p)) for p in paths]
    extract_report(read_document(*blobs[0]))  # warm caches (OpenCC, code table)
    done, figures, start, cpu = 0, 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for data, name in blobs:
            figures += len(extract_report(read_document(data, name)).observations)
            done += 1
    return done, time.perf_counter() - start, time.process_time() - cpu, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"{'input':6} {'reports':>8} {'seconds':>8} {'reports/s':>10} {'per CPU s':>10} {'figures/report':>15}")
    total_done = total_time = total_cpu = 0.0
    for form, paths in INPUTS.items():
        done, elapsed, cpu, figures = measure(paths, args.seconds)
        total_done, total_time, total_cpu = total_done + done, total_time + elapsed, total_cpu + cpu
        print(f"{form:6} {done:8d} {elapsed:8.2f} {done / elapsed:10.1f} {done / cpu:10.1f} {figures / done:15.1f}")
    print(f"{'all':6} {int(total_done):8d} {total_time:8.2f} {total_done / total_time:10.1f} {total_done / total_cpu:10.1f}")
    texts = [normalise(p.read_text(encoding="utf-8")) for p in INPUTS["txt"]]
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < args.seconds:
        for n in texts:
            extract_observations(n)
            done += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"\nextraction alone (normalised text → observations): {done / elapsed:.1f} reports/s on one core ({done / cpu:.1f} per CPU second)")


if __name__ == "__main__":
    main()
