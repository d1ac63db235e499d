"""OCR of scanned reports, measured (issue 29): the five seed texts typeset as A4 pages, degraded
like a township's scan (200 dpi, JPEG, a 1–2° skew, a red seal over the signature, dust), made
into image-only PDFs and read through the night's own path (parsers.read_document with the shell's
converters: pages rendered by PDFium, OCR'd in a confined subprocess).

Prints, per seed and in total: the character error rate against the seed's text (whitespace
ignored), the gold figures (tests/gold) the OCR'd text gives against those the original text
gives, whether the township and the year are identified as from the text, and seconds a page.
Goals: CER ≤ 1 %, figures ≥ 98 %, township and year 5/5.

    python benchmarks/ocr.py                 # all five seeds, one OCR worker
    python benchmarks/ocr.py --workers 2     # the seeds OCR'd two at a time (two cores)
    python benchmarks/ocr.py --quick         # the first page of one seed (a smoke test)

Needs the `ocr` extra (or Debian's tesseract-ocr-chi-sim) and a CJK font (fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from flows.demo.scans import degrade, scanned_pdf, text_pages  # noqa: E402
from flows.harvest import convert  # noqa: E402
from flows.harvest.convert import Converters  # noqa: E402
from parsers import Extraction, extract_report, read_document  # noqa: E402

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
GOLD = ROOT / "tests" / "gold"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance by Myers' bit-parallel algorithm (Hyyrö's form): Python's big integers
    as the bit vectors, so 13,000 characters against 13,000 take well under a second."""
    if not a:
        return len(b)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    width = len(a)
    full = (1 << width) - 1
    high = 1 << (width - 1)
    positive, negative, score = full, 0, width
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | negative
        xh = (((eq & positive) + positive) ^ positive) | eq
        ph = negative | ~(xh | positive)
        mh = positive & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        positive = (mh | ~(xv | ph)) & full
        negative = ph & xv
    return score


def _plain(text: str) -> str:
    """The text as the extractor compares it: NFKC (full-width punctuation is half-width, as
    parsers.read.normalise makes it) and no whitespace (OCR's line breaks are not the text's)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def gold_rows(name: str) -> set[tuple[str, float, str]]:
    path = GOLD / f"{Path(name).stem}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["indicator"], float(r["value"]), r["unit"]) for r in rows}


def found(extraction: Extraction, gold: set[tuple[str, float, str]]) -> int:
    return len(gold & {(o.indicator, o.value, o.unit) for o in extraction.observations})


def measure(path: Path, converters: Converters, quick: bool) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    pages = text_pages(text, max_pages=1 if quick else None)
    scans = [degrade(page, seed=i, seal=i == len(pages) - 1) for i, page in enumerate(pages)]
    pdf = scanned_pdf(scans)
    started = time.perf_counter()
    document = read_document(pdf, f"{path.name}.pdf", "application/pdf", converters)
    seconds = time.perf_counter() - started
    original = extract_report(read_document(text.encode("utf-8"), path.name))
    ocred = extract_report(document)
    reference = _plain(text)
    if quick:  # the first page only: compare with as much of the text
        reference = reference[: len(_plain(document.text)) + 20]
    gold = gold_rows(path.name)
    return {
        "seed": path.stem[:3], "pages": len(pages), "seconds": seconds,
        "errors": edit_distance(reference, _plain(document.text)), "chars": len(reference),
        "gold": len(gold), "from_text": found(original, gold), "from_ocr": found(ocred, gold),
        "township": ocred.report.place.township == original.report.place.township and original.report.place.township is not None,
        "year": ocred.report.year == original.report.year and original.report.year is not None,
        "engine": f"{document.ocr.engine} {document.ocr.version}" if document.ocr else "none",
        "confidence": document.ocr.confidence if document.ocr else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="seeds OCR'd at once (each one OCR process)")
    parser.add_argument("--quick", action="store_true", help="the first page of the first seed only")
    args = parser.parse_args()
    if convert.ocr_engine() is None:
        print("no OCR engine: pip install 'fazhi-atlas[ocr]' (or apt install tesseract-ocr-chi-sim)", file=sys.stderr)
        return 2
    seeds = sorted(SEEDS.glob("*.txt"))[: 1 if args.quick else None]
    convert._OCR_POOL = convert.threading.BoundedSemaphore(args.workers)
    with tempfile.TemporaryDirectory() as tmp:
        converters = Converters(Path(tmp) / "ocr")  # a fresh cache: every page is OCR'd
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(lambda p: measure(p, converters, args.quick), seeds))
        wall = time.perf_counter() - started
    print(f"OCR of degraded seed pages (200 dpi, JPEG, 1–2° skew, red seal; {results[0]['engine']}; {args.workers} worker(s))")
    print(f"{'seed':<5}{'pages':>6}{'CER %':>8}{'figures':>10}{'of text':>9}{'township':>10}{'year':>6}{'conf':>7}{'s/page':>8}")
    for r in results:
        print(f"{r['seed']:<5}{r['pages']:>6}{100 * r['errors'] / r['chars']:>8.2f}{r['from_ocr']:>6}/{r['gold']:<3}{r['from_text']:>9}"
              f"{'yes' if r['township'] else 'NO':>10}{'yes' if r['year'] else 'NO':>6}{r['confidence']:>7.3f}{r['seconds'] / r['pages']:>8.1f}")
    pages = sum(int(r["pages"]) for r in results)
    errors, chars = sum(int(r["errors"]) for r in results), sum(int(r["chars"]) for r in results)
    from_ocr, from_text = sum(int(r["from_ocr"]) for r in results), sum(int(r["from_text"]) for r in results)
    print(f"total: {pages} pages; CER {100 * errors / chars:.2f} % (goal ≤ 1 %); figures {from_ocr}/{from_text} of those the text gives "
          f"= {100 * from_ocr / max(1, from_text):.1f} % (goal ≥ 98 %); township {sum(bool(r['township']) for r in results)}/{len(results)}, "
          f"year {sum(bool(r['year']) for r in results)}/{len(results)}; {wall / pages:.1f} s a page wall clock ({args.workers} worker(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
