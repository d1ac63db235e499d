"""The dataset store: one SQLite file, one writer, nothing ever deleted.

A report is identified by its source and the path of its URL (``url_key``): hosts move between
http and https and www and bare names, but a portal's paths stay. A changed text becomes a new
revision with its own figures; the old revision stays. The whole merge is one transaction, so a
crash leaves the store as it was before the night began.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from flows.records import FetchRecord, Gone, Harvested, Listing, MergeResult, Night, SourceHarvest
from flows.run.crash import crashpoint
from flows.store.health import record_health
from flows.store.keys import report_id, url_key
from flows.store.schema import MIGRATIONS, SCHEMA_VERSION
from parsers import Extraction, IndicatorValue, Observation, Report, extractor_version


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    """The store, created or migrated to the current schema; closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
        yield conn
    finally:
        conn.close()


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the store to SCHEMA_VERSION, one migration per transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"the store has schema version {version}, newer than this code's {SCHEMA_VERSION}: upgrade Fazhi Atlas")
    for number in range(version, SCHEMA_VERSION):
        conn.executescript(f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")


def known_keys(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(source_id, url_key) of every stored report and of its mirrors: links not to fetch again."""
    return {(r["source_id"], r["url_key"]) for r in conn.execute("SELECT source_id, url_key FROM reports UNION SELECT source_id, url_key FROM mirrors")}


def validators(conn: sqlite3.Connection) -> dict[tuple[str, str], FetchRecord]:
    """The last successful fetch of every URL, for conditional GETs (ETag / Last-Modified)."""
    rows = conn.execute(
        """SELECT * FROM fetch_log WHERE id IN (
               SELECT max(id) FROM fetch_log WHERE status = 200 AND sha256 IS NOT NULL GROUP BY source_id, url_key)"""
    )
    return {(r["source_id"], r["url_key"]): _fetch_record(r) for r in rows}


def attachment_validators(conn: sqlite3.Connection) -> dict[tuple[str, str], FetchRecord]:
    """(source_id, page url_key) → the last successful fetch of the attachment a stored report's
    current text was read from, for reports read from an attachment: a recheck asks the file
    conditionally when its page answers 304. The fetch log keeps each attachment's ETag and
    Last-Modified under the attachment's own URL; the revision's raw_sha256 says which file it was."""
    return _attachment_validators(conn, None)


def _attachment_validators(conn: sqlite3.Connection, source_id: str | None) -> dict[tuple[str, str], FetchRecord]:
    """attachment_validators of every source, or of one (``source_id``)."""
    rows = conn.execute(
        """SELECT r.source_id AS page_source, r.url_key AS page_key, a.*
           FROM reports r
           JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
           JOIN fetch_log s ON s.id = (SELECT max(id) FROM fetch_log WHERE sha256 = v.raw_sha256 AND source_id = r.source_id)
           JOIN fetch_log a ON a.id = (SELECT max(id) FROM fetch_log WHERE source_id = r.source_id AND url_key = s.url_key
                                           AND status = 200 AND sha256 IS NOT NULL)
           WHERE s.url_key != r.url_key AND r.status = 'active'""" + (" AND r.source_id = ?" if source_id is not None else ""),
        (source_id,) if source_id is not None else (),
    )
    return {(r["page_source"], r["page_key"]): FetchRecord(**{k: r[k] for k in r.keys() if k not in ("id", "page_source", "page_key")}) for r in rows}


@contextmanager
def open_reader(path: Path) -> Iterator[sqlite3.Connection]:
    """The store opened read-only (never created, never migrated): for the night's source tasks,
    which read their own source's keys while other tasks do the same (WAL: readers run together)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


class SourceState(NamedTuple):
    """What one source's night needs from the store, and nothing of the other sources': its stored
    links (``known``), its last successful fetches (``validators``) and, rechecking, its reports'
    attachments. A national store holds ≈ 200,000 known keys and ≈ 300,000 validators; handing each
    source task all of them cost Prefect minutes of CPU a task before any fetch (issue 32)."""

    known: set[tuple[str, str]]
    validators: dict[tuple[str, str], FetchRecord]
    attachments: dict[tuple[str, str], FetchRecord]


def source_state(conn: sqlite3.Connection, source_id: str, recheck: bool = False) -> SourceState:
    """known_keys, validators and (with ``recheck``) attachment_validators of one source, each read
    through the (source_id, url_key) indexes."""
    known = {(source_id, r[0]) for r in conn.execute(
        "SELECT url_key FROM reports WHERE source_id = ? UNION SELECT url_key FROM mirrors WHERE source_id = ?", (source_id, source_id))}
    rows = conn.execute(
        """SELECT * FROM fetch_log WHERE id IN (
               SELECT max(id) FROM fetch_log WHERE source_id = ? AND status = 200 AND sha256 IS NOT NULL GROUP BY url_key)""",
        (source_id,))
    found = {(source_id, r["url_key"]): _fetch_record(r) for r in rows}
    return SourceState(known, found, _attachment_validators(conn, source_id) if recheck else {})


def _fetch_record(row: sqlite3.Row) -> FetchRecord:
    return FetchRecord(**{k: row[k] for k in row.keys() if k != "id"})


def _insert_revision(conn: sqlite3.Connection, rid: str, revision: int, item: Harvested, text_sha: str) -> int:
    ex = item.extraction
    rows = extraction_rows(ex)
    version = extractor_version()
    conn.execute(
        "INSERT INTO revisions (report_id, revision, sha256, raw_sha256, fetched_at, report, flags, text, original)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, revision, text_sha, item.sha256, item.fetched_at.isoformat(), rows.report, rows.flags, ex.text, ex.original),
    )
    conn.execute("INSERT INTO revision_extractors VALUES (?, ?, ?)", (rid, revision, version))
    write_figures(conn, rid, revision, version, rows, item.fetched_at)
    return len(ex.observations)


class ExtractionRows(NamedTuple):
    """An Extraction as the store keeps it: JSON and plain tuples, cheap to send between processes."""

    report: str  # parsers.models.Report as JSON
    flags: str  # list of parsers.models.Flag as JSON
    text: str
    original: str
    observations: list[tuple[Any, ...]]  # OBSERVATION_ROW order
    values: list[tuple[Any, ...]]  # VALUE_ROW order


OBSERVATION_ROW = ("seq", "indicator", "value", "unit", "qualifier", "quote", "start", "end", "section", "canonical", "scope")
VALUE_ROW = ("indicator", "value", "unit", "qualifier", "basis", "mentions", "quote", "quote_start", "quote_end", "flag_codes")
_TOTAL_WORDS = re.compile(r"共|累计|全年|总计|合计")


def extraction_rows(ex: Extraction) -> ExtractionRows:
    observations = [
        (seq, o.indicator, o.value, o.unit, o.qualifier, o.quote, o.start, o.end, o.section, int(o.canonical), o.scope)
        for seq, o in enumerate(ex.observations)
    ]
    values = [_value_row(v, ex.observations) for v in ex.values] if ex.values else _values_from_canonical(ex.observations)
    return ExtractionRows(ex.report.model_dump_json(), json.dumps([f.model_dump() for f in ex.flags], ensure_ascii=False),
                          ex.text, ex.original, observations, values)


def _value_row(value: IndicatorValue, observations: list[Observation]) -> tuple[Any, ...]:
    """The year's value with the quote of the mention(s) it counts: one quote, or the parts' quotes
    joined by " … " with the span from the first part's start to the last part's end."""
    counted = [observations[i] for i in value.mentions if 0 <= i < len(observations)]
    quote = " … ".join(o.quote for o in counted)
    start = min((o.start for o in counted), default=0)
    end = max((o.end for o in counted), default=0)
    mentions = "[" + ",".join(map(str, value.mentions)) + "]"  # JSON, without json.dumps' cost (15 values a report, 200,000 reports)
    return (value.indicator, value.value, value.unit, value.qualifier, value.basis, mentions, quote, start, end, ";".join(value.flags))


def _values_from_canonical(observations: list[Observation]) -> list[tuple[Any, ...]]:
    """For an extraction made without the year's values (Extraction.values empty): the one canonical
    mention of each indicator is its value, a stated total when its clause says so (VALUE_ROW order)."""
    values: dict[str, tuple[Any, ...]] = {}
    for index, o in enumerate(observations):
        if o.canonical and o.indicator not in values:
            basis = "stated_total" if _TOTAL_WORDS.search(o.quote) else "single_mention"
            values[o.indicator] = (o.indicator, o.value, o.unit, o.qualifier, basis, f"[{index}]", o.quote, o.start, o.end, "")
    return list(values.values())


def write_figures(conn: sqlite3.Connection, rid: str, revision: int, extractor: str, rows: ExtractionRows, at: datetime) -> None:
    """One extractor version's identification, figures and year's values of one revision (added,
    never replacing another version's)."""
    write_figures_many(conn, [(rid, revision, rows)], extractor, at)


def write_figures_many(conn: sqlite3.Connection, made: Sequence[tuple[str, int, ExtractionRows]], extractor: str, at: datetime,
                       again: Sequence[tuple[str, int]] = ()) -> None:
    """write_figures for many revisions, a statement per table rather than per revision (a
    re-extraction writes 200,000 of them). ``again``: revisions that already have figures of this
    extractor (a rule taken back, then replayed): those are replaced."""
    conn.executemany("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, NULL)",
                     [(rid, revision, extractor, at.isoformat(), rows.report, rows.flags) for rid, revision, rows in made])
    conn.executemany("DELETE FROM observations WHERE report_id = ? AND revision = ? AND extractor = ?", [(*key, extractor) for key in again])
    conn.executemany("DELETE FROM year_values WHERE report_id = ? AND revision = ? AND extractor = ?", [(*key, extractor) for key in again])
    conn.executemany(
        'INSERT INTO observations (report_id, revision, extractor, seq, indicator, value, unit, qualifier, quote, start, "end", section, canonical, scope)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rid, revision, extractor, *o) for rid, revision, rows in made for o in rows.observations],
    )
    conn.executemany("INSERT INTO year_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(rid, revision, extractor, *v) for rid, revision, rows in made for v in rows.values])


def merge(conn: sqlite3.Connection, night: Night) -> MergeResult:
    """Add a night's reports, withdrawals, links and fetch log in one transaction. Nothing is
    deleted or rewritten: a changed text is a new revision, a vanished page a status with its date."""
    now = night.now
    result = MergeResult()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO fetch_log (source_id, url, url_key, fetched_at, status, etag, last_modified, sha256, content_type, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.source_id, r.url, r.url_key, r.fetched_at.isoformat(), r.status, r.etag, r.last_modified, r.sha256, r.content_type, r.error)
                for r in night.log
            ],
        )
        _record_links(conn, night.harvests, now)
        _record_listing_reads(conn, night.listings, now)
        # A stored report's page answering 304 tonight is still online: its last_checked moves.
        conn.executemany("UPDATE reports SET last_seen = ? WHERE source_id = ? AND url_key = ? AND status = 'active'",
                         [(r.fetched_at.isoformat(), r.source_id, r.url_key) for r in night.log if r.status == 304])
        places: set[str] = set()
        for item in night.harvested:
            places |= _merge_one(conn, item, now, result)
        _mark_withdrawn(conn, night.listings, night.gone, now, result)
        _refresh_conflicts(conn, places | _place_keys(conn, [*result.withdrawn, *result.restored]))
        record_health(conn, night.health, now)
        crashpoint("merge:before-commit")
        conn.execute("COMMIT")
    except BaseException:
        # SQLite rolls a transaction back itself on some errors (SQLITE_FULL: disk full); a second
        # ROLLBACK would raise "no transaction is active" and hide the real cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def _record_links(conn: sqlite3.Connection, harvests: Iterable[SourceHarvest], now: datetime) -> None:
    conn.executemany(
        """INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (source_id, url_key) DO UPDATE SET
               url = excluded.url, title = excluded.title, listed_on = excluded.listed_on,
               taken = excluded.taken, reason = excluded.reason, last_seen = excluded.last_seen""",
        [
            (h.source_id, url_key(d.link.url), d.link.url, d.link.title, d.link.listed_on.isoformat() if d.link.listed_on else None,
             int(d.take), d.reason, now.isoformat(), now.isoformat())
            for h in harvests
            for d in h.decisions
        ],
    )


def _record_listing_reads(conn: sqlite3.Connection, listings: Iterable[Listing], now: datetime) -> None:
    """One row per source whose listing was read tonight (a listing exists only when its first
    page was read): the sampling frame's history. Two walks of a source in one night (a shard
    repeated) keep the deeper one."""
    conn.executemany(
        """INSERT INTO listing_reads VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (source_id, read_at) DO UPDATE SET pages = max(pages, excluded.pages),
               reached_end = max(reached_end, excluded.reached_end),
               oldest_listed = coalesce(min(oldest_listed, excluded.oldest_listed), oldest_listed, excluded.oldest_listed)""",
        [(listing.source_id, now.isoformat(), listing.pages, int(listing.reached_end),
          listing.oldest_listed.isoformat() if listing.oldest_listed else None, listing.max_pages) for listing in listings],
    )


class SourceReads(NamedTuple):
    """What the store knows of the reading of one source's listing: the sampling frame's row."""

    source_id: str
    monitored_since: str  # first successful listing read (UTC timestamp)
    last_listing: str  # the last one
    reads: int
    max_pages_read: int  # the most pages one walk read
    reached_end: bool  # some walk reached the listing's last page
    oldest_listed: str | None  # the oldest item date any walk saw
    stopped_by_max_pages: bool = False  # the last walk read max_pages pages without reaching the listing's end


def listing_reads(conn: sqlite3.Connection) -> dict[str, SourceReads]:
    """Per source, its successful listing reads summed up (a small table: one row a source a night)."""
    return {row[0]: SourceReads(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], bool(row[7])) for row in conn.execute(
        """SELECT g.source_id, min(g.read_at), max(g.read_at), count(*), max(g.pages), max(g.reached_end), min(g.oldest_listed),
                  (SELECT l.reached_end = 0 AND l.max_pages IS NOT NULL AND l.pages >= l.max_pages FROM listing_reads l
                   WHERE l.source_id = g.source_id ORDER BY l.read_at DESC LIMIT 1)
           FROM listing_reads g GROUP BY g.source_id ORDER BY g.source_id""")}


