"""Fetched bytes → Harvested reports, through the pure core (parsers)."""

from __future__ import annotations

from datetime import datetime

from parsers import UnreadableDocument, extract_report, read_document
from parsers.article import with_attachment_text
from parsers.models import Source
from parsers.titles import is_shortened

from .discover import discover_links
from .fetch import fetch_reports
from .http import HttpClient
from .rawstore import RawStore
from .records import Failure, Fetched, FetchRecord, Harvested, SourceHarvest

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
    fetched, fetch_log, fetch_failures, skipped, gone = fetch_reports(
        client, source, decisions, known, raw, now, recheck=recheck, validators=validators
    )
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
