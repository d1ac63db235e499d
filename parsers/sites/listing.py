"""Listing (栏目) page HTML → the links it lists and the URL of its next page.

County portals are built with a handful of CMS families; each hides its pagination and its
records differently, so each gets a small reader here, tried in order:
- TRS: ``createPageHTML(total, current, "index", "html")`` in a script; pages are index_N.html;
- Hanweb: records as CDATA ``<li>`` inside ``<script type="text/xml">``, pages as ``?uid=…&pageNum=N``;
- any: a 下一页 link, or ``?page=N`` (``pageNo``, ``curpage``, ``pageIndex``) links.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ..models import Link, ListingPage
from ..read.normalise import strip_format_characters

_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|>)\s*$")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")
PAGE_PARAMETERS = ("page", "pageNum", "pageNo", "curpage", "pageIndex")


def _listed_date(anchor: Tag) -> date | None:
    """The date printed beside a link in its list item (portals put it in a <span>)."""
    holder = anchor.find_parent("li") or anchor.parent
    text = holder.get_text(" ", strip=True) if isinstance(holder, Tag) else ""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _links_in(soup: Tag, base_url: str) -> list[Link]:
    links = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        title = strip_format_characters(str(anchor.get("title") or anchor.get_text(" ", strip=True))).strip()
        if not title or href.lower().startswith(_SKIP_SCHEMES):
            continue
        url = urljoin(base_url, href)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        links.append(Link(url=url, title=title, listed_on=_listed_date(anchor)))
    return links


RECORDS = "data-fazhi-records"  # the element the Hanweb records are moved into


def _hanweb_records(html: str) -> list[str]:
    """The CDATA sections of the page: Hanweb lists its records as CDATA ``<li>`` inside a
    ``<script type="text/xml">``; a script's CDATA that is not markup yields no links."""
    return [chunk for chunk in _CDATA.findall(html) if chunk.strip()]


def listing_markup(html: str) -> str:
    """The page with Hanweb's records moved where a parser sees them: inside a script or a CDATA
    section their links are text. Each record keeps its own element (its listed date is read from
    it); all of them go into one element at the end, so one tree holds the page and its records
    (a tree per record cost a parse per link)."""
    chunks = _hanweb_records(html)
    if not chunks:
        return html
    return html + f"<div {RECORDS}>" + "".join(f"<div>{chunk}</div>" for chunk in chunks) + "</div>"


def _next_page(soup: BeautifulSoup, html: str, url: str) -> str | None:
    m = _TRS_PAGER.search(html)
    if m:
        total, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        return urljoin(url, f"{stem}_{current + 1}.{ext}") if current + 1 < total else None
    for anchor in soup.find_all("a", href=True):
        if _NEXT_TEXT.match(anchor.get_text(" ", strip=True)):
            href = str(anchor["href"])
            if not href.lower().startswith(_SKIP_SCHEMES):
                nxt = urljoin(url, href)
                return nxt if nxt != url else None
    query = parse_qs(urlsplit(url).query)
    for name in PAGE_PARAMETERS:  # ?page=2 (generic), ?uid=…&pageNum=2 (Hanweb), ?pageNo=2, ?curpage=2
        page = query.get(name, ["1"])[0]
        if not page.isdigit():
            continue
        wanted = [str(int(page) + 1)]
        for anchor in soup.find_all("a", href=True):
            candidate = urljoin(url, str(anchor["href"]))
            if parse_qs(urlsplit(candidate).query).get(name) == wanted and urlsplit(candidate).path == urlsplit(url).path:
                return candidate
    return None


def listing_tree(html: str) -> BeautifulSoup:
    """The one tree of a listing page (html.parser: forgiving of the broken markup of old CMSs)."""
    return BeautifulSoup(listing_markup(html), "html.parser")


def listing_from_tree(soup: BeautifulSoup, html: str, url: str) -> ListingPage:
    """Links of a listing page's tree (Hanweb's records first, deduplicated, in page order) and its
    next page, if any."""
    records = soup.find("div", attrs={RECORDS: True})
    seen: set[str] = set()
    links = []
    for link in [*(_links_in(records, url) if isinstance(records, Tag) else []), *_links_in(soup, url)]:
        if link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return ListingPage(url=url, links=links, next_url=_next_page(soup, html, url))


def parse_listing(html: str, url: str) -> ListingPage:
    """Links of a listing page (deduplicated, in page order) and its next page, if any."""
    return listing_from_tree(listing_tree(html), html, url)
