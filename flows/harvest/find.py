"""`fazhi sources find`: from any page of a portal, its report column(s), within a page budget.

The walk is best-first: every link on the portal's own hosts gets a score from its words
(parsers.sites.finder.link_score: 法治政府建设年度报告 > 法定主动公开内容 > 信息公开 > 乡镇/街道 …) and
the most promising unread page is read next, until the budget is spent or nothing promising is
left. Three things make a column:
- a page that lists reports as a column does (report links among dated records, or with a next page);
- a report link's URL, whose CMS layout names its column (parsers.sites.portals.derive_listing): the
  column is then read to confirm it (a home page's "latest" box leads there, and so does the
  article the finder was started from);
- columns that differ only by a year (2024nd-…/2025nd-…, …/2025/) are one column renewed each
  year: they are named together, and the entry says so.
Every request goes through the night's HttpClient (robots.txt, politeness, the private-address
guard: loopback only for a start URL on loopback, as the night allows it for the demo portals).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flows.harvest.candidates import IMPORTED_RATE, host_of, id_stem
from flows.harvest.http import FetchError, HttpClient
from parsers import REDIRECT, PageView, county_name, county_of_site, derive_listing, link_score, listing_key, read_page, year_key

DEFAULT_BUDGET = 40
REPORT_COLUMN_WORDS = 70  # link_score of 法治政府建设 and above: the link names the report column itself
SKIPPED_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".jpg", ".jpeg", ".png", ".gif", ".mp4", ".wps", ".ofd")


@dataclass
class Found:
    """One report column: its first page(s), how it was reached, what it lists."""

    listings: list[str]
    family: str | None
    path: list[str]  # the link texts (and rules) followed from the start page, in order
    report_titles: list[str]
    site: str
    yearly: bool = False  # a column opened anew each year (listings: one per year, newest first)


@dataclass
class FindResult:
    start: str
    pages: int = 0
    found: list[Found] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    site: str = ""
    adcode: str | None = None


def portal_domains(url: str) -> list[str]:
    """The hosts a walk from ``url`` may read: a county's gov.cn domain and its sub-sites (xxgk.…,
    township sites), else the start's host without www. (and its sub-domains)."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if host.endswith(".gov.cn") and len(labels) > 3:  # jz.xx.gov.cn, www.xx.gov.cn: the portal is xx.gov.cn and its sub-sites
        return [".".join(labels[-3:])]
    return [host.removeprefix("www.")]


def find_columns(client: HttpClient, start: str, *, budget: int = DEFAULT_BUDGET, rate: float = 1.0,
                 domains: list[str] | None = None) -> FindResult:
    """The report columns reachable from ``start`` within ``budget`` pages, best first."""
    domains = domains or portal_domains(start)
    result = FindResult(start=start)
    counter = itertools.count()
    queue: list[tuple[int, int, str, list[str], bool, int]] = []  # (-priority, order, url, path, confirm: a derived column, link score)
    queued: set[str] = set()

    def push(url: str, priority: int, path: list[str], confirm: bool = False, score: int = 0) -> None:
        key = listing_key(url)
        if key in queued or urlsplit(url).path.lower().endswith(SKIPPED_EXTENSIONS):
            return
        queued.add(key)
        heapq.heappush(queue, (-priority, next(counter), url, path, confirm, score))

    derived = derive_listing(start)
    if derived:
        push(derived.listing, 1000, [f"(its column by the {derived.family} layout)"], confirm=True)
    push(start, 900, [])
    origin = f"{urlsplit(start).scheme}://{urlsplit(start).netloc}/"
    push(origin, 800, ["(the portal's home page)"] if origin != start else [])
    columns: dict[str, tuple[PageView, list[str]]] = {}
    while queue and result.pages < budget:
        _, _, url, path, confirm, reached_by = heapq.heappop(queue)
        result.pages += 1  # a page that fails costs the portal a request too: it counts
        try:
            reply = client.get(url, allowed_domains=domains, rate=rate)
        except FetchError as exc:
            result.errors.append(str(exc))
            continue
        view = read_page(reply.body, reply.url, reply.content_type)
        if view.refusal:  # a challenge page, or a home page stub that only redirects (followed: a visitor's browser would)
            result.errors.append(f"{url}: {view.refusal}")
            for link in view.links:
                if link.title == REDIRECT and _ours(link.url, domains):
                    push(link.url, 990, [*path, REDIRECT])
            continue
        if not result.site and view.site:
            result.site = view.site
        # a column, or a page that lists a report and was reached by the column's own name (a new
        # column with one undated report so far) or derived from a report's URL
        if view.is_column or (view.report_links and (confirm or reached_by >= REPORT_COLUMN_WORDS)):
            columns.setdefault(listing_key(url), (view, path))
        for link in view.report_links:  # a report's URL names its column on most CMSs
            column = derive_listing(link.url)
            if column and _ours(column.listing, domains):
                push(column.listing, 950, [*path, link.title, f"(its column by the {column.family} layout)"], confirm=True)
        for link in view.links:
            if not _ours(link.url, domains) or link in view.report_links:
                continue
            score = link_score(link.title, link.url)
            if score > 0:
                push(link.url, score + min(len(path), 5), [*path, link.title], score=score)
    result.found = _grouped(columns)
    result.adcode = county_of_site(result.site)
    return result


