"""Fetched reports → Harvested reports, through the pure core (parsers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flows.harvest.context import SourceNight, allowed_domains
from flows.harvest.convert import converters_for
from flows.harvest.discover import ListingError, discover_links
from flows.harvest.fetch import fetch_reports
from flows.harvest.find import find_columns
from flows.harvest.health import listing_health
from flows.harvest.http import HttpClient
from flows.records import Chosen, Failure, Fetched, Harvested, SourceHarvest
from flows.store.keys import url_key
from flows.store.raw import RawStore
from parsers import (
    Document,
    LinkDecision,
    Source,
    UnreadableDocument,
    classify_attachment,
    classify_page,
    extract_report,
    with_listing_date,
    with_listing_title,
)


def harvest(source: Source, item: Fetched, document: Document, now: datetime) -> Harvested:
    """Normalise, identify and extract one fetched report from the document parsed when it arrived."""
    document = with_listing_date(with_listing_title(document, item.title), item.listed_on).model_copy(update={"url": item.url})
    extraction = extract_report(document, source)
    return Harvested(source_id=source.id, url_key=item.url_key, url=item.url, sha256=item.sha256, fetched_at=now, extraction=extraction)


def stored_document(raw: RawStore, item: Fetched) -> Document:
    """A stored report's document read again from the raw store (re-extraction: no network), with
    the same decisions the night took when the bytes arrived. Raises UnreadableDocument when they
    are no longer read as a report."""
    convert = converters_for(raw.root)  # OCR'd pages come from the cache under the raw store: a re-extraction OCRs nothing again
    if item.page_sha256:
        page = classify_page(raw.load(item.page_sha256), item.url, None, convert)
        if page.document is None:
            raise UnreadableDocument(page.reason or f"{item.url}: its page is not readable")
        found = classify_attachment(page.document, raw.load(item.sha256), item.attachment_url or item.url, item.content_type, convert)
    else:
        found = classify_page(raw.load(item.sha256), item.url, item.content_type, convert)
    if found.kind != "report" or found.document is None:
        raise UnreadableDocument(found.reason or f"{item.url}: not a report ({found.kind})")
    return found.document


def harvest_stored(raw: RawStore, source: Source, item: Fetched, now: datetime) -> Harvested:
    """harvest() of a stored report, from its bytes in the raw store."""
    return harvest(source, item, stored_document(raw, item), now)


def harvest_source(night: SourceNight) -> SourceHarvest:
    """One source's night: discover its links, fetch the new (or, rechecking, all) reports, extract
    them."""
    if not night.source.listing:
        night = replace(night, source=listing_found(night.client, night.source))
    source, known = night.source, night.known
    found = discover_links(night)
    health = listing_health(source.id, source.listing[0] if source.listing else None, found.decisions, known)
    empty = [Failure(source_id=source.id, url=source.pages[0], reason=health.error)] if health.error else []
    chosen = links_to_fetch(source, found.decisions, known)
    fetched = fetch_reports(night, chosen.links)
    harvested: list[Harvested] = []
    parse_failures: list[Failure] = []
    for report in fetched.reports:
        try:
            harvested.append(harvest(source, report.fetched, report.document, night.now))
        except (UnreadableDocument, UnicodeError, ValueError) as exc:
            parse_failures.append(Failure(source_id=source.id, url=report.fetched.url, reason=str(exc)))
    return SourceHarvest(
        source_id=source.id,
        decisions=found.decisions,
        fetched=[r.fetched for r in fetched.reports],
        log=[*found.log, *fetched.log],
        failures=[*empty, *found.failures, *chosen.failures, *fetched.failures, *parse_failures],
        known=fetched.known,
        listing=found.listing,
        gone=fetched.gone,
        harvested=harvested,
        health=health,
    )


FIND_BUDGET = 40  # pages a night spends looking for an entry's listing (find_from), as `fazhi sources find` does


def listing_found(client: HttpClient, source: Source) -> Source:
    """An entry without a listing (find_from pages only), with the column the finder finds tonight
    from its pages on the entry's own hosts; ListingError when none is found. The registry file is
    not changed: the listing found is recorded in the night's health (`fazhi sources status` shows it)."""
    domains = allowed_domains(source)
    errors: list[str] = []
    for page in source.find_from:
        result = find_columns(client, page, budget=FIND_BUDGET, rate=source.rate_per_second, domains=domains)
        if result.found:
            best = result.found[0]
            return source.model_copy(update={"listing": best.listings, "family": source.family or best.family})
        errors += result.errors
    raise ListingError(f"{source.id}: no listing found from {source.find_from[0]} within {FIND_BUDGET} pages"
                       + (f" ({errors[0]})" if errors else ""))


def links_to_fetch(source: Source, decisions: list[LinkDecision], known: set[tuple[str, str]]) -> Chosen:
    """The taken links worth a request tonight: one per identity (two links that differ only by a
    cache-buster are one page), and at most ``source.max_new_reports`` not stored yet, in listing
    order (newest first on every CMS seen). Beyond the cap the source stops taking new links and
    says so; the rest are fetched on the following nights, as the first ones are then known."""
    chosen: list[LinkDecision] = []
    seen: set[str] = set()
    new = 0
    over: list[str] = []
    for decision in decisions:
        if not decision.take:
            continue
        key = url_key(decision.link.url)
        if key in seen:
            continue
        seen.add(key)
        if (source.id, key) not in known:
            new += 1
            if new > source.max_new_reports:
                over.append(decision.link.url)
                continue
        chosen.append(decision)
    if not over:
        return Chosen(links=chosen)
    reason = (f"{new} new report links tonight, more than max_new_reports ({source.max_new_reports}): fetched the first "
              f"{source.max_new_reports}; the other {len(over)} wait for the next nights (first left: {over[0]})")
    return Chosen(links=chosen, failures=[Failure(source_id=source.id, url=source.pages[0], reason=reason)])
