"""The rows of a release's tables that are not figures: reports.csv (every report ever found, its
place, dates and status; titles bounded), sources.csv (sources.yaml as used, with how far back each
listing was read) and sources_health.csv (each source's recent nights), so that every report's
source_id resolves and a reader can judge what was searched."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from dataset import bound_cell
from flows import store
from flows.release.files import (
    _fmt,
)
from parsers import (
    Source,
    covered_counties,
    province_of,
)


def _source_health_rows(conn: sqlite3.Connection, sources: list[Source]) -> Iterator[list[Any]]:
    """sources_health.csv: each registry source's health over its recorded nights (flows.store.health)."""
    for s in store.source_status(conn, sources):
        yield [s.source_id, _fmt(s.checked), s.checked_on, s.nights, s.last_success, s.last_error_on, s.last_error, s.items_last,
               s.items_usual, s.nights_since_new, s.newest, " ".join(f"{y}:{n}" for y, n in sorted(s.years.items())) or None,
               "; ".join(s.flags) or None]


def _source_rows(conn: sqlite3.Connection, sources: list[Source], used: dict[str, str]) -> Iterator[list[Any]]:
    """Every source of the registry, and every other source a current report comes from (its
    entry as last used, kept in the store; else its id and the site of one of its reports):
    every source_id resolves."""
    known = {s.id: s for s in sources}
    stored = {row[0]: row[1] for row in conn.execute("SELECT source_id, entry FROM source_entries")}
    reads = store.listing_reads(conn)
    for source_id in sorted(known.keys() | used):
        source, in_registry = known.get(source_id), source_id in known
        if source is None and source_id in stored:
            try:
                source = Source.model_validate_json(stored[source_id])
            except ValueError:
                source = None
        if source is None:
            parts = urlsplit(used[source_id])
            yield [source_id, source_id, f"{parts.scheme}://{parts.netloc}/", None, None, None, None, None, "false", *_read_cells(reads.get(source_id), None)]
            continue
        province = province_of(source.adcode) if source.adcode else None
        yield [source.id, source.name, source.pages[0], " ".join(source.listing), province[1] if province else None, source.county,
               source.adcode, " ".join(covered_counties(source)), _fmt(in_registry), *_read_cells(reads.get(source.id), source.max_pages)]


def _read_cells(read: store.SourceReads | None, max_pages: int | None) -> list[Any]:
    """sources.csv's frame columns: when and how far back the source's listing was read."""
    if read is None:
        return [None, None, 0, None, max_pages, None, None, None]
    return [read.monitored_since, read.last_listing, read.reads, read.max_pages_read, max_pages, _fmt(read.reached_end), read.oldest_listed,
            _fmt(read.stopped_by_max_pages)]


MAX_TITLE = 1_000  # characters of a title in reports.csv: a page's <title> of 160,000 characters is a page's, not a title


def _report_rows(conn: sqlite3.Connection, report_ids: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every report as a release row, streamed from the store: a withdrawn report stays, with its
    status and the day it was found gone (history is never rewritten: issue 26)."""
    for r in store.current_reports(conn, report_ids):
        report = json.loads(r["report"])
        place = report["place"]
        yield {
            "report_id": r["report_id"],
            "revision": r["revision"],
            "township": place.get("township"),
            "township_code": place.get("township_code"),
            "county": place.get("county"),
            "province": place.get("province"),
            "adcode": place.get("adcode"),
            "level": report["level"],
            "kind": report["kind"],
            "year": report["year"],
            "published_on": report["published_on"],
            "on_time": report["on_time"],
            "title": bound_cell(report["title"], MAX_TITLE) if report["title"] else report["title"],
            "url": r["url"],
            "source_id": r["source_id"],
            "sha256": r["sha256"],
            "script": report["script"],
            "status": r["status"],
            "mirror_urls": r["mirror_urls"],
            "withdrawn_on": (r["withdrawn_on"] or "")[:10] or None,
            "published_on_source": report.get("published_on_source"),
            "signed_on": report.get("signed_on"),
        }
