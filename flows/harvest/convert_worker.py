"""The Python half of the converters, run as a script in a confined subprocess (flows/harvest/convert.py):
libraries that parse hostile bytes in native code (calamine, PDFium, onnxruntime) run here, under
the parent's memory, file-size and time limits, so that a crash or a hang is one file's failure.

    convert_worker.py sheet FILE                        → JSON list of sheets' text on stdout
    convert_worker.py ofd FILE                          → JSON {"pages": [...], "images": {page: member}}
    convert_worker.py ocr ENGINE FORMAT FILE OUT DPI P,Q → one JSON line per page into OUT, as read

Run with ``python -I`` (isolated: no user site, no current directory on the path), so it imports
nothing of the project: it is a leaf that only reads its file and prints.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

MIN_PAGE_PIXELS = 500
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def sheet(path: str) -> None:
    """Each sheet's rows, a row's non-empty cells joined by spaces (as a table row of a .docx)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        lines = [" ".join(_cell(c) for c in row if _cell(c)) for row in rows]
        sheets.append("\n".join(line for line in lines if line))
    print(json.dumps(sheets, ensure_ascii=False))


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def ofd(path: str) -> None:
    """The text of each page of an .ofd (ofdkit), and for each page the image member it shows
    (a scanned page holds one page-sized image and no text): the parent OCRs those."""
    import ofdkit

    with ofdkit.open(path) as document:
        pages = [page.text() or "" for page in document.pages]
    print(json.dumps({"pages": pages, "images": _ofd_page_images(path)}, ensure_ascii=False))


def _ofd_page_images(path: str) -> dict[str, str]:
    """Page index → the largest image member its content refers to (OFD: Doc_0/Pages/Page_N/Content.xml
    has ImageObject ResourceID=…; the document's resources map the ID to a file in Res/)."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        media: dict[str, str] = {}
        for name in names:
            if name.lower().endswith((".xml",)) and re.search(r"res\.xml$", name, re.I):
                xml = archive.read(name).decode("utf-8", "replace")
                base = re.search(r'BaseLoc="([^"]*)"', xml)
                folder = str(Path(name).parent / (base.group(1) if base else ""))
                for media_id, loc in re.findall(r'<ofd:MultiMedia[^>]*ID="(\d+)"[^>]*>\s*<ofd:MediaFile>([^<]+)</ofd:MediaFile>', xml):
                    media[media_id] = str(Path(folder) / loc.strip()).lstrip("/")
        page_files = sorted((n for n in names if re.search(r"Pages/Page_(\d+)/Content\.xml$", n)),
                            key=lambda n: int(re.search(r"Page_(\d+)/", n).group(1)))  # type: ignore[union-attr]
        for index, name in enumerate(page_files):
            xml = archive.read(name).decode("utf-8", "replace")
            ids = re.findall(r'<ofd:ImageObject[^>]*ResourceID="(\d+)"', xml)
            candidates = [media[i] for i in ids if media.get(i) in names]
            if candidates:
                found[str(index)] = max(candidates, key=lambda n: archive.getinfo(n).file_size)
    return found


def _page_images(fmt: str, path: str, dpi: int, pages: list[int]) -> Any:
    """Each page asked, as an RGB image: a PDF's pages rendered by PDFium, an .ofd page's scan
    image, an image file itself."""
    from PIL import Image

    if fmt == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        for index in pages:
            yield index, pdf[index].render(scale=dpi / 72).to_pil().convert("RGB")
        return
    if fmt == "ofd":
        members = _ofd_page_images(path)
        with zipfile.ZipFile(path) as archive:
            for index in pages:
                yield index, Image.open(io.BytesIO(archive.read(members[str(index)]))).convert("RGB")
        return
    Image.MAX_IMAGE_PIXELS = 80_000_000  # an A4 page at 600 dpi is 35 Mpx: beyond twice that, a bomb
    yield pages[0], Image.open(path).convert("RGB")


def _rows(boxes: list[tuple[float, float, float, float, str]]) -> str:
    """OCR's text boxes (x0, y0, x1, y1, text) into lines: boxes that overlap vertically are one
    line, read left to right; CJK text joins without a space."""
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (box[1] + box[3]) / 2
        if lines:
            last = lines[-1]
            top, bottom = min(b[1] for b in last), max(b[3] for b in last)
            if top <= middle <= bottom:
                last.append(box)
                continue
        lines.append([box])
    out = []
    for line in lines:
        parts = [b[4] for b in sorted(line, key=lambda b: b[0])]
        text = parts[0]
        for part in parts[1:]:
            text += ("" if re.search(_CJK + "$", text) and re.match(_CJK, part) else " ") + part
        out.append(text)
    return "\n".join(out)


def _rapidocr() -> Any:
    from rapidocr import RapidOCR

    engine = RapidOCR()

    def read(image: Any) -> tuple[str, float]:
        import numpy as np

        result: Any = engine(np.asarray(image)[:, :, ::-1])  # RGB → BGR, as OpenCV reads
        if result is None or result.txts is None or not len(result.txts):
            return "", 0.0
        boxes = []
        for points, text in zip(result.boxes, result.txts):
            xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
            boxes.append((min(xs), min(ys), max(xs), max(ys), str(text)))
        scores = [float(s) for s in result.scores]
        return _rows(boxes), sum(scores) / len(scores)

    return read


def _tesseract() -> Any:
    def read(image: Any) -> tuple[str, float]:
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "page.png"
            image.save(png)
            tsv = subprocess.run(["tesseract", str(png), "stdout", "-l", "chi_sim", "--psm", "6", "tsv"], capture_output=True, text=True,
                                 check=True).stdout
        words: dict[tuple[str, ...], list[str]] = {}
        confidences = []
        for row in tsv.splitlines()[1:]:
            cells = row.split("\t")
            if len(cells) < 12 or not cells[11].strip():
                continue
            words.setdefault(tuple(cells[1:5]), []).append(cells[11].strip())
            confidences.append(float(cells[10]) / 100)
        lines = []
        for parts in words.values():
            text = " ".join(parts)
            lines.append(re.sub(rf"(?<={_CJK}) (?={_CJK})", "", text))  # tesseract spaces CJK characters apart
        return "\n".join(lines), (sum(confidences) / len(confidences) if confidences else 0.0)

    return read


def ocr(engine: str, fmt: str, path: str, out: str, dpi: str, pages: str) -> None:
    read = _rapidocr() if engine == "rapidocr" else _tesseract()
    with open(out, "a", encoding="utf-8") as handle:
        for index, image in _page_images(fmt, path, int(dpi), [int(p) for p in pages.split(",") if p]):
            # A page scanned at 100 dpi or more is 800 px wide at least; a smaller image (a photo in
            # a news item, a logo) is not a page: not OCR'd.
            text, confidence = read(image) if min(image.size) >= MIN_PAGE_PIXELS else ("", 0.0)
            handle.write(json.dumps({"page": index, "text": text, "confidence": round(confidence, 4)}, ensure_ascii=False) + "\n")
            handle.flush()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    commands: dict[str, Callable[..., None]] = {"sheet": sheet, "ofd": ofd, "ocr": ocr}
    commands[command](*arguments)