def place_key(report: Report) -> str | None:
    """The township and year a report speaks for (its 9-digit code when known), or None when
    either is unresolved or the document is not a report that counts (kind "other"). Matches
    the SQL that filled the column when it was added (IDENTITY_V3)."""
    place = report.place
    if report.kind == "other" or report.year is None:
        return None
    if place.township_code:
        return f"{place.township_code}|{report.year}"
    if place.township:
        return f"{place.province or ''}|{place.county or ''}|{place.township}|{report.year}"
    return None


def _merge_one(conn: sqlite3.Connection, item: Harvested, now: datetime, result: MergeResult) -> set[str]:
    """Merge one harvested report; returns the place keys whose conflicts may have changed."""
    rid = report_id(item.source_id, item.url_key)
    text_sha = hashlib.sha256(item.extraction.text.encode()).hexdigest()
    key = place_key(item.extraction.report)
    row = conn.execute(
        "SELECT r.current_revision, r.status, r.place_key, v.sha256 FROM reports r JOIN revisions v"
        " ON v.report_id = r.report_id AND v.revision = r.current_revision WHERE r.report_id = ?",
        (rid,),
    ).fetchone()
    if row is None:
        if _merge_mirror(conn, item, text_sha, now, result):
            return set()
        conn.execute(
            "INSERT INTO reports (report_id, source_id, url_key, url, first_seen, last_seen, current_revision, place_key, township_code)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (rid, item.source_id, item.url_key, item.url, now.isoformat(), now.isoformat(), key, item.extraction.report.place.township_code),
        )
        _insert_revision(conn, rid, 1, item, text_sha)
        result.new.append(rid)
        return {key} if key else set()
    if row["status"] == "withdrawn":
        result.restored.append(rid)
    if row["sha256"] != text_sha:
        revision = row["current_revision"] + 1
        _insert_revision(conn, rid, revision, item, text_sha)
        conn.execute("UPDATE reports SET township_code = ? WHERE report_id = ?", (item.extraction.report.place.township_code, rid))
        result.revised.append(rid)
    else:
        revision = row["current_revision"]
        key = row["place_key"]  # the text is the same: so is what was identified in it
        result.unchanged.append(rid)
    conn.execute(
        "UPDATE reports SET current_revision = ?, last_seen = ?, status = 'active', withdrawn_on = NULL, place_key = ? WHERE report_id = ?",
        (revision, now.isoformat(), key, rid),
    )
    return {k for k in (key, row["place_key"]) if k} if revision != row["current_revision"] or row["status"] == "withdrawn" else set()


