"""One page of a portal → what a column finder needs of it: its links (menus built by JavaScript
included), the report links among them, how promising each link is, and whether the page is itself
a column (栏目) of reports.

County portals hide the report column in their own navigation: 政务公开 → 政府信息公开目录 →
法定主动公开内容 → 法治政府建设年度报告, or a township sub-site's 信息公开, or a new column each year.
A visitor follows the words; so does the finder: ``link_score`` ranks a link by its words (and its
path's pinyin initials when the words say nothing), so that a page budget is spent on the branch
that leads to the reports. Pure: bytes in, a ``PageView`` out (flows/harvest/find.py walks).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from ..identity.register import find_names
from ..identity.titles import decide_link
from ..models import Link
from ..read.article import refusal_in
from ..read.decode import decode_body
from ..read.normalise import strip_format_characters
from .listing import listing_from_tree, listing_tree
from .portals import derive_listing, detect_family


class PageView(NamedTuple):
    url: str
    title: str  # the page's <title>
    site: str  # the site's name (SiteName meta, else the last part of the title)
    family: str | None
    links: list[Link]
    report_links: list[Link]
    next_url: str | None
    refusal: str | None
    dated: int  # links with a date printed beside them: a list of records

    @property
    def is_column(self) -> bool:
        """A page that lists reports as a column does: report links among dated records or beside a
        next page, on a page that is neither the site's root nor an article itself."""
        path = urlsplit(self.url).path
        if path in ("", "/") or re.fullmatch(r"/index\.(?:s?html?|jsp|aspx?|php)", path, re.IGNORECASE):
            return False
        if derive_listing(self.url) is not None and not _LISTING_PATH.search(path):
            return False  # an article whose layout names its column: the column is elsewhere
        return bool(self.report_links) and (self.dated >= 2 or self.next_url is not None or len(self.report_links) >= 2)


