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

from datetime import date
from typing import Literal

from ..identity.titles import is_shortened
from ..models import Attachment, Document, Frozen, ListingPage
from ..sites.listing import listing_from_tree, listing_tree
from .article import (
    ERROR_PAGE_MAX_CHARS,
    READABLE_ATTACHMENTS,
    article_from_tree,
    article_tree,
    is_attachment_stub,
    parse_article,
    refusal_in,
    report_attachment,
)
from .decode import decode_body
from .documents import UnreadableDocument, parse_docx, pdf_document, pdf_pages, textless_pages
from .formats import NEEDS, Converter, NeedsTool, sniff_format, zip_members

MIN_REPORT_CHARS = 300  # the shortest real report in the seeds has 2,185 characters; less is a stub or an error page
# A rule-of-law report says 法治/依法/法律/普法 many times (the seeds: 65 to 150 times); a page whose
# title looked right but whose text does not is something else filed under that title.
RULE_OF_LAW_TERMS = ("法治", "依法", "法律", "普法")
MIN_RULE_OF_LAW_MENTIONS = 5
# What a parser may raise on hostile bytes: a broken .docx, an undecodable text, markup nested
# deeper than Python's stack. Any of them means "not readable as a report", never a crash.
UNREADABLE = (UnreadableDocument, UnicodeError, ValueError, RecursionError)

def read_document(data: bytes, name: str, content_type: str | None = None, convert: Converter | None = None, *, _depth: int = 0) -> Document:
    """A Document from a file's bytes; ``name`` is its URL or path (used in errors and as its url).
    ``convert`` (the shell's converters) reads what needs a tool: without it, such a file raises
    NeedsTool, and a binary file of no known format is refused, never decoded as text."""
    fmt = sniff_format(data, name, content_type)
    if fmt == "pdf":
        return _read_pdf(data, name, convert)
    if fmt == "docx":
        return parse_docx(data, name)
    if fmt == "zip":
        if _depth:
            raise UnreadableDocument(f"{name}: an archive inside an archive is not read")
        return _best_member(zip_members(data, name), name, "zip", convert, _depth)
    if fmt == "binary":
        raise UnreadableDocument(f"{name}: binary data of no document format read here (not HTML, text, PDF, Word, WPS, OFD, a sheet or an archive)")
    if fmt in NEEDS:
        if convert is None:
            raise NeedsTool(name, fmt)
        converted = convert(data, fmt, name)
        if fmt == "rar":
            if _depth:
                raise UnreadableDocument(f"{name}: an archive inside an archive is not read")
            return _best_member(converted.members, name, "rar", convert, _depth)
        if fmt == "ofd" or fmt == "image":
            document = pdf_document(converted.pages, None, name, fmt)
        else:
            document = Document(url=name, text="\n".join(p for p in converted.pages if p.strip()), format=fmt)  # type: ignore[arg-type]
        return document.model_copy(update={"ocr": converted.ocr})
    text = decode_body(data, content_type)
    if fmt == "html":
        return parse_article(text, name)
    return Document(url=name, text=text, format="txt")


def _read_pdf(data: bytes, name: str, convert: Converter | None) -> Document:
    """A PDF's text layer; its pages without one OCR'd when the shell can (a scan: all of them)."""
    pages, title = pdf_pages(data, name)
    missing = textless_pages(pages)
    if not missing or convert is None:
        if pages and len(missing) == len(pages):
            raise NeedsTool(name, "pdf", "the PDF has no text layer (a scan)")
        return pdf_document(pages, title, name)
    converted = convert(data, "pdf", name, missing)
    for index, text in zip(missing, converted.pages):
        pages[index] = text
    return pdf_document(pages, title, name).model_copy(update={"ocr": converted.ocr})


def _scanned_pages(members: list[tuple[str, bytes]], name: str, convert: Converter | None) -> Document:
    """A bundle of images only is a scan, one image a page, in the bundle's order: each OCR'd."""
    if convert is None:
        raise NeedsTool(name, "image", f"{len(members)} page image(s)")
    read = [convert(body, "image", f"{name}#{member}") for member, body in members]
    texts = ["\n".join(c.pages) for c in read]
    infos = [c.ocr for c in read if c.ocr is not None]
    ocr = None
    if infos:
        weights = [len(t) for t, c in zip(texts, read) if c.ocr is not None]
        confidence = sum(i.confidence * w for i, w in zip(infos, weights)) / max(1, sum(weights))
        ocr = infos[0].model_copy(update={"confidence": round(confidence, 4), "pages": sum(i.pages for i in infos)})
    return pdf_document(texts, None, name, "image").model_copy(update={"ocr": ocr})


