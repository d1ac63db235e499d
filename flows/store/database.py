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
from urllib.parse import unquote_plus, urlsplit

from flows.records import FetchRecord, Gone, Harvested, Listing, MergeResult, Night, SourceHarvest
from flows.run.crash import crashpoint
from flows.store.health import record_health
from flows.store.unreadable import UNREADABLE_V9, UNREADABLE_V10, unread_fingerprint
from parsers import Extraction, IndicatorValue, Observation, Report, extractor_version

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
# Identity against hostile growth (issue 19): the same normalised text at several URLs is one report;
# its other URLs are its mirrors (known links, not fetched again). Each report's place and year as one
# key (place_key), so that reports of one township and year from different sources can be compared;
# their disagreements are kept in conflicts, as flags on both reports (recomputed at each merge).
IDENTITY_V3 = """
CREATE TABLE IF NOT EXISTS mirrors (
    source_id TEXT NOT NULL, url_key TEXT NOT NULL, url TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (report_id),
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    PRIMARY KEY (source_id, url_key)
);
CREATE INDEX IF NOT EXISTS mirrors_report ON mirrors (report_id);
CREATE INDEX IF NOT EXISTS revisions_text ON revisions (sha256);
ALTER TABLE reports ADD COLUMN place_key TEXT;
UPDATE reports SET place_key = (
    SELECT CASE
        WHEN json_extract(v.report, '$.kind') = 'other' OR json_extract(v.report, '$.year') IS NULL THEN NULL
        WHEN json_extract(v.report, '$.place.township_code') IS NOT NULL
            THEN json_extract(v.report, '$.place.township_code') || '|' || json_extract(v.report, '$.year')
        WHEN json_extract(v.report, '$.place.township') IS NOT NULL
            THEN coalesce(json_extract(v.report, '$.place.province'), '') || '|' || coalesce(json_extract(v.report, '$.place.county'), '')
                 || '|' || json_extract(v.report, '$.place.township') || '|' || json_extract(v.report, '$.year')
    END
    FROM revisions v WHERE v.report_id = reports.report_id AND v.revision = reports.current_revision);
CREATE INDEX IF NOT EXISTS reports_place ON reports (place_key);
CREATE TABLE IF NOT EXISTS conflicts (
    report_id TEXT NOT NULL REFERENCES reports (report_id), code TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conflicts_report ON conflicts (report_id);
"""
# The township's register code (9 digits) beside each report: the stable key of releases and
# pages (two 西湖镇 never merge; a renamed township keeps its code). Filled from the current
# revision's record; NULL where the place is unresolved (or was identified before the register).
TOWNSHIP_CODE_V4 = """
ALTER TABLE reports ADD COLUMN township_code TEXT;
UPDATE reports SET township_code = (
    SELECT json_extract(v.report, '$.place.township_code') FROM revisions v
    WHERE v.report_id = reports.report_id AND v.revision = reports.current_revision);
CREATE INDEX IF NOT EXISTS reports_township ON reports (township_code);
"""
# Figures per (revision, extractor version): a new or fixed rule re-extracts stored revisions from
# their raw bytes (flows/reextract.py) and keeps what the earlier rules made beside it.
# - revision_extractors: the version whose report, flags, text and figures a revision row holds
#   ('' for revisions stored before versions were recorded). A table of its own, not a column of
#   revisions: a column added there sits after the texts, and reading it would read them (15 KB a
#   revision: the fingerprint of a national store would read 3 GB);
# - extractions: each version's identification (report, flags) of a revision, or why it failed;
# - observations gains extractor (in its key) and scope; year_values holds Extraction.values, the
#   year's value of each indicator (filled here from the canonical mentions of earlier extractions);
# - source_entries: the registry entries last used, so that `fazhi reextract` identifies without
#   sources.yaml; fetch_log by sha256, to find how a revision's bytes were served.
FIGURES_V5 = """
CREATE TABLE IF NOT EXISTS revision_extractors (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL, extractor TEXT NOT NULL,
    PRIMARY KEY (report_id, revision),
    FOREIGN KEY (report_id, revision) REFERENCES revisions (report_id, revision)
) WITHOUT ROWID;
INSERT INTO revision_extractors SELECT report_id, revision, '' FROM revisions;
CREATE TABLE IF NOT EXISTS extractions (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL, extractor TEXT NOT NULL,
    extracted_at TEXT NOT NULL, report TEXT, flags TEXT, error TEXT,
    PRIMARY KEY (report_id, revision, extractor),
    FOREIGN KEY (report_id, revision) REFERENCES revisions (report_id, revision)
);
CREATE TABLE observations_v3 (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL, extractor TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL,
    indicator TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, qualifier TEXT NOT NULL,
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, section TEXT,
    canonical INTEGER NOT NULL, scope TEXT NOT NULL DEFAULT 'year',
    PRIMARY KEY (report_id, revision, extractor, seq),
    FOREIGN KEY (report_id, revision) REFERENCES revisions (report_id, revision)
);
INSERT INTO observations_v3 (report_id, revision, extractor, seq, indicator, value, unit, qualifier, quote, start, "end", section, canonical)
    SELECT report_id, revision, '', seq, indicator, value, unit, qualifier, quote, start, "end", section, canonical FROM observations;
DROP TABLE observations;
ALTER TABLE observations_v3 RENAME TO observations;
CREATE INDEX IF NOT EXISTS observations_indicator ON observations (indicator);
CREATE TABLE IF NOT EXISTS year_values (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL, extractor TEXT NOT NULL, indicator TEXT NOT NULL,
    value REAL NOT NULL, unit TEXT NOT NULL, qualifier TEXT NOT NULL, basis TEXT NOT NULL,
    mentions TEXT NOT NULL, quote TEXT NOT NULL, quote_start INTEGER NOT NULL, quote_end INTEGER NOT NULL, flag_codes TEXT NOT NULL,
    PRIMARY KEY (report_id, revision, extractor, indicator),
    FOREIGN KEY (report_id, revision) REFERENCES revisions (report_id, revision)
);
INSERT OR IGNORE INTO year_values
    SELECT report_id, revision, '', indicator, value, unit, qualifier, 'single_mention', json_array(seq), quote, start, "end", ''
    FROM observations WHERE canonical = 1 ORDER BY report_id, revision, seq;
CREATE TABLE IF NOT EXISTS source_entries (source_id TEXT PRIMARY KEY, entry TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fetch_log_sha256 ON fetch_log (sha256);
"""
# Each revision's place, kind, year, date, hashes and flags in plain columns beside it, kept by
# triggers whenever a revision is written (a merge inserts, a re-extraction updates): a release
# reads them for every report, every night. Reading them out of the record's JSON took 2 s a query
# at 200,000 reports (four queries a release), and reading the revisions table at all reads the
# first page of every text (800 MB, seconds when the page cache holds something else). Triggers,
# not code: no path that writes a revision can forget them.
_FACT_COLUMNS = "kind, year, township, county, province, adcode, township_code, published_on, fetched_at, raw_sha256, sha256"
_FACT_VALUES = ("json_extract({r}.report, '$.kind'), json_extract({r}.report, '$.year'), json_extract({r}.report, '$.place.township'), "
                "json_extract({r}.report, '$.place.county'), json_extract({r}.report, '$.place.province'), "
                "json_extract({r}.report, '$.place.adcode'), json_extract({r}.report, '$.place.township_code'), "
                "json_extract({r}.report, '$.published_on'), {r}.fetched_at, {r}.raw_sha256, {r}.sha256, {r}.flags")
