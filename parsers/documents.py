"""Word and PDF bytes → Document, the same text form as a web page: one paragraph per line.

Both readers work on bytes in memory (never a path), so a parser never touches the disk.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.table import Table
from pypdf import PdfReader

from .models import Document


class UnreadableDocument(ValueError):
    """The bytes are not a readable document of the claimed format."""


# A PDF line that ends a paragraph ends with closing punctuation; others were wrapped by layout.
_PARAGRAPH_END = re.compile(r"[。！？：；!?:;）)”」]$")
WRAPPED_LINE_SHARE = 0.85  # a wrapped line fills the width; the last line of a paragraph rarely does
_LINE_START_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[、.])")


MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # the largest real report .docx seen is a few MB; far more is a zip bomb


def check_zip_size(data: bytes, url: str) -> None:
    """Refuse a .docx whose parts would inflate past the cap, before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(f"{url}: not a readable .docx ({exc})") from exc
    if total > MAX_DOCX_UNCOMPRESSED:
        raise UnreadableDocument(f"{url}: the .docx would inflate to {total:,} bytes (cap {MAX_DOCX_UNCOMPRESSED:,}): refused as a zip bomb")


def parse_docx(data: bytes, url: str) -> Document:
    """Paragraphs and table rows of a .docx in document order. External entities in its XML are
    never resolved (python-docx parses with resolve_entities=False; tested)."""
    check_zip_size(data, url)
    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError and lxml errors alike
        raise UnreadableDocument(f"{url}: not a readable .docx ({type(exc).__name__}: {exc})") from exc
    lines = []
    for block in word.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
        else:
            lines.append(block.text)
    title = word.core_properties.title or None
    return Document(url=url, title=title, text="\n".join(lines), format="docx")


def unwrap_lines(text: str) -> str:
    """Join the lines a PDF's layout wrapped.

    A line ends its paragraph when it ends with closing punctuation or stops short of the page's
    line width (titles, signatures, dates); a line that starts with a heading marker starts one.
    """
    lines = [raw.strip() for raw in text.split("\n") if raw.strip()]
    if not lines:
        return ""
    width = sorted(len(line) for line in lines)[int(len(lines) * 0.9)]
    out: list[str] = []
    ended = True
    for line in lines:
        if out and not ended and not _LINE_START_HEADING.match(line):
            out[-1] += line
        else:
            out.append(line)
        ended = bool(_PARAGRAPH_END.search(line)) or len(line) < WRAPPED_LINE_SHARE * width
    return "\n".join(out)


RUNNING_MIN_PAGES = 3  # a header or footer repeated on three pages or more is layout, not text


def drop_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers and footers: a first or last line that recurs on many pages
    (page numbers are normalised away later, so digits are ignored when comparing)."""
    def edges(page: str) -> list[str]:
        lines = [line.strip() for line in page.split("\n") if line.strip()]
        return [re.sub(r"\d+", "#", line) for line in (lines[:1] + lines[-1:])]

    counts: dict[str, int] = {}
    for page in pages:
        for line in set(edges(page)):
            counts[line] = counts.get(line, 0) + 1
    running = {line for line, n in counts.items() if n >= RUNNING_MIN_PAGES and n * 2 >= len(pages)}
    if not running:
        return pages
    cleaned = []
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        while lines and re.sub(r"\d+", "#", lines[0].strip()) in running:
            lines.pop(0)
        while lines and re.sub(r"\d+", "#", lines[-1].strip()) in running:
            lines.pop()
        cleaned.append("\n".join(lines))
    return cleaned


def parse_pdf(data: bytes, url: str) -> Document:
    """Text of a PDF with a text layer; a scanned PDF (no text) is an error, not an empty report."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{url}: the PDF is encrypted")
        pages = drop_running_lines([page.extract_text() or "" for page in reader.pages])
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise UnreadableDocument(f"{url}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    text = unwrap_lines("\n".join(pages))
    if not text.strip():
        raise UnreadableDocument(f"{url}: the PDF has no text layer (a scan?)")
    title = (reader.metadata.title if reader.metadata else None) or None
    return Document(url=url, title=title, text=text, format="pdf")