def _best_member(members: list[tuple[str, bytes]], name: str, fmt: str, convert: Converter | None, depth: int) -> Document:
    """The report in a bundle: each member read as an attachment would be, and the one that speaks
    most of the rule of law taken (a bundle is a report and its annexes: tables, a notice). A
    member that needs a missing tool makes the bundle need it too, when no member is readable."""
    if members and all(sniff_format(body, member) == "image" for member, body in members):
        return _scanned_pages(members, name, convert)
    best: tuple[int, int, Document] | None = None
    why: list[str] = []
    needs: NeedsTool | None = None
    for member, body in members:
        try:
            document = read_document(body, f"{name}#{member}", None, convert, _depth=depth + 1)
        except NeedsTool as exc:
            needs = needs or exc
            continue
        except UNREADABLE as exc:
            why.append(str(exc) or type(exc).__name__)
            continue
        mentions = sum(document.text.count(term) for term in RULE_OF_LAW_TERMS)
        if best is None or (mentions, len(document.text)) > best[:2]:
            best = (mentions, len(document.text), document)
    if best is None:
        if needs is not None:
            raise needs
        raise UnreadableDocument(f"{name}: no readable document among the {len(members)} file(s) of the .{fmt}" + (f" ({why[0]})" if why else ""))
    return best[2].model_copy(update={"url": name, "format": fmt})


PAGE_IMAGES = "#page-images"  # the attachment URL of an article whose body is images of its pages

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
    needs: str | None = None  # unreadable without a tool not installed here ("LibreOffice", "OCR"): kept as such, not dropped


def classify_page(data: bytes, url: str, content_type: str | None = None, convert: Converter | None = None) -> Classified:
    """Parse a fetched article page (or a file linked directly) once and say what it is."""
    try:
        if sniff_format(data, url, content_type) != "html":
            return _gated(read_document(data, url, content_type, convert), url)
        soup = article_tree(decode_body(data, content_type))
        refusal = refusal_in(soup)  # before the body is taken out of the tree
        document = article_from_tree(soup, url)
    except UNREADABLE as exc:
        return _not_report(url, str(exc) or type(exc).__name__, needs=getattr(exc, "needs", None))
    # Error and challenge pages are short: a page whose body has this much text is content.
    if refusal and len(document.text) < ERROR_PAGE_MAX_CHARS:
        return Classified(kind="refused", url=url, document=document, reason=refusal, about=url)
    if is_attachment_stub(document):
        attachment = report_attachment(document)
        if attachment.extension not in READABLE_ATTACHMENTS:
            return _not_report(url, f"attachment format .{attachment.extension} is not supported yet", about=attachment.url)
        return Classified(kind="stub", url=url, document=document, attachment=attachment)
    if document.images and len("".join(document.text.split())) < MIN_REPORT_CHARS:
        # The body is a title and a few lines, and images: the report's pages, to be OCR'd. The
        # shell fetches them and gives them back as one bundle (classify_attachment) in page order.
        return Classified(kind="stub", url=url, document=document, attachment=Attachment(url=url + PAGE_IMAGES, name="page images",
                                                                                          extension="images"))
    return _gated(document, url)


def classify_attachment(page: Document, data: bytes, url: str, content_type: str | None = None, convert: Converter | None = None) -> Classified:
    """A stub's attachment, read once: the page's metadata with the file's text (one report,
    published as a page and a file), through the same gates as a page."""
    try:
        attached = read_document(data, url, content_type, convert)
    except UNREADABLE as exc:
        return _not_report(page.url, str(exc) or type(exc).__name__, about=url, needs=getattr(exc, "needs", None))
    return _gated(page.model_copy(update={"text": attached.text, "format": attached.format, "ocr": attached.ocr}), page.url)


def with_listing_title(document: Document, title: str) -> Document:
    """The listing's title for a document that names none itself, unless the portal shortened it
    (关于2024年度法治政府建设…): then the text's own first line is the better title."""
    if document.title is None and not is_shortened(title):
        return document.model_copy(update={"title": title})
    return document


def with_listing_date(document: Document, listed_on: date | None) -> Document:
    """The date the listing showed beside the document's link, kept with it (``meta["listed"]``):
    identification takes it as the publication date when the page itself states none."""
    if listed_on is None:
        return document
    return document.model_copy(update={"meta": {**document.meta, "listed": listed_on.isoformat()}})


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


def _not_report(url: str, reason: str, document: Document | None = None, *, about: str | None = None, needs: str | None = None) -> Classified:
    return Classified(kind="not_report", url=url, document=document, reason=reason, about=about or url, needs=needs)