def _merge_mirror(conn: sqlite3.Connection, item: Harvested, text_sha: str, now: datetime, result: MergeResult) -> bool:
    """A URL that is not a report of its own: a known mirror, or a new URL whose normalised text
    is an active report's current text (the same report published twice, or at 5,000 URLs by a
    portal that appends a session to its links). Recorded as that report's mirror; True if so."""
    mirror = conn.execute("SELECT report_id FROM mirrors WHERE source_id = ? AND url_key = ?", (item.source_id, item.url_key)).fetchone()
    same = conn.execute(
        "SELECT r.report_id FROM revisions v JOIN reports r ON r.report_id = v.report_id AND r.current_revision = v.revision"
        " WHERE v.sha256 = ? AND r.status = 'active' ORDER BY r.first_seen, r.report_id LIMIT 1",
        (text_sha,),
    ).fetchone()
    if same is None:
        if mirror is not None:  # rechecked, a mirror now holds a text of its own: from now on it is a report
            conn.execute("DELETE FROM mirrors WHERE source_id = ? AND url_key = ?", (item.source_id, item.url_key))
        return False
    conn.execute(  # a rechecked mirror whose text is now another report's follows that report
        """INSERT INTO mirrors VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (source_id, url_key) DO UPDATE SET report_id = excluded.report_id, last_seen = excluded.last_seen""",
        (item.source_id, item.url_key, item.url, same["report_id"], now.isoformat(), now.isoformat()),
    )
    conn.execute("UPDATE reports SET last_seen = ? WHERE report_id = ?", (now.isoformat(), same["report_id"]))
    if mirror is None:
        result.mirrored.append(item.url)
    return True