FACTS_V6 = f"""
CREATE TABLE IF NOT EXISTS revision_facts (
    report_id TEXT NOT NULL, revision INTEGER NOT NULL,
    kind TEXT, year INTEGER, township TEXT, county TEXT, province TEXT, adcode TEXT, township_code TEXT, published_on TEXT,
    fetched_at TEXT NOT NULL, raw_sha256 TEXT NOT NULL, sha256 TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (report_id, revision)
) WITHOUT ROWID;
INSERT OR REPLACE INTO revision_facts (report_id, revision, {_FACT_COLUMNS}, flags)
    SELECT report_id, revision, {_FACT_VALUES.format(r="revisions")} FROM revisions;
CREATE TRIGGER IF NOT EXISTS revision_facts_inserted AFTER INSERT ON revisions BEGIN
    INSERT OR REPLACE INTO revision_facts (report_id, revision, {_FACT_COLUMNS}, flags)
        VALUES (NEW.report_id, NEW.revision, {_FACT_VALUES.format(r="NEW")});
END;
CREATE TRIGGER IF NOT EXISTS revision_facts_updated AFTER UPDATE OF report, flags, fetched_at, raw_sha256, sha256 ON revisions BEGIN
    INSERT OR REPLACE INTO revision_facts (report_id, revision, {_FACT_COLUMNS}, flags)
        VALUES (NEW.report_id, NEW.revision, {_FACT_VALUES.format(r="NEW")});
END;
CREATE TRIGGER IF NOT EXISTS revision_facts_deleted AFTER DELETE ON revisions BEGIN
    DELETE FROM revision_facts WHERE report_id = OLD.report_id AND revision = OLD.revision;
END;
"""
# The sampling frame (issue 26): every successful walk of a source's listing, how far back it read
# (pages, whether it reached the listing's last page, the oldest item date it saw) and the pages it
# was allowed (max_pages). A township can be said to have published nothing only where a source
# covering its county was read back far enough: the first walk is when monitoring began.
FRAME_V7 = """
CREATE TABLE IF NOT EXISTS listing_reads (
    source_id TEXT NOT NULL, read_at TEXT NOT NULL,
    pages INTEGER NOT NULL, reached_end INTEGER NOT NULL, oldest_listed TEXT, max_pages INTEGER,
    PRIMARY KEY (source_id, read_at)
);
"""
# Source health (issue 28): each night's outcome per source (did its listing answer, what it listed,
# what stopped it, the stored reports per year covered), and the night each unchecked source was
# first seen answering with report links. Tables of their own: nothing else reads or depends on them.
SOURCE_HEALTH_V8 = """
CREATE TABLE IF NOT EXISTS source_health (
    source_id TEXT NOT NULL, night TEXT NOT NULL,
    answered INTEGER NOT NULL, listing TEXT,
    items INTEGER NOT NULL, links INTEGER NOT NULL, report_links INTEGER NOT NULL, new_report_links INTEGER NOT NULL,
    newest TEXT, robots INTEGER NOT NULL, challenge INTEGER NOT NULL, off_host INTEGER NOT NULL, error TEXT,
    years TEXT NOT NULL DEFAULT '{}',   -- JSON: the source's stored (active) reports by year covered, after the night
    PRIMARY KEY (source_id, night)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_checks (
    source_id TEXT PRIMARY KEY, checked_on TEXT NOT NULL, listing TEXT
);
"""
# MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version). Append, never edit.
# UNREADABLE_V9 and UNREADABLE_V10 are defined beside the code that writes them (flows/store/unreadable.py, issue 29).
MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, LINKS_V2, IDENTITY_V3, TOWNSHIP_CODE_V4, FIGURES_V5, FACTS_V6, FRAME_V7, SOURCE_HEALTH_V8, UNREADABLE_V9,
                              UNREADABLE_V10)
