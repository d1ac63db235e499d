"""Rules that replay: stored revisions extracted again when the extractor version changes.

A revision is new only when its text changes, so a new or fixed rule would otherwise never reach
what is stored. The store says which extractor version made each revision's report, flags, text
and figures (``revision_extractors``). When the version in effect (``parsers.extractor_version()``)
differs, the revision is extracted again from the raw store: the same bytes the night parsed
(the attachment, with the page that links it), read by the same function the night uses
(``flows.harvest.source.harvest_stored``), without the network. Identification is redone too, and recorded.
The earlier version's figures stay in the store beside the new ones.

Parsing is the cost (about 1.5 ms a report of the synthetic corpus, against 0.5 ms of writing), so the work runs in a process pool on every core while
this process reads the inputs and writes the results, one transaction per batch: a crash keeps
every finished batch, and the next run goes on with the rest.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from flows import store
from flows.harvest.source import harvest_stored  # imported here, before the workers fork: each would import requests & co. again (0.4 s)
from flows.records import Failure, Fetched
from flows.store.raw import RawStore
from parsers import Report, Source, extract_report, extractor_version, read_document

BATCH = 500  # revisions per transaction and per round of the pool


class ReplayItem(NamedTuple):
    """What extracting one stored revision again needs: where its bytes are and how they were served."""

    report_id: str
    revision: int
    source: str  # the registry entry (parsers.models.Source) as JSON
    fetched: str  # flows.records.Fetched as JSON: url, attachment URL, content type, title, sha256s
    text_sha256: str  # of the stored normalised text


class Replayed(NamedTuple):
    report_id: str
    revision: int
    rows: store.ExtractionRows | None  # None: failed, see error
    text_sha256: str
    version: str  # the extractor version of the process that did it
    url: str = ""
    error: str | None = None


class ReextractResult(BaseModel):
    """What a re-extraction did: counts for the operator, the revisions concerned for the tests."""

    model_config = ConfigDict(extra="forbid")
    version: str
    previous: list[str] = Field(default_factory=list)  # the versions replaced ('' : before versions were recorded)
    pending: int = 0
    reextracted: int = 0
    figures_changed: list[str] = Field(default_factory=list)  # "report_id/revision" whose year's values changed
    reidentified: list[str] = Field(default_factory=list)  # ... whose place, year, kind or level changed
    texts_changed: int = 0  # the normalised text itself changed (a normalisation rule)
    failures: list[Failure] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.reextracted / self.seconds if self.seconds else 0.0


def record_sources(conn: sqlite3.Connection, sources: Sequence[Source], now: datetime) -> None:
    """Keep the registry entries in the store, so that a re-extraction without sources.yaml
    identifies reports with the same context (county, adcode) as the night did."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO source_entries VALUES (?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at",
            [(s.id, s.model_dump_json(), now.isoformat()) for s in sources],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself on a full disk; a second ROLLBACK would hide why
            conn.execute("ROLLBACK")
        raise


def stored_sources(conn: sqlite3.Connection) -> dict[str, Source]:
    return {row[0]: Source.model_validate_json(row[1]) for row in conn.execute("SELECT source_id, entry FROM source_entries")}


def pending_revisions(conn: sqlite3.Connection, version: str) -> list[tuple[str, int]]:
    """Every stored revision not made by ``version``, except those that already failed with it
    (their bytes are missing or no longer read as a report: trying each night would not help)."""
    return [
        (row[0], row[1])
        for row in conn.execute(
            """SELECT v.report_id, v.revision FROM revision_extractors v
               WHERE v.extractor != ?1 AND NOT EXISTS (
                   SELECT 1 FROM extractions e WHERE e.report_id = v.report_id AND e.revision = v.revision AND e.extractor = ?1
                       AND e.error IS NOT NULL)
               ORDER BY v.report_id, v.revision""",
            (version,),
        )
    ]


