"""Article page HTML → Document: declared metadata first, body text second.

The national government-website meta tags (ArticleTitle, PubDate, ContentSource, SiteName,
ColumnName, Keywords; 政府网站发展指引) survive redesigns that break layout heuristics, so they
are read first; then the 政府信息公开 block (索引号, 发布机构, 发布日期, 文号); then the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.element import PageElement

from ..models import Attachment, Document
from .normalise import to_simplified

GOV_META = {
    "ArticleTitle": "title",
    "PubDate": "published",
    "ContentSource": "publisher",
    "SiteName": "site_name",
    "ColumnName": "column",
    "Keywords": "keywords",
}
DISCLOSURE_FIELDS = {
    "索引号": "index_no",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "信息来源": "publisher",
    "来源": "publisher",
    "发布日期": "published",
    "发布时间": "published",
    "成文日期": "written",
    "文号": "doc_no",
    "时效性": "validity",
}
_DISCLOSURE = re.compile(
    r"(索引号|发布机构|发文机关|信息来源|发布日期|发布时间|成文日期|文号|时效性)\s*[:：]\s*([^\s|]{1,40}(?:\s\d{1,2}:\d{2}(?::\d{2})?)?)"
)
# Body containers of the common CMS families, most specific first.
BODY_SELECTORS = (".TRS_Editor", "#zoom", ".article-content", "#vsb_content", ".v_news_content", ".bt-article", "#UCAP-CONTENT", "article")
NOISE = re.compile(r"share|print|breadcrumb|crumb|nav|footer|header|menu|position|toolbar|fenxiang|dayin", re.IGNORECASE)
NOISE_TEXT = re.compile(r"^(打印本页|关闭窗口|【打印】|【关闭】|分享到|字体[:：]?\s*[大中小 ]+|返回顶部)$")
ATTACHMENT_EXTENSIONS = ("docx", "pdf", "doc", "wps", "ofd", "xls", "xlsx", "et", "zip", "rar", "jpg", "jpeg", "png")
BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "blockquote")
# lxml: a third faster than html.parser on portal pages (1.0 vs 1.6 ms a page, measured) and as
# forgiving of broken markup; lxml is already installed for python-docx.
PARSER = "lxml"
STUB_MAX_CHARS = 200  # an article whose body is shorter than this and links a document is a stub


def _gov_meta(soup: BeautifulSoup) -> dict[str, str]:
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta", attrs={"name": True, "content": True}):
        key = GOV_META.get(str(tag["name"]))
        if key and key not in meta and str(tag["content"]).strip():
            meta[key] = str(tag["content"]).strip()
    return meta


def _disclosure_block(rest: BeautifulSoup) -> dict[str, str]:
    """索引号/发布机构/发布日期/文号 as printed on the page around (not inside) the article body."""
    found: dict[str, str] = {}
    for label, value in _DISCLOSURE.findall(to_simplified(rest.get_text(" ", strip=True))):
        found.setdefault(DISCLOSURE_FIELDS[label], value.strip())
    return found


NOISE_TAGS = frozenset(("script", "style", "nav", "header", "footer", "form", "iframe", "noscript"))


def _drop_noise(root: Tag) -> None:
    for tag in root.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        if tag.name in NOISE_TAGS:
            tag.decompose()
            continue
        classes: Any = tag.get("class") or []
        marks = " ".join([*(classes if isinstance(classes, list) else [str(classes)]), str(tag.get("id", ""))])
        if marks.strip() and NOISE.search(marks):
            tag.decompose()


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """The element whose own paragraphs carry the most text: the body on unknown layouts."""
    best, best_len = None, 0
    for tag in soup.find_all(["div", "td", "section", "article", "body"]):
        own = sum(len(p.get_text(strip=True)) for p in tag.find_all("p", recursive=False))
        own += sum(len(s.strip()) for s in tag.find_all(string=True, recursive=False))
        if own > best_len:
            best, best_len = tag, own
    return best


def _simple_selector(selector: str) -> tuple[str, str]:
    kind = {".": "class", "#": "id"}.get(selector[0], "name")
    return kind, selector if kind == "name" else selector[1:]


_BODY_MATCHERS = [_simple_selector(s) for s in BODY_SELECTORS]


def find_body(soup: BeautifulSoup) -> Tag | None:
    """The first body container by BODY_SELECTORS' priority that has text, else the densest block.

    One walk over the tree for all the selectors (they are single classes, ids or names): a CSS
    select per selector walked the page eight times and cost a fifth of parsing (measured)."""
    first: list[Tag | None] = [None] * len(_BODY_MATCHERS)
    for tag in soup.find_all(True):
        classes, ident = tag.get("class") or (), tag.get("id")
        for i, (kind, value) in enumerate(_BODY_MATCHERS):
            if first[i] is None and (value in classes if kind == "class" else ident == value if kind == "id" else tag.name == value):
                if tag.get_text(strip=True):
                    first[i] = tag
    for found in first:
        if found is not None:
            return found
    return _densest_block(soup)


def block_text(root: Tag) -> str:
    """Text of an element with one line per paragraph, heading or table row (cells space-separated).

    Read in one walk that never changes the tree: inserting the line breaks into it (bs4's
    insert_before/insert_after look the element up among its siblings) took time growing with the
    square of a parent's children: 2 MB of <p> in one <div> took 26 s, a 20 MB page most of an hour.
    An explicit stack, not recursion, so that deeply nested markup can't overflow Python's stack."""
    wanted = root.interesting_string_types  # what get_text() would keep: no comments, scripts, styles
    parts: list[str] = []
    stack: list[tuple[Iterator[PageElement], str]] = [(iter(root.contents), "")]
    while stack:
        children, closing = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            parts.append(closing)
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
                continue
            block = child.name in BLOCKS
            if block:
                parts.append("\n")
            stack.append((iter(child.contents), ("\n" if block else "") + (" " if child.name in ("td", "th") else "")))
        elif wanted is None or type(child) in wanted:
            parts.append(str(child))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line and not NOISE_TEXT.match(line))


def _attachments(root: Tag, url: str) -> list[Attachment]:
    found = []
    for anchor in root.find_all("a", href=True):
        href = urljoin(url, str(anchor["href"]))
        ext = href.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
        if ext in ATTACHMENT_EXTENSIONS:
            found.append(Attachment(url=href, name=anchor.get_text(" ", strip=True) or href.rsplit("/", 1)[-1], extension=ext))
    return found


def _page_title(soup: BeautifulSoup) -> str | None:
    for selector in ("h1", ".article-title", ".title", "title"):
        tag = soup.select_one(selector)
        if tag is not None and tag.get_text(strip=True):
            # <title> often ends with the site name: "标题_某某县人民政府" / "标题 - 某某县人民政府"
            return re.split(r"\s*[_|]\s*|\s+-\s+", tag.get_text(" ", strip=True))[0]
    return None


def article_tree(html: str) -> BeautifulSoup:
    """The one tree of an article page."""
    return BeautifulSoup(html, PARSER)


def parse_article(html: str, url: str) -> Document:
    """Metadata and body text of an article page."""
    return article_from_tree(article_tree(html), url)


def article_from_tree(soup: BeautifulSoup, url: str) -> Document:
    """Metadata and body text of an article page's tree. Takes the body out of the tree: read
    what else is needed from it (refusal_in) first."""
    meta = _gov_meta(soup)
    attachments = _attachments(soup, url)
    body = find_body(soup)
    if body is not None:
        body.extract()  # what remains is the page around the article: title, 信息公开 block, footer
        _drop_noise(body)
    for key, value in _disclosure_block(soup).items():
        meta.setdefault(key, value)
    title = meta.get("title") or _page_title(soup)
    text = block_text(body) if body is not None else ""
    images = _body_images(body, url) if body is not None else []
    return Document(url=url, title=title, text=text, meta=meta, attachments=attachments, format="html", images=images)


MAX_PAGE_IMAGES = 60  # a report published as images: some 3 to 30 pages; beyond, a gallery
_SMALL_IMAGE = 300  # px: an image declared narrower or lower is an icon, a logo, a QR code, not a page


def _body_images(body: Tag, url: str) -> list[str]:
    """The images of an article's body that may be its pages, in order (icons declared small are not)."""
    found: list[str] = []
    for image in body.find_all("img", src=True):
        sizes = [str(image.get(attr) or "") for attr in ("width", "height")]
        if any(size.isdigit() and int(size) < _SMALL_IMAGE for size in sizes):
            continue
        src = urljoin(url, str(image["src"]))
        if src.startswith(("http://", "https://")) and src not in found:
            found.append(src)
    return found[:MAX_PAGE_IMAGES]


