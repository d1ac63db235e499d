"""The store's schema as an append-only list of migrations: ``MIGRATIONS[i]`` takes a store from ``PRAGMA user_version`` i to i + 1. A migration is never edited once released (a store in the field has run it); a change is a new one. Some migrations are defined beside the code that writes their tables (``unreadable``).
"""

from __future__ import annotations

from flows.store.unreadable import UNREADABLE_V9, UNREADABLE_V10

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