def _place_keys(conn: sqlite3.Connection, report_ids: list[str]) -> set[str]:
    keys = set()
    for rid in report_ids:
        row = conn.execute("SELECT place_key FROM reports WHERE report_id = ?", (rid,)).fetchone()
        if row and row[0]:
            keys.add(row[0])
    return keys


CONFLICT_FLAG = "conflicting_sources"


def reidentified(conn: sqlite3.Connection, changed: Iterable[tuple[str, int, Report]]) -> None:
    """A re-extraction placed current revisions anew: their reports' township code and place key
    follow, and the conflicts of the places they left and joined are recomputed (inside the
    caller's transaction)."""
    keys: set[str] = set()
    for rid, revision, report in changed:
        row = conn.execute("SELECT place_key FROM reports WHERE report_id = ? AND current_revision = ?", (rid, revision)).fetchone()
        if row is None:  # an older revision: the report's current place is another revision's
            continue
        key = place_key(report)
        keys.update(k for k in (row[0], key) if k)
        conn.execute("UPDATE reports SET township_code = ?, place_key = ? WHERE report_id = ?", (report.place.township_code, key, rid))
    _refresh_conflicts(conn, keys)


def _refresh_conflicts(conn: sqlite3.Connection, keys: Iterable[str]) -> None:
    """Recompute the conflict flags of the reports of these townships and years.

    Two sources that report one township and year with different year values for an indicator
    are both kept, and each gets a flag naming the indicator, both values and the other report:
    the release shows it on both (reports.jsonl, observations.csv). Nothing says which is right."""
    for key in sorted(keys):
        members = conn.execute("SELECT report_id, source_id, current_revision FROM reports WHERE place_key = ? ORDER BY report_id", (key,)).fetchall()
        conn.executemany("DELETE FROM conflicts WHERE report_id = ?", [(m["report_id"],) for m in members])
        active = conn.execute(
            "SELECT report_id, source_id, current_revision FROM reports WHERE place_key = ? AND status = 'active' ORDER BY report_id", (key,)
        ).fetchall()
        if len({m["source_id"] for m in active}) < 2:
            continue
        values = {m["report_id"]: _year_values(conn, m["report_id"], m["current_revision"]) for m in active}
        flags = []
        for mine in active:
            for other in active:
                if other["source_id"] == mine["source_id"]:
                    continue
                ours, theirs = values[mine["report_id"]], values[other["report_id"]]
                for indicator in sorted(set(ours) & set(theirs)):
                    if ours[indicator] != theirs[indicator]:
                        detail = (f"{indicator}: {_shown(ours[indicator])} here, {_shown(theirs[indicator])} in report {other['report_id']}"
                                  f" from source {other['source_id']} (same township and year)")
                        flags.append((mine["report_id"], CONFLICT_FLAG, detail))
        conn.executemany("INSERT INTO conflicts VALUES (?, ?, ?)", flags)


