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
from urllib.parse import urlsplit

from .records import FetchRecord, Harvested, MergeResult

SCHEMA_VERSION = 1
SCHEMA = """
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
        conn.executescript(SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        yield conn
    finally:
        conn.close()


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


def merge(conn: sqlite3.Connection, harvested: Iterable[Harvested], log: Iterable[FetchRecord], now: datetime) -> MergeResult:
    """Add tonight's reports and fetch log in one transaction; nothing is updated in place but
    a report's pointer to its current revision and its last-seen time."""
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
        for item in harvested:
            rid = report_id(item.source_id, item.url_key)
            text_sha = hashlib.sha256(item.extraction.text.encode()).hexdigest()
            row = conn.execute(
                "SELECT r.current_revision, v.sha256 FROM reports r JOIN revisions v"
                " ON v.report_id = r.report_id AND v.revision = r.current_revision WHERE r.report_id = ?",
                (rid,),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO reports (report_id, source_id, url_key, url, first_seen, last_seen, current_revision)"
                    " VALUES (?, ?, ?, ?, ?, ?, 1)",
                    (rid, item.source_id, item.url_key, item.url, now.isoformat(), now.isoformat()),
                )
                _insert_revision(conn, rid, 1, item, text_sha)
                result.new.append(rid)
            elif row["sha256"] != text_sha:
                revision = row["current_revision"] + 1
                _insert_revision(conn, rid, revision, item, text_sha)
                conn.execute(
                    "UPDATE reports SET current_revision = ?, last_seen = ?, status = 'active', withdrawn_on = NULL WHERE report_id = ?",
                    (revision, now.isoformat(), rid),
                )
                result.revised.append(rid)
            else:
                conn.execute("UPDATE reports SET last_seen = ? WHERE report_id = ?", (now.isoformat(), rid))
                result.unchanged.append(rid)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return result


def current_reports(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every report with its current revision, in a stable order (for releases)."""
    yield from conn.execute(
        """SELECT r.report_id, r.source_id, r.url, r.status, r.withdrawn_on, r.first_seen,
                  v.revision, v.sha256, v.raw_sha256, v.report, v.flags, v.text, v.original
           FROM reports r JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
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