_LISTING_PATH = re.compile(r"/(?:col/col\d+/index\.html|info/\d+\.htm|index(?:_\d+)?\.s?html?)$|/$", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SITE_META = re.compile(r"<meta\s+name=[\"']SiteName[\"']\s+content=[\"']([^\"']{1,80})[\"']", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
# Menus written by scripts: {name:"信息公开", url:"/xxgk/"} (either order), and markup in strings.
_JS_PAIR = re.compile(r"""(?:name|title|text|label|catalogName|chnlName)["']?\s*:\s*["']([^"'<>]{1,40})["']\s*,\s*"""
                      r"""(?:url|href|link|path|chnlUrl)["']?\s*:\s*["']([^"'\s<>]{1,300})["']""", re.IGNORECASE)
_JS_PAIR_REVERSED = re.compile(r"""(?:url|href|link|path|chnlUrl)["']?\s*:\s*["']([^"'\s<>]{1,300})["']\s*,\s*"""
                               r"""(?:name|title|text|label|catalogName|chnlName)["']?\s*:\s*["']([^"'<>]{1,40})["']""", re.IGNORECASE)
_JS_ANCHOR = re.compile(r"""<a\s[^>]*href=\\?["']([^"'\\\s]{1,300})\\?["'][^>]*>([^<"']{1,40})</a>""", re.IGNORECASE)


def read_page(body: bytes, url: str, content_type: str | None = None) -> PageView:
    html = decode_body(body, content_type)
    soup = listing_tree(html)
    refusal = refusal_in(soup)
    listing = listing_from_tree(soup, html, url)
    by_url = {link.url: link for link in listing.links}
    for link in [*_script_links(html, url), *_other_links(soup, html, url)]:
        known = by_url.get(link.url)
        if known is None or (_MORE.match(known.title) and link.title):  # 更多>> named by its box's heading
            by_url[link.url] = link
    links = list(by_url.values())
    title_match = _TITLE.search(html[:20000])
    title = " ".join(strip_format_characters(title_match.group(1)).split()) if title_match else ""
    site_match = _SITE_META.search(html[:20000])
    site = site_match.group(1).strip() if site_match else re.split(r"[_|\-–—]", title)[-1].strip() if title else ""
    reports = [link for link in links if decide_link(link).take]
    return PageView(url=url, title=title, site=site, family=detect_family(html, url), links=links, report_links=reports,
                    next_url=listing.next_url, refusal=refusal, dated=sum(1 for link in links if link.listed_on))


def _script_links(html: str, base: str) -> list[Link]:
    found = []
    for script in _SCRIPT.findall(html):
        pairs = [(text, href) for text, href in _JS_PAIR.findall(script)]
        pairs += [(text, href) for href, text in _JS_PAIR_REVERSED.findall(script)]
        pairs += [(text, href) for href, text in _JS_ANCHOR.findall(script)]
        for text, href in pairs:
            if href.lower().startswith(("javascript:", "#", "mailto:")):
                continue
            target = urljoin(base, href)
            if urlsplit(target).scheme in ("http", "https"):
                found.append(Link(url=target, title=text.strip()))
    return found


_REDIRECT = re.compile(r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["']([^"'\s]{1,300})["']|"""
                       r"""location\.(?:replace|assign)\(\s*["']([^"'\s]{1,300})["']""", re.IGNORECASE)
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\">\s]{1,300})", re.IGNORECASE)
_ONCLICK = re.compile(r"""(?:window\.open|location\.href\s*=)\s*\(?\s*["']([^"'\s]{1,300})["']""", re.IGNORECASE)


def _other_links(soup: BeautifulSoup, html: str, base: str) -> list[Link]:
    """Links a visitor follows that are not <a href> with words: an image menu (<a><img alt>),
    frames, a select of townships, onclick handlers, and the redirect a home page stub makes (a
    meta refresh or ``location.href = '/site/index.html'``), which is followed first."""
    found: list[Link] = []

    def add(href: str | None, text: str) -> None:
        if not href or href.lower().startswith(("javascript:", "#", "mailto:", "tel:")):
            return
        target = urljoin(base, href.strip())
        if urlsplit(target).scheme in ("http", "https"):
            found.append(Link(url=target, title=" ".join(text.split())[:60]))

    find_all = soup.find_all
    for anchor in find_all("a", href=True):
        if not anchor.get_text(strip=True) and not anchor.get("title"):
            image = anchor.find("img")
            add(str(anchor["href"]), str(image.get("alt") or image.get("title") or "") if image else "")
    for anchor in find_all("a", href=True):  # a box's 更多 link: named by the box's heading (法治政府建设 … 更多>>)
        if _MORE.match(anchor.get_text(" ", strip=True)):
            box = anchor.find_parent(["div", "section", "td", "dl"])
            heading = box.find(["h1", "h2", "h3", "h4", "h5", "strong", "b", "span", "dt"]) if box is not None else None
            name = heading.get_text(" ", strip=True) if heading is not None else ""
            if name and not _MORE.match(name):
                add(str(anchor["href"]), name)
    for frame in find_all(["iframe", "frame"], src=True):
        add(str(frame["src"]), str(frame.get("title") or frame.get("name") or ""))
    for option in find_all("option", value=True):
        value = str(option["value"])
        if "/" in value or value.startswith("http"):
            add(value, option.get_text(" ", strip=True))
    for element in find_all(onclick=True):
        m = _ONCLICK.search(str(element["onclick"]))
        if m:
            add(m.group(1), element.get_text(" ", strip=True))
    for meta in find_all("meta", attrs={"http-equiv": re.compile("refresh", re.IGNORECASE)}):
        m = _REFRESH.search(str(meta.get("content") or ""))
        if m:
            add(m.group(1), REDIRECT)
    for script in _SCRIPT.findall(html[:200_000]):
        for m in _REDIRECT.finditer(script):
            add(m.group(1) or m.group(2), REDIRECT)
    return found


REDIRECT = "(the page redirects here)"
_MORE = re.compile(r"^(?:更多|查看更多|more|MORE|More)?\s*(?:>>|>|»|\+)?$|^(?:更多|查看更多|more)", re.IGNORECASE)

# Words on a link and what they promise, best first. A report column's own name ends the search on
# that branch; the 信息公开 tree and township sub-sites lead to it; the annual 信息公开 report (a
# look-alike) and everything a visitor would not open for this are not followed.
_NOT_THIS = re.compile(r"信息公开(?:工作)?年(?:度)?报|政务公开年报|网站年(?:度)?报|工作年度报表|English|登录|注册|无障碍|长者|"
                       r"招聘|招标|采购|视频|图片|领导|信箱|留言|调查|征集|访谈|下载|天气|地图")
_SCORES: tuple[tuple[re.Pattern[str], int], ...] = tuple((re.compile(p), s) for p, s in (
    (r"法治(?:政府)?建设.{0,8}报告|法治政府.{0,4}年报|述法|依法行政.{0,6}报告|法治建设.{0,6}情况", 100),
    (r"^(?:20\d{2})\s*年度?$|^(?:20\d{2})\s*年度?(?:法治|报告)", 80),
    (r"法治政府建设|法治政府|法治建设", 70),
    (r"法定主动公开|主动公开内容", 55),
    (r"信息公开目录|政府信息公开|信息公开|政务公开|公开目录", 45),
    (r"其他法定|其他(?:主动)?公开|重点领域|专题专栏|专题", 35),
    (r"依法行政|依法治|法治", 30),
    (r"乡镇街道|乡镇|街道|镇街|镇村", 28),
    (r"年度报告|工作报告|年报", 25),
    (r"^.{1,8}(?:镇|乡|街道|苏木)(?:人民政府|办事处)?$", 22),
))
# Pinyin initials portals name folders with, for links whose words say nothing (an image menu).
_PATH_HINTS: tuple[tuple[re.Pattern[str], int], ...] = tuple((re.compile(p, re.IGNORECASE), s) for p, s in (
    (r"fzzfjs|fzjs|fzzf|fzbg|ndbg|fznb", 60),
    (r"fdzdgk|zfxxgk|xxgk|zwgk|gkml", 30),
    (r"xzjd|jdxz|zjd|/jd/|/xz/|xzzf", 20),
))


def link_score(text: str, url: str) -> int:
    """How promising a link is for finding the report column (0: not worth a page of the budget)."""
    if text == REDIRECT:
        return 90
    words = re.sub(r"\s+", "", strip_format_characters(text))
    if _NOT_THIS.search(words):
        return 0
    for pattern, score in _SCORES:
        if pattern.search(words):
            return score
    path = urlsplit(url).path
    for pattern, score in _PATH_HINTS:
        if pattern.search(path):
            return score
    return 0


_YEAR = re.compile(r"20\d{2}")


def year_key(url: str) -> str | None:
    """The URL with its year replaced, when it has one: columns opened anew each year share it."""
    parts = urlsplit(url)
    path = parts.path
    if not _YEAR.search(path):
        return None
    return f"{(parts.hostname or '').lower()}{_YEAR.sub('YYYY', path)}"


def county_of_site(*names: str) -> str | None:
    """The county (6-digit register code) a site names itself after (某某县人民政府, 某某区…), when
    its names point to exactly one county; None otherwise (the operator gives --adcode)."""
    codes: set[str] = set()
    for name in names:
        for mention in find_names(name):
            if mention.kind == "county" and len(mention.codes) == 1:
                codes.add(mention.codes[0])
    return codes.pop() if len(codes) == 1 else None
