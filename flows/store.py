"""The dataset store: one SQLite file, one writer, nothing ever deleted.

A report is identified by its source and the path of its URL (``url_key``): hosts move between
http and https and www and bare names, but a portal's paths stay. A changed text becomes a new
revision with its own figures; the old revision stays. The whole merge is one transaction, so a
crash leaves the store as it was before the night began.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .crash import crashpoint
from .records import FetchRecord, Gone, Harvested, Listing, MergeResult, SourceHarvest

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fetch_log (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL, url TEXT NOT NULL, url_key TEXT NOT NULL, fetched_at TEXT NOT NULL,
    status INTEGER, etag TEXT, last_modified TEXT, sha256 TEXT, content_type TEXT, error TEXT
);
CREATE INDEX IF NOT EXISTS fetch_log_key ON fetch_log (source_id, url_key, id);
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active', withdrawn_on TEXT,
    current_revision INTEGER NOT NULL,
    UNIQUE (source_id, url_key)
);
CREATE TABLE IF NOT EXISTS revisions (
    report_id TEXT NOT NULL REFERENCES reports (report_id),
    revision INTEGER NOT NULL,
    sha256 TEXT NOT NULL,          -- of the normalised text: what makes a revision new
    raw_sha256 TEXT NOT NULL,      -- the fetched bytes, in the raw store
    fetched_at TEXT NOT NULL,
    report TEXT NOT NULL,          -- parsers.models.Report as JSON
    flags TEXT NOT NULL,           -- list of parsers.models.Flag as JSON
    text TEXT NOT NULL,
    original TEXT NOT NULL,
    PRIMARY KEY (report_id, revision)
);
CREATE TABLE IF NOT EXISTS observations (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL, seq INTEGER NOT NULL,
    indicator TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, qualifier TEXT NOT NULL,
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, section TEXT,
    canonical INTEGER NOT NULL,
    PRIMARY KEY (report_id, revision, seq),
    FOREIGN KEY (report_id, revision) REFERENCES revisions (report_id, revision)
);
CREATE INDEX IF NOT EXISTS observations_indicator ON observations (indicator);
"""
# Every link discovery saw, with the decision taken on it and why: an operator can ask why a
# report was not taken, and a rule change can be replayed over what was listed.
LINKS_V2 = """
CREATE TABLE IF NOT EXISTS links (
    source_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
    listed_on TEXT, taken INTEGER NOT NULL, reason TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    PRIMARY KEY (source_id, url_key)
);
"""
# The township's register code (9 digits) beside each report: the stable key of releases and
# pages (two 西湖镇 never merge; a renamed township keeps its code). Filled from the current
# revision's record; NULL where the place is unresolved (or was identified before the register).
TOWNSHIP_CODE_V3 = """
ALTER TABLE reports ADD COLUMN township_code TEXT;
UPDATE reports SET township_code = (
    SELECT json_extract(v.report, '$.place.township_code') FROM revisions v
    WHERE v.report_id = reports.report_id AND v.revision = reports.current_revision);
CREATE INDEX IF NOT EXISTS reports_township ON reports (township_code);
"""
# MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version). Append, never edit.
MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, LINKS_V2, TOWNSHIP_CODE_V3)
SCHEMA_VERSION = len(MIGRATIONS)


