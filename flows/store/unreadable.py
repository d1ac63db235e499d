"""Reports the night found but could not read without a tool this machine lacks (LibreOffice for a
.wps, an OCR engine for a scan, …): kept in the store with what they need, never silently dropped.

A row stays until a later night reads the report (``read_at`` is then set): an operator who
installs the tool sees the rows go. Its own table (migration UNREADABLE_V9), written after the
night's merge from the night's failures that carry ``needs``.
"""

from __future__ import annotations

import sqlite3

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


def keep_unreadable(conn: sqlite3.Connection, night: Night) -> int:
    """Record tonight's unreadable reports and mark those read tonight; the number recorded."""
    now = night.now.isoformat()
    rows = [(f.source_id, f.url, f.needs, f.reason, now, now) for f in night.failures if f.needs]
    read = [(now, h.source_id, h.url) for harvest in night.harvests for h in harvest.harvested]
    with conn:
        conn.executemany("INSERT INTO unreadable (source_id, url, needs, reason, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (source_id, url) DO UPDATE SET needs = excluded.needs, reason = excluded.reason, "
                         "last_seen = excluded.last_seen, read_at = NULL", rows)
        conn.executemany("UPDATE unreadable SET read_at = ? WHERE source_id = ? AND url = ? AND read_at IS NULL", read)
    return len(rows)


def unreadable_reports(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The reports still unreadable, by source: what `fazhi` tells an operator to install."""
    return list(conn.execute("SELECT source_id, url, needs, reason, first_seen, last_seen FROM unreadable WHERE read_at IS NULL "
                             "ORDER BY source_id, url"))