def replay_items(conn: sqlite3.Connection, keys: Sequence[tuple[str, int]], sources: dict[str, Source]) -> list[ReplayItem]:
    """How each revision's bytes were served, from the fetch log: the URL and content type of the
    bytes, and when they are an attachment, the page that links it (fetched the same night).
    One query for the batch (a query per revision cost the writing process a third of its time)."""
    if not keys:
        return []
    rows = conn.execute(
        f"""WITH wanted (report_id, revision) AS (VALUES {",".join("(?, ?)" for _ in keys)})
            SELECT v.report_id, v.revision, v.raw_sha256, v.sha256, json_extract(v.report, '$.title') AS report_title,
                   r.source_id, r.url, r.url_key, l.title AS link_title, l.listed_on,
                   f.url AS served_url, f.url_key AS served_key, f.content_type,
                   CASE WHEN f.url_key != r.url_key THEN (
                       SELECT p.sha256 FROM fetch_log p WHERE p.source_id = r.source_id AND p.url_key = r.url_key
                           AND p.sha256 IS NOT NULL AND p.fetched_at <= v.fetched_at ORDER BY p.fetched_at DESC, p.id DESC LIMIT 1)
                   END AS page_sha256
            FROM wanted w JOIN revisions v ON v.report_id = w.report_id AND v.revision = w.revision
                 JOIN reports r ON r.report_id = v.report_id
                 LEFT JOIN links l ON l.source_id = r.source_id AND l.url_key = r.url_key
                 LEFT JOIN fetch_log f ON f.id = (SELECT max(id) FROM fetch_log WHERE sha256 = v.raw_sha256 AND source_id = r.source_id)
            ORDER BY v.report_id, v.revision""",
        [value for key in keys for value in key],
    ).fetchall()
    entries: dict[str, str] = {}
    items = []
    for v in rows:
        source_json = entries.get(v["source_id"])
        if source_json is None:
            source = sources.get(v["source_id"]) or Source(id=v["source_id"], name=v["source_id"], listing=[v["url"]])
            source_json = entries[v["source_id"]] = source.model_dump_json()
        attachment = v["served_key"] is not None and v["served_key"] != v["url_key"]
        fetched = {"source_id": v["source_id"], "url": v["url"], "url_key": v["url_key"], "title": v["link_title"] or v["report_title"] or "",
                   "sha256": v["raw_sha256"], "content_type": v["content_type"], "page_sha256": v["page_sha256"] if attachment else None,
                   "attachment_url": v["served_url"] if attachment else None, "listed_on": v["listed_on"]}
        items.append(ReplayItem(v["report_id"], v["revision"], source_json, json.dumps(fetched, ensure_ascii=False), v["sha256"]))
    return items


_RAW: RawStore | None = None
_SOURCES: dict[str, Source] = {}


def _start_worker(raw_root: str) -> None:
    global _RAW
    _RAW = RawStore(Path(raw_root))


def replay(item: ReplayItem, raw: RawStore | None = None, version: str | None = None) -> Replayed:
    """Extract one stored revision again, as the night extracted it (in a worker process).
    ``version``: this process's extractor version, when the caller has it (hashing the table
    costs a third of a millisecond)."""
    raw = raw or _RAW
    assert raw is not None, "replay() in a worker needs _start_worker(raw_root) first"
    version = version or extractor_version()
    source = _SOURCES.get(item.source)
    if source is None:
        source = _SOURCES[item.source] = Source.model_validate_json(item.source)
    fetched = Fetched.model_validate_json(item.fetched)
    try:
        if not raw.has(fetched.sha256):
            raise FileNotFoundError(f"its bytes ({fetched.sha256}) are not in the raw store {raw.root}")
        if fetched.page_sha256 and not raw.has(fetched.page_sha256):
            raise FileNotFoundError(f"its page's bytes ({fetched.page_sha256}) are not in the raw store {raw.root}")
        harvested = harvest_stored(raw, source, fetched, datetime.min)
    except Exception as exc:  # noqa: BLE001 - any failure of one report is reported, the others go on
        return Replayed(item.report_id, item.revision, None, item.text_sha256, version, fetched.url, f"{fetched.url}: {str(exc) or type(exc).__name__}")
    ex = harvested.extraction
    text_sha = hashlib.sha256(ex.text.encode()).hexdigest()
    rows = store.extraction_rows(ex)
    if text_sha == item.text_sha256:  # the usual case: the texts need not travel back
        rows = rows._replace(text="", original="")
    return Replayed(item.report_id, item.revision, rows, text_sha, version, fetched.url)


def _identity(report_json: str | None) -> tuple[Any, ...]:
    """What re-identification can change that a reader sees: place, year, kind, level."""
    if not report_json:
        return ()
    report = json.loads(report_json)
    place = report.get("place") or {}
    return (place.get("township"), place.get("township_code"), place.get("county"), place.get("adcode"), place.get("province"),
            report.get("year"), report.get("kind"), report.get("level"))


