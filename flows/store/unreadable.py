"""Reports the night found but could not read without a tool this machine lacks (LibreOffice for a
.wps, an OCR engine for a scan, …): kept in the store with what they need, never silently dropped.

A row stays until a later night reads the report (``read_at`` is then set): an operator who
installs the tool sees the rows go. Its own table (migration UNREADABLE_V9), written after the
night's merge from the night's failures that carry ``needs``. UNREADABLE_V10 adds what the night
could say of the report from its page and listing title (title, the file, township, year, kind,
publication date): the release lists the rows still unread (unreadable.csv) and coverage gives a
township-year whose only report is one of them the status ``unreadable``, not ``not_found``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import NamedTuple

from flows.records import Night

UNREADABLE_V9 = """
CREATE TABLE IF NOT EXISTS unreadable (
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,             -- the report's page (or the file linked directly)
    needs TEXT NOT NULL,           -- what would read it: "LibreOffice", "OCR", "OCR (deferred to the next night)" …
    reason TEXT NOT NULL,          -- the one-line failure, naming the file and its format
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    read_at TEXT,                  -- when a later night read it (the tool was installed, the OCR finished)
    PRIMARY KEY (source_id, url)
) WITHOUT ROWID
"""
# Columns of this module's own table only: independent of every other migration. No SQL comments in
# them: SQLite splices an added column's text into the table's stored CREATE statement.
# title: the report's title (its page's, else the listing's); file_url: the attachment that needs the
# tool (NULL: url is the file); township_code, year: as identified from the page and title (NULL: not
# named); kind: parsers' report kind (shufa: a 述法 report); published_on: the page's date, if shown.
UNREADABLE_V10 = """
ALTER TABLE unreadable ADD COLUMN title TEXT;
ALTER TABLE unreadable ADD COLUMN file_url TEXT;
ALTER TABLE unreadable ADD COLUMN township_code TEXT;
ALTER TABLE unreadable ADD COLUMN year INTEGER;
ALTER TABLE unreadable ADD COLUMN kind TEXT;
ALTER TABLE unreadable ADD COLUMN published_on TEXT
"""


class UnreadableReport(NamedTuple):
    """A report still unread, as the release lists it."""

    source_id: str
    url: str
    file_url: str | None
    title: str | None
    township_code: str | None
    year: int | None
    kind: str | None
    published_on: str | None
    needs: str
    reason: str
    first_seen: str
    last_seen: str


def keep_unreadable(conn: sqlite3.Connection, night: Night) -> int:
    """Record tonight's unreadable reports and mark those read tonight; the number recorded."""
    now = night.now.isoformat()
    rows = []
    for f in night.failures:
        if not f.needs:
            continue
        u = f.unread
        rows.append((f.source_id, f.url, f.needs, f.reason, now, now, u.title if u else None, u.file_url if u else None,
                     u.township_code if u else None, u.year if u else None, u.kind if u else None,
                     u.published_on.isoformat() if u and u.published_on else None))
    read = [(now, h.source_id, h.url) for harvest in night.harvests for h in harvest.harvested]
    with conn:
        conn.executemany("INSERT INTO unreadable (source_id, url, needs, reason, first_seen, last_seen, title, file_url, township_code, year, kind, "
                         "published_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (source_id, url) DO UPDATE SET needs = excluded.needs, reason = excluded.reason, "
                         "last_seen = excluded.last_seen, read_at = NULL, title = excluded.title, file_url = excluded.file_url, "
                         "township_code = excluded.township_code, year = excluded.year, kind = excluded.kind, published_on = excluded.published_on",
                         rows)
        conn.executemany("UPDATE unreadable SET read_at = ? WHERE source_id = ? AND url = ? AND read_at IS NULL", read)
    return len(rows)


def unreadable_reports(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The reports still unreadable, by source: what `fazhi` tells an operator to install."""
    return list(conn.execute("SELECT source_id, url, needs, reason, first_seen, last_seen FROM unreadable WHERE read_at IS NULL "
                             "ORDER BY source_id, url"))


def still_unread(conn: sqlite3.Connection) -> list[UnreadableReport]:
    """The reports still unread with what is known of them, in (source, URL) order: unreadable.csv."""
    return [UnreadableReport(*row) for row in conn.execute(
        "SELECT source_id, url, file_url, title, township_code, year, kind, published_on, needs, reason, first_seen, last_seen "
        "FROM unreadable WHERE read_at IS NULL ORDER BY source_id, url")]


def unread_fingerprint(conn: sqlite3.Connection) -> str:
    """What of the unread reports a release shows, digested ('' when there is none, so that a store
    without any keeps its fingerprint): a report becoming unreadable, or read, or needing another
    tool cuts a release; a quiet night that sees it again (last_seen) does not."""
    rows = conn.execute("SELECT source_id, url, needs, township_code, year, kind, title FROM unreadable WHERE read_at IS NULL "
                        "ORDER BY source_id, url").fetchall()
    if not rows:
        return ""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(("\x1f".join("" if v is None else str(v) for v in row) + "\n").encode())
    return digest.hexdigest()