def _year_values(conn: sqlite3.Connection, rid: str, revision: int) -> dict[str, tuple[float, ...]]:
    """The canonical values of a report revision by indicator (several when the year's value is a sum of parts)."""
    found: dict[str, list[float]] = {}
    for indicator, value in conn.execute(
        "SELECT indicator, value FROM observations WHERE report_id = ? AND revision = ? AND canonical = 1 ORDER BY seq", (rid, revision)
    ):
        found.setdefault(indicator, []).append(value)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _shown(values: tuple[float, ...]) -> str:
    return "+".join(f"{v:g}" for v in values)


def _mark_withdrawn(conn: sqlite3.Connection, listings: Iterable[Listing], gone: Iterable[Gone], now: datetime, result: MergeResult) -> None:
    """Withdrawn: gone from a completely read listing, or answering 404/410. Re-listed: active again.
    A report whose own URL is gone while one of its mirrors is listed tonight is still published."""
    day = now.date().isoformat()
    vanished = {(g.source_id, g.url_key) for g in gone}
    listings = list(listings)
    listed_tonight = {(listing.source_id, key) for listing in listings for key in listing.url_keys}
    mirrored = {row[0] for row in conn.execute("SELECT report_id, source_id, url_key FROM mirrors") if (row[1], row[2]) in listed_tonight}
    for listing in listings:
        listed = set(listing.url_keys)
        for row in conn.execute("SELECT report_id, url_key, status FROM reports WHERE source_id = ?", (listing.source_id,)).fetchall():
            is_listed = row["url_key"] in listed or row["report_id"] in mirrored
            if is_listed and row["status"] == "withdrawn" and (listing.source_id, row["url_key"]) not in vanished:
                conn.execute("UPDATE reports SET status = 'active', withdrawn_on = NULL WHERE report_id = ?", (row["report_id"],))
                result.restored.append(row["report_id"])
            elif listing.complete and not is_listed:
                vanished.add((listing.source_id, row["url_key"]))
    for source_id, key in sorted(vanished):
        rid = report_id(source_id, key)
        updated = conn.execute(
            "UPDATE reports SET status = 'withdrawn', withdrawn_on = ? WHERE report_id = ? AND status = 'active'", (day, rid)
        ).rowcount
        if updated:
            result.withdrawn.append(rid)


