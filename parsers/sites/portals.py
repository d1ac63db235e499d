"""An article URL → the listing (栏目) page that lists it, by the URL layout of its CMS family.

A county portal's CMS puts an article under its column in a fixed way (TRS: ``<column>/YYYYMM/
tYYYYMMDD_N.html``; Hanweb: ``art/Y/M/D/art_<col>_<id>.html`` beside ``col/col<col>/``; VSB:
``info/<col>/<id>.htm`` beside ``info/<col>.htm``; …). Knowing one report's URL is then knowing
where the next year's will be listed. The layouts are the ones ``portals.csv``'s README names,
tried most specific first; a URL that matches none, or a layout known to carry no column in its
path (``/c/2026-02-03/N.shtml``, ``doc/YYYY/MM/DD/N.shtml``, ``xxgk-show-N.html`` …) gives None:
its column must be found by following the portal's navigation (``fazhi sources find``).

Pure: a URL in, a ``Derived`` out; nothing is fetched, so every listing derived here is a
hypothesis until a night reads it (``checked: false`` in sources.yaml).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit


class Derived(NamedTuple):
    """A listing derived from an article URL: its first page, the family whose layout gave it,
    other forms of the same listing worth trying (VSB's list.jsp), and the rule in words."""

    listing: str
    family: str
    rule: str
    alternatives: tuple[str, ...] = ()


# (family, path pattern, column template, rule in words). The pattern is matched against the URL's
# path; the template is expanded with its groups (\1 …) into the listing's path. Order matters: a
# layout that is a special case of another comes first (gkmlpt before Guangdong's content/post_N).
_LAYOUTS: tuple[tuple[str, re.Pattern[str], str, str], ...] = tuple(
    (family, re.compile(pattern, re.IGNORECASE), template, rule)
    for family, pattern, template, rule in (
        ("hanweb", r"^(.*/)art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.s?html?$", r"\1col/col\2/index.html",
         "Hanweb: art/Y/M/D/art_<col>_<id>.html → col/col<col>/index.html"),
        ("hanweb", r"^(.*/)art/\d{4}/art_[0-9a-f]{32}\.html?$", r"\1", "Hanweb (hex ids): the folder before art/"),
        ("vsb", r"^(.*/)info/(\d+)/\d+\.html?$", r"\1info/\2.htm", "VSB: info/<col>/<id>.htm → info/<col>.htm"),
        ("gkmlpt", r"^(.*/gkmlpt/)content/(?:\d+/)*post_\d+\.html?$", r"\1index", "Guangdong gkmlpt: …/gkmlpt/index"),
        ("gd-post", r"^(.*/)content/post_\d+\.html?$", r"\1", "Guangdong template: the folder before content/post_N.html"),
        ("uuid-content", r"^(.*/)content/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.html?$", r"\1",
         "Nantong/闵行: the folder before content/<uuid>.html"),
        ("hebei-columns", r"^(.*/columns/[0-9a-f-]{36}/)\d{6}/\d{1,2}/[0-9a-f-]{36}\.html?$", r"\1",
         "Hebei: columns/<uuid>/YYYYMM/DD/<uuid>.html → columns/<uuid>/"),
        ("col-dated", r"^(.*/col/\d+/)\d{4}/\d{1,2}/\d{1,2}/\d+\.html?$", r"\1", "col/<n>/Y/M/D/<id>.html → col/<n>/"),
        ("sichuan-pc", r"^(.*/)pc/content/content_\d+\.html?$", r"\1", "Sichuan: the folder before pc/content/content_N.html"),
        ("trs", r"^(.*/)\d{6}/t\d{8}_\d+\.s?html?$", r"\1", "TRS: the folder before YYYYMM/tYYYYMMDD_N.html"),
        ("trs", r"^(.*/)\d{6}/[0-9a-f]{32}\.s?html?$", r"\1", "TRS (集约化): the folder before YYYYMM/<32 hex>.shtml"),
        ("trs", r"^(.*/)\d{6}/\d{8}_\d+\.s?html?$", r"\1", "TRS-like: the folder before YYYYMM/YYYYMMDD_N.html"),
        ("trs", r"^(.*/)t\d{8}_\d+\.s?html?$", r"\1", "TRS: the folder of tYYYYMMDD_N.html"),
        ("shanghai", r"^(.*/(?:zwgk|zhengwu)/[^/]+/)\d{4}/\d+/\d+\.html?$", r"\1",
         "Shanghai districts: (zwgk|zhengwu)/<col>/YYYY/<n>/<id>.html → <col>/"),
        ("bj-affair", r"^(.*/affair/[^/]+/)[0-9a-f]{32}\.html?$", r"\1", "Beijing 朝阳: affair/<col>/<32 hex>.html → affair/<col>/"),
        ("index-folder", r"^(.*/)\d{5,}/index\.html?$", r"\1", "大兴: <col>/<id>/index.html → <col>/"),
        ("numeric-tree", r"^((?:/\d+)+/)content_\d+\.html?$", r"\1", "Hunan numeric trees: the folder of content_N.html"),
        ("qinghai-content", r"^(.*/)content_\d+$", r"\1", "青海: <col>/content_N → <col>/"),
        ("snowflake", r"^(.*/)\d{19}\.html?$", r"\1", "19-digit ids: the folder of <id>.html"),
        ("jinan-channel", r"^(.*/channel_[^/]+/)doc_[0-9a-z]+\.html?$", r"\1", "Jinan: channel_<id>/doc_<id>.html → channel_<id>/"),
        ("contents", r"^(.*/contents/\d+/)\d+\.html?$", r"\1", "contents/<col>/<id>.html → contents/<col>/"),
        ("changzhou", r"^(.*/html/[^/]+/)\d{4}/[A-Z]+_\d{4}/\d+\.html?$", r"\1", "Changzhou: html/<site>/YYYY/<CODE>_MMDD/N.html → html/<site>/"),
        ("hubei-t", r"^(.*/)t_\d+\.shtml$", r"\1", "Hubei: the folder of t_N.shtml"),
        ("dated-folder", r"^(.*/)20\d{6}/\d+\.html?$", r"\1", "<col>/YYYYMMDD/N.html → <col>/"),
        ("epoint", r"^(.*/[^/]+/\d{6}/)\d{8}/[0-9a-f-]{36}\.html?$", r"\1", "Epoint: <a>/<6 digits>/YYYYMMDD/<uuid>.html → <a>/<6 digits>/"),
    )
)

# Layouts whose path carries no column: a listing derived from them would be a date folder or the
# site's root. They are recognised only to say so.
_NO_COLUMN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(pattern, re.IGNORECASE))
    for what, pattern in (
        ("a date folder (/c/YYYY-MM-DD/N.shtml)", r"/c/\d{4}-\d{2}-\d{2}/\d+\.s?html?$"),
        ("a date folder (doc/YYYY/MM/DD/N.shtml)", r"/doc/\d{4}/\d{2}/\d{2}/\d+\.s?html?$"),
        ("a date folder (/YYYY/MM-DD/N.html)", r"/\d{4}/\d{2}-\d{2}/\d+\.html?$"),
        ("an article id with no column (xxgk-show-N.html)", r"/xxgk-show-\d+\.html?$"),
        ("Anhui's public/<col>/<id>.html", r"/(?:openness|zwgk)/public/\d+/\d+\.html?$"),
        ("a .jhtml article id", r"\.jhtml$"),
        ("a query-string article", r"/(?:details|article\.html)$"),
    )
)
# Articles named by a bare number in a folder named by words (…/fzzfjsndbg/13991033.html): the
# folder is the column on many home-grown CMSs. Tried last; folders of ids and dates are excluded.
_NUMERIC_ARTICLE = re.compile(r"^(.*/[a-z][a-z0-9_-]*/)\d{6,}\.html?$", re.IGNORECASE)
_NOT_A_COLUMN_FOLDER = re.compile(r"/(?:content|show|artview|item|article|detail|details|view|c|doc|public)/$", re.IGNORECASE)