def _write(conn: sqlite3.Connection, done: Sequence[Replayed], version: str, now: datetime, result: ReextractResult) -> None:
    """One batch in one transaction: each revision's new extraction beside the old one, and the
    revision row pointed at it. A statement per table for the whole batch, not per revision: the
    writing process must keep up with every other core."""
    if not done:
        return
    wanted = f"WITH wanted (report_id, revision) AS (VALUES {','.join('(?, ?)' for _ in done)})"
    params = [value for item in done for value in (item.report_id, item.revision)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        # The earlier identification from its extractions row (a small row), not from the revision
        # row, whose report and flags lie among its texts' overflow pages (0.4 ms a revision to read).
        old = {(r[0], r[1]): dict(r) for r in conn.execute(
            f"""{wanted} SELECT v.report_id, v.revision, x.extractor, e.report, e.flags, v.sha256, r.source_id,
                       EXISTS (SELECT 1 FROM extractions a WHERE a.report_id = v.report_id AND a.revision = v.revision
                               AND a.extractor = ? AND a.error IS NULL) AS again
                FROM wanted w JOIN revisions v ON v.report_id = w.report_id AND v.revision = w.revision
                     JOIN revision_extractors x ON x.report_id = v.report_id AND x.revision = v.revision
                     JOIN reports r ON r.report_id = v.report_id
                     LEFT JOIN extractions e ON e.report_id = x.report_id AND e.revision = x.revision AND e.extractor = x.extractor""",
            [*params, version])}
        for key, row in old.items():
            if row["report"] is None:  # made before extractions were recorded: its identification is only in the revision row
                stored = conn.execute("SELECT report, flags FROM revisions WHERE report_id = ? AND revision = ?", key).fetchone()
                row["report"], row["flags"], row["unrecorded"] = stored[0], stored[1], True
        # A query per revision: joined to the batch, SQLite chose to build an automatic index over
        # all of year_values for each batch (0.6 ms a revision at 20,000 reports).
        before: dict[tuple[str, int], list[tuple[Any, ...]]] = {key: [(y[0], float(y[1]), y[2], y[3]) for y in conn.execute(
            "SELECT indicator, value, unit, qualifier FROM year_values WHERE report_id = ? AND revision = ? AND extractor = ? ORDER BY indicator",
            (*key, row["extractor"]))] for key, row in old.items()}
        failed = [item for item in done if item.rows is None]
        made = [item for item in done if item.rows is not None]
        conn.executemany("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, NULL, NULL, ?)",
                         [(item.report_id, item.revision, version, now.isoformat(), item.error) for item in failed])
        for item in failed:
            result.failures.append(Failure(source_id=old[(item.report_id, item.revision)]["source_id"], url=item.url,
                                           reason=f"re-extraction with extractor {version}: {item.error}"))
        # The earlier version's identification, kept (its figures are already in the store under it).
        earlier = [old[(item.report_id, item.revision)] for item in made]
        conn.executemany("INSERT OR IGNORE INTO extractions VALUES (?, ?, ?, ?, ?, ?, NULL)",
                         [(row["report_id"], row["revision"], row["extractor"], now.isoformat(), row["report"], row["flags"])
                          for row in earlier if row.get("unrecorded")])
        store.write_figures_many(conn, [(item.report_id, item.revision, item.rows) for item in made if item.rows is not None], version, now,
                                 again=[(row["report_id"], row["revision"]) for row in earlier if row["again"]])
        texts = []
        for item in made:
            assert item.rows is not None
            key = (item.report_id, item.revision)
            if before.get(key, []) != [(v[0], float(v[1]), v[2], v[3]) for v in sorted(item.rows.values)]:
                result.figures_changed.append(f"{item.report_id}/{item.revision}")
            if old[key]["report"] != item.rows.report and _identity(old[key]["report"]) != _identity(item.rows.report):
                result.reidentified.append(f"{item.report_id}/{item.revision}")
            if item.text_sha256 != old[key]["sha256"]:
                # A normalisation rule changed the text: the quotes' offsets point into the new one.
                texts.append((item.rows.text, item.rows.original, item.text_sha256, *key))
        result.texts_changed += len(texts)
        conn.executemany("UPDATE revisions SET text = ?, original = ?, sha256 = ? WHERE report_id = ? AND revision = ?", texts)
        # Only where the identification changed: rewriting a revision row rewrites its texts too.
        conn.executemany("UPDATE revisions SET report = ?, flags = ? WHERE report_id = ? AND revision = ?",
                         [(item.rows.report, item.rows.flags, item.report_id, item.revision) for item in made
                          if item.rows is not None and (item.rows.report, item.rows.flags) != (old[(item.report_id, item.revision)]["report"],
                                                                                                 old[(item.report_id, item.revision)]["flags"])])
        store.reidentified(conn, [(item.report_id, item.revision, Report.model_validate_json(item.rows.report)) for item in made
                                  if item.rows is not None and item.rows.report != old[(item.report_id, item.revision)]["report"]])
        conn.executemany("UPDATE revision_extractors SET extractor = ? WHERE report_id = ? AND revision = ?",
                         [(version, item.report_id, item.revision) for item in made])
        result.reextracted += len(made)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself on a full disk; a second ROLLBACK would hide why
            conn.execute("ROLLBACK")
        raise


def _pool(workers: int, raw_root: Path) -> ProcessPoolExecutor:
    """Forked workers where the platform forks (Linux): they start at once and extract with the
    rules exactly as loaded here, even a row added at run time. The workers only parse bytes and
    read files (CPython re-initialises its import and logging locks in a forked child, so the
    threads of a Prefect run cannot leave them held); elsewhere, forkserver, where each worker
    loads the rules from the package and the version check in reextract() guards the rest."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "forkserver"
    if method == "fork":
        _warm_up()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(str(raw_root),))


def _warm_up() -> None:
    """One small extraction before the workers fork: what the parsers load on first use (the
    register and its automaton, OpenCC, the format-character classes: half a second) is then
    loaded once here and shared, not loaded again in every worker."""
    extract_report(read_document("2024年度某镇法治政府建设情况报告\n调解纠纷3起。".encode(), "warm-up.txt", "text/plain"))


def _batches(keys: Sequence[tuple[str, int]], size: int) -> Iterator[Sequence[tuple[str, int]]]:
    iterator = iter(keys)
    while chunk := list(islice(iterator, size)):
        yield chunk


def reextract(conn: sqlite3.Connection, raw: RawStore, now: datetime, sources: dict[str, Source] | None = None, workers: int = 1,
              progress: Callable[[int, int], None] = lambda done, total: None) -> ReextractResult:
    """Extract again every stored revision that the extractor in effect did not make.

    ``sources``: the registry entries to identify with (default: those the store last recorded).
    ``workers`` > 1 runs the extraction in a process pool; each worker's extractor version must be
    this process's, or the run stops before writing what it made (it would be recorded under a
    version that did not make it)."""
    started = time.monotonic()
    version = extractor_version()
    result = ReextractResult(version=version)
    keys = pending_revisions(conn, version)
    result.pending = len(keys)
    if not keys:
        return result
    result.previous = sorted({row[0] for row in conn.execute("SELECT DISTINCT extractor FROM revision_extractors WHERE extractor != ?", (version,))})
    entries = sources if sources is not None else stored_sources(conn)
    # Commits without waiting for the disk (WAL, synchronous=NORMAL: never corrupt, but a power cut
    # may lose the last batches): a lost batch is only extracted again by the next run, and 400
    # fsyncs at national scale were a tenth of the writing process's time. Restored at the end.
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    conn.execute("PRAGMA synchronous=NORMAL")
    try:
        _run(conn, raw, keys, entries, version, now, workers, progress, result)
    finally:
        conn.execute(f"PRAGMA synchronous={int(synchronous)}")
    result.seconds = time.monotonic() - started
    return result


def _run(conn: sqlite3.Connection, raw: RawStore, keys: list[tuple[str, int]], entries: dict[str, Source], version: str, now: datetime,
         workers: int, progress: Callable[[int, int], None], result: ReextractResult) -> None:
    progress(0, len(keys))
    done_count = 0

    def check(batch: list[Replayed]) -> list[Replayed]:
        stray = {r.version for r in batch} - {version}
        if stray:
            raise RuntimeError(f"re-extraction: worker processes run extractor {', '.join(sorted(stray))}, this process {version}: "
                               "the code changed during the run; run it again")
        return batch

    if workers <= 1:
        for chunk in _batches(keys, BATCH):
            batch = check([replay(item, raw, version) for item in replay_items(conn, chunk, entries)])
            _write(conn, batch, version, now, result)
            done_count += len(batch)
            progress(done_count, len(keys))
    else:
        with _pool(workers, raw.root) as pool:
            # One batch computes in the pool while the previous one is written here.
            in_flight: list[Future[list[Replayed]]] | None = None
            for chunk in _batches(keys, BATCH):
                submitted = _submit(pool, replay_items(conn, chunk, entries))
                if in_flight is not None:
                    done_count += _finish(conn, in_flight, check, version, now, result)
                    progress(done_count, len(keys))
                in_flight = submitted
            if in_flight is not None:
                done_count += _finish(conn, in_flight, check, version, now, result)
                progress(done_count, len(keys))


CHUNK = 25  # revisions per task sent to a worker: fewer, larger messages between the processes


def replay_many(items: list[ReplayItem]) -> list[Replayed]:
    version = extractor_version()
    return [replay(item, version=version) for item in items]


def _submit(pool: Executor, items: list[ReplayItem]) -> list[Future[list[Replayed]]]:
    return [pool.submit(replay_many, items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]


def _finish(conn: sqlite3.Connection, futures: list[Future[list[Replayed]]], check: Callable[[list[Replayed]], list[Replayed]],
            version: str, now: datetime, result: ReextractResult) -> int:
    batch = check([r for f in futures for r in f.result()])
    _write(conn, batch, version, now, result)
    return len(batch)
