"""Word and PDF bytes → Document, the same text form as a web page: one paragraph per line.

Both readers work on bytes in memory (never a path), so a parser never touches the disk.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree
from pypdf import PdfReader

from ..models import Document


class UnreadableDocument(ValueError):
    """The bytes are not a readable document of the claimed format."""


# A PDF line that ends a paragraph ends with closing punctuation; others were wrapped by layout.
_PARAGRAPH_END = re.compile(r"[。！？：；!?:;）)”」]$")
WRAPPED_LINE_SHARE = 0.85  # a wrapped line fills the width; the last line of a paragraph rarely does
_LINE_START_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[、.])")


MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # the largest real report .docx seen is a few MB; far more is a zip bomb
# The text of a report is at most some 100,000 characters (a few hundred KB); Word's XML around it
# is 5 to 10 times larger (the demo's 3,000-character report: 15 KB of document.xml). 16 MB of
# XML is ten times the longest report; beyond it the file is not a report but a bomb (issue 19,
# item 9: 200 MB of XML, under the zip cap, once cost 2.9 GB of memory and 129 s).
MAX_DOCX_XML = 16 * 1024 * 1024
MAX_DOCX_SMALL_PART = 1024 * 1024  # the package's relationships and core properties: a few KB

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_RUN_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_NOT_BODY_TEXT = {_W + "txbxContent", "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", _W + "del"}


def check_zip_size(data: bytes, url: str) -> None:
    """Refuse a .docx whose parts would inflate past the cap, before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(f"{url}: not a readable .docx ({exc})") from exc
    if total > MAX_DOCX_UNCOMPRESSED:
        raise UnreadableDocument(f"{url}: the .docx would inflate to {total:,} bytes (cap {MAX_DOCX_UNCOMPRESSED:,}): refused as a zip bomb")


class _Capped(io.RawIOBase):
    """A zip member read as it inflates, refused once more than ``cap`` bytes came out (the sizes
    in a zip's directory are the sender's word, not a fact)."""

    def __init__(self, stream: IO[bytes], cap: int, what: str) -> None:
        self.stream, self.cap, self.what, self.size = stream, cap, what, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self.stream.read(n if n and n > 0 else 64 * 1024)
        self.size += len(chunk)
        if self.size > self.cap:
            raise UnreadableDocument(f"{self.what} inflates past {self.cap:,} bytes of XML; no report is that long: refused")
        return chunk


Readable = IO[bytes] | io.RawIOBase


