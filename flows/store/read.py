"""Reading the store's current state for a release and a re-extraction: the current revision of each report, its observations, values, texts and provenance, streamed (a national store does not fit in memory as rows), optionally for some report ids only; and the store's fingerprint, which decides whether a release is due.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flows.store.database import listing_reads
from flows.store.unreadable import unread_fingerprint

# A revision's own flags, and the report's conflict flags after them, as one JSON array (what a
# release shows as the report's flags). Most reports have no conflict: their flags are read as stored.
# A report's mirrors listed in a release: the first MAX_MIRRORS in URL order; the rest are
# counted in a flag (mirrors_cut). A portal that lists one report under 100,000 URLs made a cell no
# CSV reader read, and every later night failed on it.
MAX_MIRRORS = 50


MIRRORS_CUT_FLAG = "mirrors_cut"


_FLAGS_SQL = f"""CASE WHEN EXISTS (SELECT 1 FROM conflicts c WHERE c.report_id = r.report_id)
                   OR EXISTS (SELECT 1 FROM mirrors m WHERE m.report_id = r.report_id LIMIT 1 OFFSET {MAX_MIRRORS}) THEN (
    SELECT json_group_array(json(flag)) FROM (
        SELECT value AS flag FROM json_each(v.flags)
        UNION ALL SELECT json_object('code', c.code, 'detail', c.detail) FROM conflicts c WHERE c.report_id = r.report_id
        UNION ALL SELECT json_object('code', '{MIRRORS_CUT_FLAG}', 'detail', (count(*) - {MAX_MIRRORS})
                                     || ' more URL(s) with the same text, not listed in mirror_urls')
                  FROM mirrors m WHERE m.report_id = r.report_id HAVING count(*) > {MAX_MIRRORS}))
    ELSE v.flags END"""


_FACT_FLAGS_SQL = _FLAGS_SQL.replace("v.flags", "f.flags")  # the same, from revision_facts (f)


# The report's other URLs (mirrors), space-separated, in URL order; NULL when it has none.
_MIRRORS_SQL = f"(SELECT group_concat(url, ' ') FROM (SELECT m.url FROM mirrors m WHERE m.report_id = r.report_id ORDER BY m.url LIMIT {MAX_MIRRORS}))"


def current_reports(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None) -> Iterator[sqlite3.Row]:
    """Every report with its current revision, in a stable order (for releases), without its
    texts (current_texts reads those: a release reads only the texts that changed); ``flags``
    holds its conflict flags too, ``mirror_urls`` its other URLs. ``report_ids``: these only."""
    query = f"""SELECT r.report_id, r.source_id, r.url, r.status, r.withdrawn_on, r.first_seen,
                  v.revision, v.sha256, v.raw_sha256, v.report, {_FLAGS_SQL} AS flags,
                  {_MIRRORS_SQL} AS mirror_urls
           FROM reports r JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
           WHERE 1 {{only}} ORDER BY r.report_id"""
    yield from _of_reports(conn, query, report_ids, plain=False)


OBSERVATION_COLUMNS = ("report_id", "revision", "seq", "indicator", "value", "unit", "qualifier", "quote", "start", "end", "section", "canonical", "scope")


def current_observation_tuples(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None) -> Iterator[tuple[Any, ...]]:
    """The active reports' current observations as plain tuples in OBSERVATION_COLUMNS order, by
    report: a release reads 3.4 million of them at national scale, where sqlite3.Row lookups by
    name cost more than the query. A withdrawn report's figures are not current (its history stays).
    ``report_ids``: of these reports only (a release rewrites only the reports that changed)."""
    yield from _of_reports(conn, f"""SELECT {", ".join(f'o."{c}"' for c in OBSERVATION_COLUMNS)} FROM reports r
               JOIN revision_extractors v ON v.report_id = r.report_id AND v.revision = r.current_revision
               JOIN observations o ON o.report_id = v.report_id AND o.revision = v.revision AND o.extractor = v.extractor
           WHERE r.status = 'active' {{only}}
           ORDER BY o.report_id, o.revision, o.extractor, o.seq""", report_ids)


def _of_reports(conn: sqlite3.Connection, query: str, report_ids: Sequence[str] | None, plain: bool = True) -> Iterator[Any]:
    """Rows of ``query`` (whose ``{only}`` takes a report filter): every report's, or those of
    ``report_ids`` (sorted, in batches under SQLite's bound-parameter limit). ``plain``: as plain
    tuples, else as the connection makes them (sqlite3.Row)."""
    cursor = conn.cursor()
    if plain:
        cursor.row_factory = None
    if report_ids is None:
        yield from cursor.execute(query.format(only=""))
        return
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), 500):
        batch = ordered[start:start + 500]
        yield from cursor.execute(query.format(only=f"AND r.report_id IN ({','.join('?' * len(batch))})"), batch)


VALUE_COLUMNS = ("report_id", "revision", "indicator", "value", "unit", "qualifier", "basis", "quote", "quote_start", "quote_end", "flag_codes")


def current_value_tuples(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None,
                         columns: Sequence[str] = VALUE_COLUMNS) -> Iterator[tuple[Any, ...]]:
    """The year's values of the active reports' current revisions, as made by each revision's
    current extractor, as plain tuples in ``columns`` order, by report then indicator.
    ``report_ids``: of these reports only."""
    yield from _of_reports(conn, f"""SELECT {", ".join(f"y.{c}" for c in columns)} FROM reports r
               JOIN revision_extractors v ON v.report_id = r.report_id AND v.revision = r.current_revision
               JOIN year_values y ON y.report_id = v.report_id AND y.revision = v.revision AND y.extractor = v.extractor
           WHERE r.status = 'active' {{only}}
           ORDER BY y.report_id, y.revision, y.extractor, y.indicator""", report_ids)


def current_report_records(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(report_id, status, report JSON, flags JSON) of every report's current revision, in
    report_id order: current_reports without the texts, for what needs only places and kinds
    (flags with the conflict flags, as current_reports)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    yield from cursor.execute(
        f"""SELECT r.report_id, r.status, v.report, {_FLAGS_SQL} FROM reports r
               JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
           ORDER BY r.report_id"""
    )


def current_report_places(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None) -> Iterator[tuple[Any, ...]]:
    """(report_id, kind, status, year, township, county, province, adcode, township_code,
    published_on, flags JSON, revision, extractor, mirror URLs) of every report's current revision (withdrawn
    ones too: their status says so, and only active ones give figures), in
    report_id order: the fields a release's figure tables and coverage need, read by SQLite's JSON
    functions (five times faster than parsing each record in Python: 200,000 of them at national
    scale); the revision and extractor say whether its figures changed without reading them.
    ``report_ids``: of these reports only."""
    yield from _of_reports(conn,
        f"""SELECT r.report_id, f.kind, r.status, f.year, f.township, f.county, f.province, f.adcode, f.township_code, f.published_on,
                  {_FACT_FLAGS_SQL}, r.current_revision, e.extractor, {_MIRRORS_SQL}
           FROM reports r JOIN revision_facts f ON f.report_id = r.report_id AND f.revision = r.current_revision
                JOIN revision_extractors e ON e.report_id = r.report_id AND e.revision = r.current_revision
           WHERE 1 {{only}} ORDER BY r.report_id""", report_ids)


def current_report_facts(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """(report_id, kind, status, year, township_code, published_on) of every report's current
    revision, in report_id order: what a release's coverage needs, without the flags, mirrors
    and extractor current_report_places reads by JSON functions (4 s of a national night)."""
    yield from _of_reports(conn,
        """SELECT r.report_id, f.kind, r.status, f.year, f.township_code, f.published_on
           FROM reports r JOIN revision_facts f ON f.report_id = r.report_id AND f.revision = r.current_revision
           WHERE 1 {only} ORDER BY r.report_id""", None)


def current_text_keys(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str | None, str, str, str | None, str]]:
    """(report_id, revision, year as text, extractor, flags JSON, mirror URLs, status) of every
    report's current revision (a withdrawn report stays in reports.csv and the texts), in report_id
    order, without its texts: what decides whether a release's rows and texts of a report changed
    (a new revision, a re-extraction, a conflict flag, a new mirror, a withdrawal), read without reading them."""
    cursor = conn.cursor()
    cursor.row_factory = None
    yield from cursor.execute(
        f"""SELECT r.report_id, r.current_revision, f.year, e.extractor, {_FACT_FLAGS_SQL}, {_MIRRORS_SQL}, r.status FROM reports r
               JOIN revision_facts f ON f.report_id = r.report_id AND f.revision = r.current_revision
               JOIN revision_extractors e ON e.report_id = r.report_id AND e.revision = r.current_revision
           ORDER BY r.report_id"""
    )


def current_texts(conn: sqlite3.Connection, report_ids: Sequence[str]) -> Iterator[tuple[str, int, str, str, str, str, str]]:
    """(report_id, revision, status, report JSON, flags JSON, text, original) of these reports'
    current revisions, in report_id order."""
    cursor = conn.cursor()
    cursor.row_factory = None
    for start in range(0, len(report_ids), 500):  # SQLite's bound-parameter limit
        batch = sorted(report_ids[start:start + 500])
        yield from cursor.execute(
            f"""SELECT r.report_id, v.revision, r.status, v.report, {_FLAGS_SQL}, v.text, v.original FROM reports r
                   JOIN revisions v ON v.report_id = r.report_id AND v.revision = r.current_revision
               WHERE r.report_id IN ({",".join("?" * len(batch))}) ORDER BY r.report_id""",
            batch,
        )


PROVENANCE_COLUMNS = ("report_id", "revision", "current", "fetched_at", "first_seen", "last_checked", "page_url", "page_sha256",
                      "attachment_url", "attachment_sha256", "content_type", "text_sha256", "extractor_version")


def revision_provenance(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None) -> Iterator[tuple[Any, ...]]:
    """Every revision of every report (withdrawn ones stay in reports.csv), in PROVENANCE_COLUMNS order: when it was fetched, the
    bytes as served (from the fetch log: the attachment's URL and content type when the text came
    from one, and the hash of the page that linked it, fetched the same night) and the extractor
    that made its figures. Without a fetch log row (a store filled by other means) the bytes are
    the page's. ``report_ids``: of these reports only."""
    yield from _of_reports(conn,
        """SELECT v.report_id, v.revision, v.revision = r.current_revision, v.fetched_at, r.first_seen, r.last_seen, r.url,
                  CASE WHEN f.url_key IS NOT NULL AND f.url_key != r.url_key THEN (
                      SELECT p.sha256 FROM fetch_log p WHERE p.source_id = r.source_id AND p.url_key = r.url_key
                          AND p.sha256 IS NOT NULL AND p.fetched_at <= v.fetched_at ORDER BY p.fetched_at DESC, p.id DESC LIMIT 1)
                       ELSE v.raw_sha256 END,
                  CASE WHEN f.url_key != r.url_key THEN f.url END,
                  CASE WHEN f.url_key != r.url_key THEN v.raw_sha256 END,
                  f.content_type, v.sha256, e.extractor
           FROM reports r JOIN revision_facts v ON v.report_id = r.report_id
                LEFT JOIN revision_extractors e ON e.report_id = v.report_id AND e.revision = v.revision
                LEFT JOIN fetch_log f ON f.id = (SELECT max(id) FROM fetch_log WHERE sha256 = v.raw_sha256 AND source_id = r.source_id)
           WHERE 1 {only} ORDER BY v.report_id, v.revision""", report_ids)


