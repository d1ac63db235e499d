"""Fetched bytes → what they are, decided once: a report, a stub pointing to its attachment, a
page that refuses us (an error or challenge page served with status 200), or not a report.

Each page is parsed once here, and the parsed document travels on in the result: the fetch stage
decides from it whether to ask for an attachment, the extract stage reads its text. (Before, a
night built 27 BeautifulSoup trees for the demo's 5 reports: each page was parsed when fetched,
parsed again for the refusal check, and once more when extracted from the bytes written to disk.)
The content gates (too short, too few words of the rule of law) are here too, so that a night and
a re-extraction from the raw store take the same decisions.
"""

from __future__ import annotations

import re
from typing import Literal

from .article import (ERROR_PAGE_MAX_CHARS, READABLE_ATTACHMENTS, article_from_tree, article_tree, is_attachment_stub, parse_article, refusal_in,
                      report_attachment)
from .decode import decode_body
from .documents import UnreadableDocument, parse_docx, parse_pdf
from .listing import listing_from_tree, listing_tree
from .models import Attachment, Document, Frozen, ListingPage
from .titles import is_shortened

MIN_REPORT_CHARS = 300  # the shortest real report in the seeds has 2,185 characters; less is a stub or an error page
# A rule-of-law report says 法治/依法/法律/普法 many times (the seeds: 65 to 150 times); a page whose
# title looked right but whose text does not is something else filed under that title.
RULE_OF_LAW_TERMS = ("法治", "依法", "法律", "普法")
MIN_RULE_OF_LAW_MENTIONS = 5
# What a parser may raise on hostile bytes: a broken .docx, an undecodable text, markup nested
# deeper than Python's stack. Any of them means "not readable as a report", never a crash.
UNREADABLE = (UnreadableDocument, UnicodeError, ValueError, RecursionError)

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


PageKind = Literal["report", "stub", "refused", "not_report"]


class Classified(Frozen):
    """What one fetched page (or a stub's attachment) is, with the document parsed from it.

    - ``report``: ``document`` is the report (for an attachment: the page's metadata with the
      attachment's text);
    - ``stub``: a page that only points to its report; ``attachment`` is the file to fetch;
    - ``refused``: an error or anti-bot challenge page served as content;
    - ``not_report``: unreadable, too short, not about the rule of law, or an attachment in a
      format not read yet. ``reason`` says which, about the URL ``about``."""

    kind: PageKind
    url: str
    document: Document | None = None
    attachment: Attachment | None = None
    reason: str | None = None
    about: str = ""  # the URL the reason concerns (the attachment's, for its format)


def classify_page(data: bytes, url: str, content_type: str | None = None) -> Classified:
    """Parse a fetched article page (or a file linked directly) once and say what it is."""
    try:
        if sniff_format(data, url, content_type) != "html":
            return _gated(read_document(data, url, content_type), url)
        soup = article_tree(decode_body(data, content_type))
        refusal = refusal_in(soup)  # before the body is taken out of the tree
        document = article_from_tree(soup, url)
    except UNREADABLE as exc:
        return _not_report(url, str(exc) or type(exc).__name__)
    # Error and challenge pages are short: a page whose body has this much text is content.
    if refusal and len(document.text) < ERROR_PAGE_MAX_CHARS:
        return Classified(kind="refused", url=url, document=document, reason=refusal, about=url)
    if is_attachment_stub(document):
        attachment = report_attachment(document)
        if attachment.extension not in READABLE_ATTACHMENTS:
            return _not_report(url, f"attachment format .{attachment.extension} is not supported yet", about=attachment.url)
        return Classified(kind="stub", url=url, document=document, attachment=attachment)
    return _gated(document, url)


def classify_attachment(page: Document, data: bytes, url: str, content_type: str | None = None) -> Classified:
    """A stub's attachment, read once: the page's metadata with the file's text (one report,
    published as a page and a file), through the same gates as a page."""
    try:
        attached = read_document(data, url, content_type)
    except UNREADABLE as exc:
        return _not_report(page.url, str(exc) or type(exc).__name__, about=url)
    return _gated(page.model_copy(update={"text": attached.text, "format": attached.format}), page.url)


def with_listing_title(document: Document, title: str) -> Document:
    """The listing's title for a document that names none itself, unless the portal shortened it
    (关于2024年度法治政府建设…): then the text's own first line is the better title."""
    if document.title is None and not is_shortened(title):
        return document.model_copy(update={"title": title})
    return document


class ListingRead(Frozen):
    """A listing page parsed once: its links and next page, or why it is not a listing."""

    url: str
    page: ListingPage | None = None
    refusal: str | None = None


def classify_listing(data: bytes, url: str, content_type: str | None = None) -> ListingRead:
    """A listing (栏目) page parsed once; an error or challenge page says so instead."""
    html = decode_body(data, content_type)
    soup = listing_tree(html)
    refusal = refusal_in(soup)
    if refusal:
        return ListingRead(url=url, refusal=refusal)
    return ListingRead(url=url, page=listing_from_tree(soup, html, url))


def _gated(document: Document, url: str) -> Classified:
    """A report if its text is long enough and speaks of the rule of law; else not a report."""
    if len("".join(document.text.split())) < MIN_REPORT_CHARS:
        return _not_report(url, f"{url}: only {len(document.text.strip())} characters of text; not a report", document)
    mentions = sum(document.text.count(term) for term in RULE_OF_LAW_TERMS)
    if mentions < MIN_RULE_OF_LAW_MENTIONS:
        return _not_report(url, f"{url}: the text mentions 法治/依法 {mentions} times: not a rule-of-law report despite its title", document)
    return Classified(kind="report", url=url, document=document)


def _not_report(url: str, reason: str, document: Document | None = None, *, about: str | None = None) -> Classified:
    return Classified(kind="not_report", url=url, document=document, reason=reason, about=about or url)