def _ours(url: str, domains: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return urlsplit(url).scheme in ("http", "https") and any(host == d or host.endswith("." + d) for d in domains)


def _grouped(columns: dict[str, tuple[PageView, list[str]]]) -> list[Found]:
    """Columns, one per year grouped, the most report links first; a column whose reports are all
    listed by another, more specific column too (a 信息公开 page's "latest" box) is left out."""
    by_year: dict[str, list[tuple[PageView, list[str]]]] = {}
    singles: list[Found] = []
    for view, path in columns.values():
        key = year_key(view.url)
        if key:
            by_year.setdefault(key, []).append((view, path))
        else:
            singles.append(_found([(view, path)]))
    for members in by_year.values():
        singles.append(_found(members))
    # most specific: the column whose reports another column lists as well, with more of its own links, goes
    kept = []
    for found in singles:
        titles = set(found.report_titles)
        shadowed = any(other is not found and titles and titles < set(other.report_titles) for other in singles)
        if not shadowed:
            kept.append(found)
    return sorted(kept, key=lambda f: (-len(f.report_titles), f.listings[0]))


def _found(members: list[tuple[PageView, list[str]]]) -> Found:
    members = sorted(members, key=lambda m: m[0].url, reverse=True)  # newest year first
    view, path = members[0]
    titles = list(dict.fromkeys(link.title for v, _ in members for link in v.report_links))
    derived = [d.family for v, _ in members for d in map(derive_listing, (link.url for link in v.report_links)) if d]
    family = view.family or (max(set(derived), key=derived.count) if derived else None)  # the reports' layout names it otherwise
    return Found(listings=[v.url for v, _ in members], family=family, path=path, report_titles=titles, site=view.site,
                 yearly=len(members) > 1)


def entries_for(result: FindResult, adcode: str | None = None, name: str | None = None,
                taken: frozenset[str] = frozenset()) -> list[dict[str, object]]:
    """The registry entries (sources.yaml) for what a walk found: unchecked, with the path in found_by
    (ids unique among themselves and ``taken``)."""
    code = adcode or result.adcode
    entries: list[dict[str, object]] = []
    used: set[str] = set(taken)
    for found in result.found:
        base = f"{id_stem(host_of(result.start))}-{code or 'county'}"
        entry_id, n = base, 2
        while entry_id in used:
            entry_id, n = f"{base}-{n}", n + 1
        used.add(entry_id)
        how = " → ".join(found.path) or "(the start page itself)"
        note = "; a column opened anew each year: next year's must be added (re-run find)" if found.yearly else ""
        entry: dict[str, object] = {"id": entry_id, "name": name or found.site or result.site or host_of(result.start)}
        if code:
            entry |= {"county": county_name(code), "adcode": code, "covers": [code]}
        entry |= {
            "listing": found.listings,
            **({"family": found.family} if found.family else {}),
            "checked": False,
            "found_by": f"fazhi sources find from {result.start}: {how} ({len(found.report_titles)} report links){note}"[:1000],
            "allowed_domains": sorted({host_of(u) for u in found.listings}),
            "rate_per_second": IMPORTED_RATE,
        }
        entries.append(entry)
    return entries

