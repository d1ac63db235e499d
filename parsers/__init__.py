"""The pure core: bytes and text in, pydantic models out. No network, disk, clock or Prefect.

``read_document`` turns a file's bytes into a Document; ``extract_report`` turns a Document into
the record ``fazhi extract`` prints and the nightly flow stores.
"""

from __future__ import annotations

import re

from .article import parse_article
from .checks import check_observations
from .decode import decode_body
from .documents import UnreadableDocument, parse_docx, parse_pdf
from .extract import MAX_FIGURES, extract_figures
from .identify import identify_report
from .models import Document, Extraction, Flag, Observation, Source
from .normalise import clean_document, normalise
from .version import EXTRACTOR_VERSION, extractor_version

__all__ = ["EXTRACTOR_VERSION", "MAX_FIGURES", "UnreadableDocument", "extract_report", "extractor_version", "read_document", "sniff_format"]

_HTML_TYPES = ("text/html", "application/xhtml")


def sniff_format(data: bytes, name: str, content_type: str | None = None) -> str:
    """html, docx, pdf or txt: from the bytes first (servers mislabel), then the name, then the header."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered or b"<meta" in lowered or re.match(rb"<(div|p|table|span|head|title)\b", lowered):
        return "html"
    suffix = name.lower().rsplit("?", 1)[0].rsplit(".", 1)[-1]
    if suffix in ("htm", "html", "shtml", "jhtml"):
        return "html"
    if suffix in ("pdf", "docx"):
        return suffix
    if content_type and content_type.split(";")[0].strip() in _HTML_TYPES:
        return "html"
    return "txt"


def read_document(data: bytes, name: str, content_type: str | None = None) -> Document:
    """A Document from a file's bytes; ``name`` is its URL or path (used in errors and as its url)."""
    fmt = sniff_format(data, name, content_type)
    if fmt == "pdf":
        return parse_pdf(data, name)
    if fmt == "docx":
        return parse_docx(data, name)
    text = decode_body(data, content_type)
    if fmt == "html":
        return parse_article(text, name)
    return Document(url=name, text=text, format="txt")


def _capped(observations: list[Observation]) -> list[Flag]:
    if len(observations) < MAX_FIGURES:
        return []
    return [Flag(code="figures_capped", detail=f"only the first {MAX_FIGURES} figures were read: a real report states a few hundred at most")]


def extract_report(document: Document, source: Source | None = None) -> Extraction:
    """Normalise, identify and extract one document (format characters removed from all of it first)."""
    document = clean_document(document)
    normalised = normalise(document.text)
    report, flags = identify_report(document, normalised, source)
    observations, values = extract_figures(normalised, report.year)
    return Extraction(
        report=report,
        text=normalised.text,
        original=normalised.original,
        observations=observations,
        flags=[*flags, *check_observations(observations, values), *_capped(observations)],
        values=values,
    )