# Every attachment format is read (parsers.read.formats; some through the shell's converters); a stub
# with several takes its first .docx or .pdf (read without a tool), else its first of the others.
READABLE_ATTACHMENTS = ("docx", "pdf", "doc", "wps", "ofd", "zip", "rar", "xlsx", "xls", "et", "jpg", "jpeg", "png")


def is_attachment_stub(document: Document) -> bool:
    """True when the page only points to its report in an attached file (of any format: a .wps
    report must be reported as unsupported, not taken for a 30-character report)."""
    return bool(document.attachments) and len(re.sub(r"\s", "", document.text)) < STUB_MAX_CHARS


def report_attachment(document: Document) -> Attachment:
    """The attachment that holds a stub page's report: a readable one (.docx, .pdf) if any."""
    plain = [a for a in document.attachments if a.extension in ("docx", "pdf")]
    readable = [a for a in document.attachments if a.extension in READABLE_ATTACHMENTS]
    return (plain or readable or document.attachments)[0]


def with_attachment_text(page: Document, attached: Document) -> Document:
    """The page's metadata with the attachment's text: one report, published as a page and a file."""
    return page.model_copy(update={"text": attached.text, "format": attached.format})


# Pages a portal serves with status 200 that are not the page asked for.
ERROR_PAGE_PHRASES = ("页面不存在", "您访问的页面", "访问过于频繁", "访问受限", "请求过于频繁", "系统繁忙", "404 Not Found", "页面已删除", "信息已过期")
ERROR_PAGE_MAX_CHARS = 400  # an error page is short; a report quoting “页面不存在” is not
CHALLENGE = re.compile(r"document\.cookie\s*=|location\.reload\(|window\.location\.href\s*=|__jsl_clearance|acw_sc__", re.IGNORECASE)