def current_observations(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    yield from conn.execute(
        """SELECT o.* FROM reports r
               JOIN revision_extractors v ON v.report_id = r.report_id AND v.revision = r.current_revision
               JOIN observations o ON o.report_id = v.report_id AND o.revision = v.revision AND o.extractor = v.extractor
           ORDER BY o.report_id, o.revision, o.extractor, o.seq"""
    )


def revision_values(conn: sqlite3.Connection, report_id: str, revision: int) -> list[tuple[str, float, str]] | None:
    """(indicator, value, qualifier) of the year's values that the extractor of the report's
    current revision made of its revision ``revision`` (re-extraction reads every stored revision);
    None when that extractor has not read it (attribution of a change: flows.release.changes)."""
    current = conn.execute("""SELECT e.extractor FROM reports r JOIN revision_extractors e ON e.report_id = r.report_id
                               AND e.revision = r.current_revision WHERE r.report_id = ?""", (report_id,)).fetchone()
    if current is None:
        return None
    made = conn.execute("SELECT 1 FROM extractions WHERE report_id = ? AND revision = ? AND extractor = ? AND error IS NULL",
                        (report_id, revision, current[0])).fetchone()
    made = made or conn.execute("SELECT 1 FROM revision_extractors WHERE report_id = ? AND revision = ? AND extractor = ?",
                                (report_id, revision, current[0])).fetchone()
    if made is None:
        return None
    return [(row[0], row[1], row[2]) for row in conn.execute(
        "SELECT indicator, value, qualifier FROM year_values WHERE report_id = ? AND revision = ? AND extractor = ? ORDER BY indicator",
        (report_id, revision, current[0]))]


def extractor_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many reports' current revisions each extractor version made."""
    return dict(conn.execute(
        """SELECT v.extractor, count(*) FROM reports r JOIN revision_extractors v ON v.report_id = r.report_id AND v.revision = r.current_revision
           GROUP BY v.extractor ORDER BY v.extractor"""
    ).fetchall())


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of what a release would contain: equal fingerprints, no new release."""
    digest = hashlib.sha256()
    # The extractor too: re-extracted figures are new content. Left out while it is '' (stores from
    # before versions were recorded), so that migrating a store does not by itself cut a release.
    for row in conn.execute(
        """SELECT r.report_id, r.current_revision, r.status, v.extractor FROM reports r
               JOIN revision_extractors v ON v.report_id = r.report_id AND v.revision = r.current_revision ORDER BY r.report_id"""
    ):
        digest.update((f"{row[0]}:{row[1]}:{row[2]}" + (f":{row[3]}" if row[3] else "") + "\n").encode())
    # A report's new mirror is listed in the next release (once: a known mirror is not new again).
    # A store without mirrors keeps the fingerprint it had before they existed.
    for row in conn.execute("SELECT report_id, source_id, url_key FROM mirrors ORDER BY report_id, source_id, url_key"):
        digest.update(f"mirror {row[0]}:{row[1]}:{row[2]}\n".encode())
    # The sampling frame as a release shows it: when each source was first read, whether its listing
    # was read to the end, the oldest item seen (not the last read: a quiet night cuts no release).
    # A store whose listings were never recorded keeps the fingerprint it had.
    for source in listing_reads(conn).values():
        digest.update(f"frame {source.source_id}:{source.monitored_since}:{int(source.reached_end)}:{source.oldest_listed}\n".encode())
    # The reports still unread (unreadable.csv, coverage's ``unreadable``); none: the fingerprint it had.
    unread = unread_fingerprint(conn)
    if unread:
        digest.update(f"unread {unread}\n".encode())
    return digest.hexdigest()


@contextmanager
def leaving_out(conn: sqlite3.Connection, report_ids: Sequence[str]) -> Iterator[None]:  # a release without these reports (release.screen)
    """While it lasts, ``conn`` sees the store without these reports: a TEMP view named
    ``reports`` shadows the table (SQLite looks a name up in the temp schema first), so every
    query of the release writer, which reaches figures, texts and revisions through ``reports``,
    leaves them out without a filter of its own. Nothing is written to the store itself."""
    _drop(conn, quietly=True)  # what a failed cut could not drop (see below), now that its cursors are gone
    if not report_ids:
        yield
        return
    conn.execute("CREATE TEMP TABLE left_out (report_id TEXT PRIMARY KEY)")
    try:
        conn.executemany("INSERT OR IGNORE INTO temp.left_out VALUES (?)", ((rid,) for rid in report_ids))
        conn.execute("CREATE TEMP VIEW reports AS SELECT * FROM main.reports WHERE report_id NOT IN (SELECT report_id FROM temp.left_out)")
        yield
    except BaseException:
        # The writer failed: its error is what the caller must see. The cursors its frames still
        # hold can keep SQLite from dropping the view ("table is locked"); then the view lasts as
        # long as this connection, which the failed night closes.
        _drop(conn, quietly=True)
        raise
    _drop(conn)


def _drop(conn: sqlite3.Connection, quietly: bool = False) -> None:
    try:
        conn.execute("DROP VIEW IF EXISTS temp.reports")
        conn.execute("DROP TABLE IF EXISTS temp.left_out")
    except sqlite3.OperationalError:
        if not quietly:
            raise