def url_key(url: str) -> str:
    """The part of a URL that identifies a page within its source: path and query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def report_id(source_id: str, key: str) -> str:
    return hashlib.sha256(f"{source_id}|{key}".encode()).hexdigest()[:16]


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
    """(source_id, url_key) of every stored report: links not to fetch again."""
    return {(r["source_id"], r["url_key"]) for r in conn.execute("SELECT source_id, url_key FROM reports")}


def validators(conn: sqlite3.Connection) -> dict[tuple[str, str], FetchRecord]:
    """The last successful fetch of every URL, for conditional GETs (ETag / Last-Modified)."""
    rows = conn.execute(
        """SELECT * FROM fetch_log WHERE id IN (
               SELECT max(id) FROM fetch_log WHERE status = 200 AND sha256 IS NOT NULL GROUP BY source_id, url_key)"""
    )
    return {(r["source_id"], r["url_key"]): _fetch_record(r) for r in rows}


def _fetch_record(row: sqlite3.Row) -> FetchRecord:
    return FetchRecord(**{k: row[k] for k in row.keys() if k != "id"})


def _insert_revision(conn: sqlite3.Connection, rid: str, revision: int, item: Harvested, text_sha: str) -> int:
    ex = item.extraction
    conn.execute(
        "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rid,
            revision,
            text_sha,
            item.sha256,
            item.fetched_at.isoformat(),
            ex.report.model_dump_json(),
            json.dumps([f.model_dump() for f in ex.flags], ensure_ascii=False),
            ex.text,
            ex.original,
        ),
    )
    conn.executemany(
        "INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, revision, seq, o.indicator, o.value, o.unit, o.qualifier, o.quote, o.start, o.end, o.section, int(o.canonical))
            for seq, o in enumerate(ex.observations)
        ],
    )
    return len(ex.observations)


def merge(
    conn: sqlite3.Connection,
    harvested: Iterable[Harvested],
    log: Iterable[FetchRecord],
    now: datetime,
    listings: Iterable[Listing] = (),
    gone: Iterable[Gone] = (),
    decisions: Iterable[SourceHarvest] = (),
) -> MergeResult:
    """Add tonight's reports, withdrawals and fetch log in one transaction. Nothing is deleted or
    rewritten: a changed text is a new revision, a vanished page a status with its date."""
    result = MergeResult()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO fetch_log (source_id, url, url_key, fetched_at, status, etag, last_modified, sha256, content_type, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.source_id, r.url, r.url_key, r.fetched_at.isoformat(), r.status, r.etag, r.last_modified, r.sha256, r.content_type, r.error)
                for r in log
            ],
        )
        _record_links(conn, decisions, now)
        for item in harvested:
            _merge_one(conn, item, now, result)
        _mark_withdrawn(conn, listings, gone, now, result)
        crashpoint("merge:before-commit")
        conn.execute("COMMIT")
    except BaseException:
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


def _merge_one(conn: sqlite3.Connection, item: Harvested, now: datetime, result: MergeResult) -> None:
    rid = report_id(item.source_id, item.url_key)
    text_sha = hashlib.sha256(item.extraction.text.encode()).hexdigest()
    row = conn.execute(
        "SELECT r.current_revision, r.status, v.sha256 FROM reports r JOIN revisions v"
        " ON v.report_id = r.report_id AND v.revision = r.current_revision WHERE r.report_id = ?",
        (rid,),
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO reports (report_id, source_id, url_key, url, first_seen, last_seen, current_revision, township_code)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (rid, item.source_id, item.url_key, item.url, now.isoformat(), now.isoformat(), item.extraction.report.place.township_code),
        )
        _insert_revision(conn, rid, 1, item, text_sha)
        result.new.append(rid)
        return
    if row["status"] == "withdrawn":
        result.restored.append(rid)
    if row["sha256"] != text_sha:
        revision = row["current_revision"] + 1
        _insert_revision(conn, rid, revision, item, text_sha)
        conn.execute("UPDATE reports SET township_code = ? WHERE report_id = ?", (item.extraction.report.place.township_code, rid))
        result.revised.append(rid)
    else:
        revision = row["current_revision"]
        result.unchanged.append(rid)
    conn.execute(
        "UPDATE reports SET current_revision = ?, last_seen = ?, status = 'active', withdrawn_on = NULL WHERE report_id = ?",
        (revision, now.isoformat(), rid),
    )


def _mark_withdrawn(conn: sqlite3.Connection, listings: Iterable[Listing], gone: Iterable[Gone], now: datetime, result: MergeResult) -> None:
    """Withdrawn: gone from a completely read listing, or answering 404/410. Re-listed: active again."""
    day = now.date().isoformat()
    vanished = {(g.source_id, g.url_key) for g in gone}
    for listing in listings:
        listed = set(listing.url_keys)
        for row in conn.execute("SELECT report_id, url_key, status FROM reports WHERE source_id = ?", (listing.source_id,)).fetchall():
            if row["url_key"] in listed and row["status"] == "withdrawn" and (listing.source_id, row["url_key"]) not in vanished:
                conn.execute("UPDATE reports SET status = 'active', withdrawn_on = NULL WHERE report_id = ?", (row["report_id"],))
                result.restored.append(row["report_id"])
            elif listing.complete and row["url_key"] not in listed:
                vanished.add((listing.source_id, row["url_key"]))
    for source_id, key in sorted(vanished):
        rid = report_id(source_id, key)
        updated = conn.execute(
            "UPDATE reports SET status = 'withdrawn', withdrawn_on = ? WHERE report_id = ? AND status = 'active'", (day, rid)
        ).rowcount
        if updated:
            result.withdrawn.append(rid)


def current_reports(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every report with its current revision, in a stable order (for releases)."""
    yield from conn.execute(
        """SELECT r.report_id, r.source_id, r.url, r.status, r.withdrawn_on, r.first_seen,
                  v.revision, v.sha256, v.raw_sha256, v.report, v.flags, v.text, v.original
           FROM reports r JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
           ORDER BY r.report_id"""
    )


OBSERVATION_COLUMNS = ("report_id", "revision", "indicator", "value", "unit", "qualifier", "quote", "start", "end", "section", "canonical")


def current_observation_tuples(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """The current revisions' observations as plain tuples in OBSERVATION_COLUMNS order, by report:
    a release reads 3.4 million of them at national scale, where sqlite3.Row lookups by name
    cost more than the query."""
    cursor = conn.cursor()
    cursor.row_factory = None
    yield from cursor.execute(
        f"""SELECT {", ".join(f'o."{c}"' for c in OBSERVATION_COLUMNS)} FROM observations o JOIN reports r
               ON o.report_id = r.report_id AND o.revision = r.current_revision
           ORDER BY o.report_id, o.seq"""
    )


def current_report_records(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(report_id, status, report JSON, flags JSON) of every report's current revision, in
    report_id order: current_reports without the texts, for what needs only places and kinds."""
    cursor = conn.cursor()
    cursor.row_factory = None
    yield from cursor.execute(
        """SELECT r.report_id, r.status, v.report, v.flags FROM reports r
               JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
           ORDER BY r.report_id"""
    )


def current_observations(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    yield from conn.execute(
        """SELECT o.* FROM observations o JOIN reports r
               ON o.report_id = r.report_id AND o.revision = r.current_revision
           ORDER BY o.report_id, o.seq"""
    )


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of what a release would contain: equal fingerprints, no new release."""
    digest = hashlib.sha256()
    for row in conn.execute("SELECT report_id, current_revision, status FROM reports ORDER BY report_id"):
        digest.update(f"{row[0]}:{row[1]}:{row[2]}\n".encode())
    return digest.hexdigest()
