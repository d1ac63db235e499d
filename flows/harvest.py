"""Fetched bytes → Harvested reports, through the pure core (parsers)."""

from __future__ import annotations

from datetime import datetime

from parsers import UnreadableDocument, extract_report, read_document
from parsers.article import with_attachment_text
from parsers.models import LinkDecision, Source
from parsers.titles import is_shortened

from .discover import discover_links
from .fetch import fetch_reports
from .http import HttpClient
from .rawstore import RawStore
from .records import Failure, Fetched, FetchRecord, Harvested, SourceHarvest
from .store import url_key

MIN_REPORT_CHARS = 300  # the shortest real report in the seeds has 2,185 characters; less is a stub or an error page
# A rule-of-law report says 法治/依法/法律/普法 many times (the seeds: 65 to 150 times); a page whose
# title looked right but whose text does not is something else filed under that title.
RULE_OF_LAW_TERMS = ("法治", "依法", "法律", "普法")
MIN_RULE_OF_LAW_MENTIONS = 5


def harvest(raw: RawStore, source: Source, item: Fetched, now: datetime) -> Harvested:
    """Parse, normalise, identify and extract one fetched report."""
    document = read_document(raw.load(item.sha256), item.attachment_url or item.url, item.content_type)
    if item.page_sha256:
        page = read_document(raw.load(item.page_sha256), item.url)
        document = with_attachment_text(page, document)
    if document.title is None and not is_shortened(item.title):  # a shortened listing title: the text's own first line is better
        document = document.model_copy(update={"title": item.title})
    if len("".join(document.text.split())) < MIN_REPORT_CHARS:
        raise UnreadableDocument(f"{item.url}: only {len(document.text.strip())} characters of text; not a report")
    mentions = sum(document.text.count(term) for term in RULE_OF_LAW_TERMS)
    if mentions < MIN_RULE_OF_LAW_MENTIONS:
        raise UnreadableDocument(f"{item.url}: the text mentions 法治/依法 {mentions} times: not a rule-of-law report despite its title")
    extraction = extract_report(document.model_copy(update={"url": item.url}), source)
    return Harvested(source_id=source.id, url_key=item.url_key, url=item.url, sha256=item.sha256, fetched_at=now, extraction=extraction)


def harvest_all(raw: RawStore, source: Source, items: list[Fetched], now: datetime) -> tuple[list[Harvested], list[Failure]]:
    done, failures = [], []
    for item in items:
        try:
            done.append(harvest(raw, source, item, now))
        except (UnreadableDocument, UnicodeError, ValueError) as exc:
            failures.append(Failure(source_id=source.id, url=item.url, reason=str(exc)))
    return done, failures


def harvest_source(
    client: HttpClient,
    source: Source,
    known: set[tuple[str, str]],
    validators: dict[tuple[str, str], FetchRecord],
    raw: RawStore,
    now: datetime,
    *,
    recheck: bool = False,
) -> tuple[SourceHarvest, list[Harvested]]:
    """One source's night: discover its links, fetch the new (or, rechecking, all) reports, extract them."""
    decisions, log, failures, listing = discover_links(client, source, validators, raw, now)
    to_fetch, capped = links_to_fetch(source, decisions, known)
    fetched, fetch_log, fetch_failures, skipped, gone = fetch_reports(
        client, source, to_fetch, known, raw, now, recheck=recheck, validators=validators
    )
    failures = [*failures, *capped]
    harvested, parse_failures = harvest_all(raw, source, fetched, now)
    summary = SourceHarvest(
        source_id=source.id,
        decisions=decisions,
        fetched=fetched,
        log=[*log, *fetch_log],
        failures=[*failures, *fetch_failures, *parse_failures],
        known=skipped,
        listing=listing,
        gone=gone,
    )
    return summary, harvested


def links_to_fetch(source: Source, decisions: list[LinkDecision], known: set[tuple[str, str]]) -> tuple[list[LinkDecision], list[Failure]]:
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
        return chosen, []
    reason = (f"{new} new report links tonight, more than max_new_reports ({source.max_new_reports}): fetched the first "
              f"{source.max_new_reports}; the other {len(over)} wait for the next nights (first left: {over[0]})")
    return chosen, [Failure(source_id=source.id, url=source.listing[0], reason=reason)]
