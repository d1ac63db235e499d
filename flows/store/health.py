"""Source health in the store: each night's row per source, and what the nights say together.

A night writes one ``source_health`` row per source it tried (in the merge's transaction), and a
``source_checks`` row the first time an unchecked source's listing answers with report links:
that is what "checked" means once a night has run (the registry file is never rewritten by the
night; `fazhi sources status` shows both). ``source_status`` reads the rows back into the flags
an operator acts on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from statistics import median

from flows.records import SourceHealth, SourceStatus
from parsers import Source

EMPTY_PREFIX = "the listing answered but lists nothing"
STALE_NIGHTS = 400  # reports are yearly: a column with no new report for more than a year (and its deadline) is stale
SHAPE_MIN_USUAL = 5  # a listing that usually shows fewer records is too small to call a drop a change of shape
HISTORY = 60  # nights read back per source


def record_health(conn: sqlite3.Connection, healths: Iterable[SourceHealth], now: datetime) -> None:
    """Tonight's health rows (inside the caller's transaction), with each source's stored reports by year."""
    healths = list(healths)
    if not healths:
        return
    years = _years(conn, sorted({h.source_id for h in healths}))
    night = now.isoformat()
    conn.executemany(
        "INSERT OR REPLACE INTO source_health (source_id, night, answered, listing, items, links, report_links, new_report_links, newest,"
        " robots, challenge, off_host, error, years) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(h.source_id, night, int(h.answered), h.listing, h.items, h.links, h.report_links, h.new_report_links,
          h.newest.isoformat() if h.newest else None, int(h.robots), int(h.challenge), int(h.off_host), h.error,
          json.dumps(years.get(h.source_id, {}), sort_keys=True)) for h in healths],
    )
    conn.executemany("INSERT OR IGNORE INTO source_checks (source_id, checked_on, listing) VALUES (?, ?, ?)",
                     [(h.source_id, night, h.listing) for h in healths if h.answered and h.report_links > 0 and not h.error])


def _years(conn: sqlite3.Connection, source_ids: list[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for start in range(0, len(source_ids), 500):
        chunk = source_ids[start:start + 500]
        rows = conn.execute(
            f"""SELECT r.source_id, f.year, count(*) FROM reports r
                JOIN revision_facts f ON f.report_id = r.report_id AND f.revision = r.current_revision
                WHERE r.status = 'active' AND r.source_id IN ({','.join('?' * len(chunk))}) GROUP BY r.source_id, f.year""", chunk)
        for source_id, year, count in rows:
            found.setdefault(source_id, {})[str(year) if year is not None else "undated"] = count
    return found


def checked_sources(conn: sqlite3.Connection) -> dict[str, str]:
    """source_id → the night its listing first answered with report links."""
    return {r[0]: r[1] for r in conn.execute("SELECT source_id, checked_on FROM source_checks")}


def source_status(conn: sqlite3.Connection, sources: list[Source] | None = None, stale_nights: int = STALE_NIGHTS) -> list[SourceStatus]:
    """Each source's health over its recorded nights, with its flags (registry order; without a
    registry, every source the store has health for)."""
    checks = checked_sources(conn)
    ids = [s.id for s in sources] if sources is not None else [r[0] for r in conn.execute("SELECT DISTINCT source_id FROM source_health ORDER BY 1")]
    registered = {s.id: s for s in sources or []}
    statuses = []
    for source_id in ids:
        rows = conn.execute("SELECT * FROM source_health WHERE source_id = ? ORDER BY night DESC LIMIT ?", (source_id, HISTORY)).fetchall()
        source = registered.get(source_id)
        statuses.append(status_of(source_id, rows, checks.get(source_id), source, stale_nights))
    return statuses


def status_of(source_id: str, rows: list[sqlite3.Row], checked_on: str | None, source: Source | None, stale_nights: int) -> SourceStatus:
    """Flags from the nights, newest first: what stops the listing now, a listing that lost its
    records, nothing new for too long."""
    checked = bool(checked_on) or (source.checked if source else False)
    if not rows:
        return SourceStatus(source_id=source_id, checked=checked, checked_on=checked_on, flags=["no night recorded yet"])
    latest = rows[0]
    success = next((r for r in rows if r["answered"] and not r["error"]), None)
    failed = next((r for r in rows if r["error"]), None)
    answered_earlier = [r["items"] for r in rows[1:] if r["answered"] and not r["error"]][:14]
    usual = int(median(answered_earlier)) if answered_earlier else None
    since_new = next((i for i, r in enumerate(rows) if r["new_report_links"]), len(rows))
    flags = []
    if not latest["answered"]:
        if latest["robots"]:
            flags.append("robots.txt disallows the listing")
        if latest["challenge"]:
            flags.append("answers 412 (anti-bot challenge not passed)")
        if latest["off_host"]:
            flags.append("redirects off its host")
        if not (latest["robots"] or latest["challenge"] or latest["off_host"]):
            flags.append("listing unreachable")
    elif latest["error"] and str(latest["error"]).startswith(EMPTY_PREFIX):
        flags.append("listing lists nothing")
    if latest["answered"] and usual is not None and usual >= SHAPE_MIN_USUAL and latest["items"] * 4 < usual:
        flags.append(f"listing shape changed: {latest['items']} items where there were {usual}")
    if since_new >= stale_nights:
        flags.append(f"nothing new for {since_new} nights")
    found = latest["listing"] if source is not None and not source.listing and latest["listing"] else None
    return SourceStatus(
        source_id=source_id, checked=checked, checked_on=checked_on, nights=len(rows),
        last_success=success["night"] if success else None,
        last_error=failed["error"] if failed else None, last_error_on=failed["night"] if failed else None,
        items_last=latest["items"] if latest["answered"] else None, items_usual=usual, nights_since_new=since_new,
        newest=latest["newest"] or (success["newest"] if success else None), years=json.loads(latest["years"] or "{}"),
        listing_found=found, flags=flags,
    )