def refusal_reason(html: str) -> str | None:
    """Why this 200 page is not content: a JavaScript anti-bot challenge or an error page; None if it is content."""
    return refusal_in(BeautifulSoup(html, "html.parser"))


def refusal_in(soup: BeautifulSoup) -> str | None:
    """refusal_reason of a page already parsed; the tree is left as it is. The visible text is
    the tree's own strings: bs4 keeps a script's and a style's text apart (Script, Stylesheet),
    and get_text() leaves them out. Both kinds of refusal are short pages: reading stops at the
    first ERROR_PAGE_MAX_CHARS visible characters (every article page is read through here)."""
    parts: list[str] = []
    seen = 0
    for string in soup.strings:  # what get_text() joins
        part = re.sub(r"\s+", "", string)
        seen += len(part)
        if seen >= ERROR_PAGE_MAX_CHARS:
            return None
        parts.append(part)
    visible = "".join(parts)
    scripts = " ".join(s.get_text() for s in soup.find_all("script"))
    if CHALLENGE.search(scripts) and len(visible) < ERROR_PAGE_MAX_CHARS:
        return "blocked by anti-bot: the portal answered with a JavaScript challenge page"
    phrase = next((p for p in ERROR_PAGE_PHRASES if p.replace(" ", "") in visible), None)
    if phrase and len(visible) < ERROR_PAGE_MAX_CHARS:
        return f"the portal answered 200 with an error page (“{phrase}”)"
    return None