def _iterparse(stream: Readable, events: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
    """lxml's streaming parser with entities, DTDs and the network off (no XXE, no billion laughs)."""
    parsed: Iterator[tuple[str, etree._Element]] = etree.iterparse(stream, events=events, resolve_entities=False, load_dtd=False,
                                                                  no_network=True, huge_tree=False)
    return parsed


def _small_part(archive: zipfile.ZipFile, name: str, url: str) -> etree._Element | None:
    try:
        with archive.open(name) as member:
            data = _Capped(member, MAX_DOCX_SMALL_PART, f"{url}: {name}").read(MAX_DOCX_SMALL_PART + 1)
    except KeyError:
        return None
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    return etree.fromstring(data, parser)


def _main_part(archive: zipfile.ZipFile, url: str) -> str:
    """Where the document's body is: the package's officeDocument relationship (word/document.xml
    nearly always)."""
    rels = _small_part(archive, "_rels/.rels", url)
    for rel in rels.iter(_REL + "Relationship") if rels is not None else ():
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            return posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
    return "word/document.xml"


def docx_lines(stream: Readable) -> Iterator[str]:
    """The lines of a document.xml, streamed: each body paragraph, and each row of a body table as
    its cells' text joined by spaces, in document order, as python-docx read them. Every element
    is dropped once read, so memory holds one run, not the document. Text boxes, the fallback
    copy of alternate content and deleted text are not the body's text."""
    table_depth = 0  # tables inside a table cell are read as part of the cell's paragraphs' order, not as rows
    hidden = 0
    paragraph: list[str] | None = None
    cell: list[str] = []
    row: list[str] = []
    for event, element in _iterparse(stream, ("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _NOT_BODY_TEXT:
                hidden += 1
            elif hidden:
                pass
            elif tag == _W + "tbl":
                table_depth += 1
            elif tag == _W + "tr" and table_depth == 1:
                row = []
            elif tag == _W + "tc" and table_depth == 1:
                cell = []
            elif tag == _W + "p" and paragraph is None:
                paragraph = []
            continue
        if tag in _NOT_BODY_TEXT:
            hidden -= 1
        elif hidden:
            pass
        elif tag in _RUN_TEXT and paragraph is not None and _in_run(element):
            paragraph.append(_run_text(element))
        elif tag == _W + "p" and paragraph is not None:
            text, paragraph = "".join(paragraph), None
            if table_depth == 0:
                yield text
            elif table_depth == 1:
                cell.append(text)
        elif tag == _W + "tc" and table_depth == 1:
            row.append("\n".join(cell).strip())
        elif tag == _W + "tr" and table_depth == 1:
            yield " ".join(row)
        elif tag == _W + "tbl":
            table_depth -= 1
        _drop(element)


def _in_run(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == _W + "r"


def _run_text(element: etree._Element) -> str:
    """A run's piece of text as python-docx reads it: w:t its text, a tab a tab, a line break a
    newline (a page or column break nothing)."""
    if element.tag == _W + "t":
        return element.text or ""
    if element.tag == _W + "br" and element.get(_W + "type") in ("page", "column"):
        return ""
    return _RUN_TEXT[element.tag] or ""


def _drop(element: etree._Element) -> None:
    """Free what has been read: the element's children and the siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def parse_docx(data: bytes, url: str) -> Document:
    """Paragraphs and table rows of a .docx in document order, streamed from the zip with the XML
    capped (``MAX_DOCX_XML``). External entities in its XML are never resolved (tested)."""
    check_zip_size(data, url)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _main_part(archive, url)
            try:
                member = archive.open(part)
            except KeyError:
                raise UnreadableDocument(f"{url}: not a readable .docx (no {part} in the package)") from None
            with member:
                lines = list(docx_lines(_Capped(member, MAX_DOCX_XML, f"{url}: {part}")))
            core = _small_part(archive, "docProps/core.xml", url)
    except UnreadableDocument:
        raise
    except Exception as exc:  # zipfile, zlib and lxml raise many types for damaged files
        raise UnreadableDocument(f"{url}: not a readable .docx ({type(exc).__name__}: {exc})") from exc
    title_element = core.find(_DC_TITLE) if core is not None else None
    title = (title_element.text or "").strip() or None if title_element is not None else None
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


MIN_PAGE_CHARS = 20  # a page with less text than this is a scanned image (a page number or a stamp's text at most)
# A township's annual report is a few to a few dozen pages. A 600 KB PDF whose page tree names one
# page 100,000 times took a minute of CPU to read (pypdf's own limits were the only cap).
MAX_PDF_PAGES = 1_000


def _claimed_pages(reader: PdfReader) -> int:
    """The page count the document's root says it has (/Count), read before any page is."""
    try:
        root: Any = reader.trailer["/Root"]
        return int(root["/Pages"].get("/Count", 0))
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0


def pdf_pages(data: bytes, url: str) -> tuple[list[str], str | None]:
    """Each page's text layer (empty for a scanned page) and the PDF's title."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{url}: the PDF is encrypted")
        claimed = _claimed_pages(reader)
        if claimed > MAX_PDF_PAGES:
            raise UnreadableDocument(f"{url}: the PDF claims {claimed:,} pages, over the {MAX_PDF_PAGES:,} a report can have")
        count = len(reader.pages)  # the page tree walked (cheap); each page's text is the cost
        if count > MAX_PDF_PAGES:
            raise UnreadableDocument(f"{url}: the PDF has {count:,} pages, over the {MAX_PDF_PAGES:,} a report can have")
        pages = [reader.pages[i].extract_text() or "" for i in range(count)]
        title = (reader.metadata.title if reader.metadata else None) or None
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise UnreadableDocument(f"{url}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    return pages, title


def textless_pages(pages: list[str]) -> tuple[int, ...]:
    """The pages with (next to) no text layer: scans, to be OCR'd."""
    return tuple(i for i, page in enumerate(pages) if len("".join(page.split())) < MIN_PAGE_CHARS)


def pdf_document(pages: list[str], title: str | None, url: str, fmt: str = "pdf") -> Document:
    """The text of a PDF's (or an .ofd's) pages: running headers dropped, wrapped lines joined."""
    text = unwrap_lines("\n".join(drop_running_lines(pages)))
    if not text.strip():
        raise UnreadableDocument(f"{url}: the {fmt.upper()} has no text")
    return Document(url=url, title=title, text=text, format=fmt)  # type: ignore[arg-type]


def parse_pdf(data: bytes, url: str) -> Document:
    """Text of a PDF with a text layer; a scanned PDF (no text) is an error, not an empty report
    (parsers.read.classify reads it through OCR when the shell gives it a converter)."""
    pages, title = pdf_pages(data, url)
    if len(textless_pages(pages)) == len(pages) and not "".join(pages).strip():
        raise UnreadableDocument(f"{url}: the PDF has no text layer (a scan?)")
    return pdf_document(pages, title, url)