def derive_listing(article_url: str) -> Derived | None:
    """The listing an article URL sits in, by its CMS family's layout; None when the layout is
    unknown or carries no column. The article's query (``?xxgkhide=1``, ``?t=0``) is dropped."""
    try:
        parts = urlsplit(article_url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path
    for _, pattern in _NO_COLUMN:
        if pattern.search(path):
            return None
    for family, pattern, template, rule in _LAYOUTS:
        m = pattern.match(path)
        if m:
            column = m.expand(template)
            if column in ("", "/"):
                return None
            listing = urlunsplit((parts.scheme, parts.netloc, column, "", ""))
            alternatives: tuple[str, ...] = ()
            if family == "vsb":
                root = m.group(1)
                alternatives = (urlunsplit((parts.scheme, parts.netloc, f"{root}list.jsp",
                                            f"urltype=tree.TreeTempUrl&wbtreeid={m.group(2)}", "")),)
            return Derived(listing, family, rule, alternatives)
    m = _NUMERIC_ARTICLE.match(path)
    if m and not _NOT_A_COLUMN_FOLDER.search(m.group(1)) and m.group(1).count("/") >= 3:
        return Derived(urlunsplit((parts.scheme, parts.netloc, m.group(1), "", "")), "numeric-article",
                       "a numbered article in a folder named by words: the folder")
    return None


def no_column_reason(article_url: str) -> str:
    """Why derive_listing gave None for this URL, in words (for the entry's note)."""
    path = urlsplit(article_url).path
    for what, pattern in _NO_COLUMN:
        if pattern.search(path):
            return f"its URL layout carries no column: {what}"
    return "no known CMS layout gives its column"


# Markers of each family in a page's HTML: generator meta tags, script and asset paths, the pager
# functions each CMS writes. Checked in order; the first family with a marker wins.
_FAMILY_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern, re.IGNORECASE))
    for family, pattern in (
        ("hanweb", r"jpage|/module/web/jpage|hanweb|/col/col\d+/index\.html|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+"),
        ("vsb", r"vsb_|_sitegray|system/resource/js|/info/\d+/\d+\.htm|wbtreeid="),
        ("gkmlpt", r"/gkmlpt/"),
        ("trs", r"createPageHTML|trs_|TRS WCM|/\d{6}/t\d{8}_\d+\.s?html"),
        ("gd-post", r"/content/post_\d+\.html"),
        ("hebei-columns", r"/columns/[0-9a-f-]{36}/"),
    )
)


def detect_family(html: str, url: str = "") -> str | None:
    """The CMS family a page was built with, from its markup and links; None when no marker shows."""
    sample = html[:400_000]
    for family, pattern in _FAMILY_MARKERS:
        if pattern.search(sample):
            return family
    derived = derive_listing(url) if url else None
    return derived.family if derived else None


def same_listing(a: str, b: str) -> bool:
    """Two listing URLs that are one column: http/https, www./bare host, a trailing index page
    (index.html, index.shtml, index.htm) and a trailing slash do not make a new column."""
    return listing_key(a) == listing_key(b)


_INDEX_PAGE = re.compile(r"/index\.s?html?$", re.IGNORECASE)


def listing_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")
