"""Walk a source's listing (栏目) pages and decide which links are rule-of-law reports.

Listing pages are fetched with conditional GETs: an unchanged listing answers 304 and is read
from the raw store, so a quiet night costs one small request per listing page.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flows.harvest.context import SourceNight
from flows.harvest.http import FetchError, resolves_to_loopback
from flows.records import Discovery, Failure, FetchRecord, Listing
from flows.store.keys import url_key
from parsers import LinkDecision, Source, classify_listing, decide_link


class ListingError(RuntimeError):
    """A source's first listing page could not be read: nothing can be discovered there."""


def source_is_private(source: Source) -> bool:
    """A source whose listing pages are themselves on loopback (the demo portals). Only loopback: a
    registry entry listing 169.254.169.254 or 100.100.100.200 (a cloud's metadata service) was taken
    for a private source and fetched with the address guard off."""
    return all(resolves_to_loopback(urlsplit(u).hostname or "") for u in source.pages)


def discover_links(night: SourceNight) -> Discovery:
    """Every link on the source's listing pages with the decision taken on it (first seen wins),
    and whether the walk read every listing page to its end. A listing page is asked
    conditionally (its last fetch in ``night.validators``) and read again from the raw store on 304."""
    client, source, validators, raw, now = night.client, night.source, night.validators, night.raw, night.now
    decisions: dict[str, LinkDecision] = {}
    complete = True
    reached_end = True  # every listing walked to a page without a next page
    pages = 0
    oldest: date | None = None
    log: list[FetchRecord] = []
    failures: list[Failure] = []
    domains, ports = night.domains, night.ports
    if not source.listing:  # an entry still to be resolved (find_from only): nothing to walk, nothing withdrawn
        raise ListingError(f"{source.id}: no listing yet: its column must be found from {source.pages[0]} (fazhi sources find)")
    for first_page in source.listing:
        page_url: str | None = first_page
        for page_number in range(source.max_pages):
            if page_url is None:
                break
            key = url_key(page_url)
            known = validators.get((source.id, key))
            try:
                reply = client.get(
                    page_url,
                    allowed_domains=domains,
                    rate=source.rate_per_second,
                    etag=known.etag if known else None,
                    last_modified=known.last_modified if known else None,
                    ports=ports,
                )
            except FetchError as exc:
                log.append(FetchRecord(source_id=source.id, url=page_url, url_key=key, fetched_at=now, error=str(exc)))
                if page_number == 0:
                    raise ListingError(f"{source.id}: listing page unreachable: {exc}") from exc
                failures.append(Failure(source_id=source.id, url=page_url, reason=f"listing page unreachable: {exc}"))
                complete = False
                break
            if reply.not_modified and known and known.sha256 and raw.has(known.sha256):
                body, sha256 = raw.load(known.sha256), known.sha256
                content_type = known.content_type
            else:
                body, sha256, content_type = reply.body, raw.save(reply.body), reply.content_type
            log.append(
                FetchRecord(
                    source_id=source.id,
                    url=page_url,
                    url_key=key,
                    fetched_at=now,
                    status=reply.status,
                    etag=reply.etag or (known.etag if known else None),
                    last_modified=reply.last_modified or (known.last_modified if known else None),
                    sha256=sha256,
                    content_type=content_type,
                )
            )
            read = classify_listing(body, page_url, content_type)  # one parse: the refusal check and the links
            refusal, page = read.refusal, read.page
            if refusal or page is None:
                refusal = refusal or "not a listing page"
                if page_number == 0:
                    raise ListingError(f"{source.id}: {page_url}: {refusal}")
                failures.append(Failure(source_id=source.id, url=page_url, reason=refusal))
                complete = False
                break
            if page_number == 0 and not page.links:
                # A challenge or block page the refusal filter does not know (location.replace, a meta
                # refresh, a WAF notice) has no links: read as a complete, empty listing, it withdrew
                # every report of the source. A column with no links at all is not a listing.
                raise ListingError(f"{source.id}: {page_url}: no links on the first listing page (a challenge or block "
                                   "page?); nothing is withdrawn")
            pages += 1
            for link in page.links:
                decisions.setdefault(link.url, decide_link(link))
                if link.listed_on is not None and (oldest is None or link.listed_on < oldest):
                    oldest = link.listed_on
            page_url = page.next_url
        else:
            complete = complete and page_url is None  # stopped by max_pages: older pages unseen
        reached_end = reached_end and page_url is None
    listing = Listing(source_id=source.id, complete=complete, url_keys=sorted({url_key(u) for u in decisions}), pages=pages,
                      reached_end=reached_end and complete, oldest_listed=oldest, max_pages=source.max_pages)
    return Discovery(decisions=list(decisions.values()), log=log, failures=failures, listing=listing)