SCHEMA_VERSION = len(MIGRATIONS)


# Query parameters that change from request to request without changing the page: cache-busters,
# sessions, tracking. A link with ?_t=<now> would otherwise be a new report (and a new release) every
# night. Compared lower-case; a name ending in * is a prefix.
VOLATILE_PARAMETERS = frozenset({
    "_t", "_ts", "ts", "timestamp", "_dc", "rnd", "rand", "random", "nocache", "cachebuster",
    "sessionid", "jsessionid", "phpsessid", "aspsessionid", "fbclid", "gclid", "spm", "utm_*",
})
# Short names that portals use as cache-busters (?t=1732345678901, ?v=0.8341, ?_=…) but that a CMS
# could also use to choose the page (?v=123, ?t=news): ignored only when the value looks like a
# clock, a random number or a hash. Collapsing two real reports into one key would lose one silently.
AMBIGUOUS_PARAMETERS = frozenset({"_", "t", "v", "ver"})
_VOLATILE_VALUE = re.compile(r"^(?:|\d{8,}|0?\.\d{4,}|[0-9a-f]{16,})$", re.IGNORECASE)
_VOLATILE_PREFIXES = tuple(name[:-1] for name in VOLATILE_PARAMETERS if name.endswith("*"))
# Session ids some servers put in the path: /art/1.html;jsessionid=0A1B…
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/;]*", re.IGNORECASE)


def url_key(url: str) -> str:
    """The part of a URL that identifies a page within its source: path and query, without the
    parameters that do not choose the page (VOLATILE_PARAMETERS, ;jsessionid= in the path).

    Kept parameters keep their order and spelling, so a URL without volatile parameters has the
    same key (and its report the same id) as before they were ignored."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = _stable_query(parts.query)
    return path + (f"?{query}" if query else "")


def _stable_query(query: str) -> str:
    if not query:
        return query
    return "&".join(pair for pair in query.split("&") if not _is_volatile(*pair.partition("=")[::2]))


def _is_volatile(name: str, value: str) -> bool:
    name = unquote_plus(name).strip().lower()
    if name in AMBIGUOUS_PARAMETERS:
        return bool(_VOLATILE_VALUE.match(unquote_plus(value).strip()))
    return name in VOLATILE_PARAMETERS or name.startswith(_VOLATILE_PREFIXES)


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
    None when that extractor has not read it (attribution of a change: flows.release.cut)."""
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
