"""A night that survives one bad record (issue 31, item 6): the reports a release cannot be
written with are found and left out of it, named, and the release is cut with everything else.

A report's stored row can hold what no table accepts: text that is not UTF-8 (SQLite does not
check), a date like 2024-02-30 that Arrow's date column refuses, a figure or a year stored as
text. Each made the whole release fail, and with it every later night, until the store was mended
by hand. The release writer is not made to guard every cell; instead, when a cut fails, every
report is put through the writer's own steps in batches (``unwritable``): a batch that raises is
halved until the report that makes it raise is found. The cut is then made again without those
reports (``store.leaving_out``), and the manifest, the change log and the night's report name each one
(report id, source, URL, reason). The next night screens the reports the parent left out first
(a handful: cheap), so a bad record costs one screening, not one failed cut a night.

Decisions where the issue is silent: a left-out report is absent from every table and from the
texts, as if it had not been found (its township-year shows what the release holds), and the
store keeps it untouched: once its row is mended (a new revision, a re-extraction) it is
screened again and published. A disk that is full or a memory that runs out is no report's
fault: such errors are never blamed on a report, and the cut fails as before. When every report
screened fails, the fault is the writer's, not theirs: the original error is raised."""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dataset import PROVENANCE, REPORTS, figures_long_resource
from flows import store
from flows.records import Failure
from flows.release.files import _fmt, _fmt_number, _write_csv
from parsers import INDICATOR_KEYS

BATCH = 500  # reports probed at once; a batch that fails is halved down to the report at fault
NOT_A_REPORTS_FAULT = (OSError, MemoryError)  # a full disk, a missing folder, no memory: every report would "fail"


def reason_of(exc: BaseException) -> str:
    """One line, bounded: the exception's class and message (a decoding error quotes the whole cell)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}{'…' if len(text) > 200 else ''}"






def unwritable(conn: sqlite3.Connection, report_ids: Sequence[str] | None = None) -> dict[str, str]:
    """The reports (of ``report_ids``, else every report) that make the release writer raise,
    each with its reason. Raises what is no report's fault (NOT_A_REPORTS_FAULT)."""
    ids = sorted(report_ids) if report_ids is not None else [row[0] for row in conn.execute("SELECT report_id FROM main.reports ORDER BY report_id")]
    found: dict[str, str] = {}  # report_id → why it could not be written
    scratch = Path(tempfile.mkdtemp(prefix="fazhi-screen-"))
    try:
        def check(batch: list[str]) -> None:
            try:
                _probe(conn, batch, scratch)
                return
            except NOT_A_REPORTS_FAULT:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever the writer raises on a row is that row's fault
                reason = reason_of(exc)
            gc.collect()  # the failed probe's cursors, closed before the next probe reads
            if len(batch) == 1:
                found[batch[0]] = reason
                return
            middle = len(batch) // 2
            check(batch[:middle])
            check(batch[middle:])

        for start in range(0, len(ids), BATCH):
            check(ids[start:start + BATCH])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return found


def _probe(conn: sqlite3.Connection, ids: list[str], scratch: Path) -> None:
    """These reports' rows through the writer's steps: read from the store as the release reads
    them, formatted, written as CSV and converted to Parquet (Arrow's typed columns), their texts
    as JSON lines. Raises what the release would."""
    from flows.release import figurepass, frame
    from flows.release.sources import _report_rows

    _write_csv(scratch, REPORTS, ([_fmt(r[k]) for k in REPORTS.header] for r in _report_rows(conn, ids)))
    _write_csv(scratch, PROVENANCE, ([*row[:2], _fmt(bool(row[2])), *row[3:]] for row in store.revision_provenance(conn, ids)))
    for rid, revision, status, report, flags, text, original in store.current_texts(conn, ids):
        json.dumps({"report_id": rid, "revision": revision, "status": status, "report": json.loads(report), "flags": json.loads(flags),
                    "text": text, "original": original}, ensure_ascii=False).encode("utf-8")
    places = list(store.current_report_places(conn, ids))
    for place in places:
        frame._township_fact(place)
        if place[3] is not None and not isinstance(place[3], int):
            raise ValueError(f"year {str(place[3])[:20]!r} is not a whole number")
    observations, values, _ = figurepass._figure_resources()
    _write_csv(scratch, observations, (
        [rid, revision, seq, indicator, _fmt_number(value), unit, qualifier, quote, start, end, section, _fmt(bool(chosen)), "", scope, "active"]
        for rid, revision, seq, indicator, value, unit, qualifier, quote, start, end, section, chosen, scope
        in store.current_observation_tuples(conn, ids)))
    _write_csv(scratch, values, (
        [rid, indicator, _fmt_number(value), unit, qualifier, basis, quote, start, end, own]
        for rid, _revision, indicator, value, unit, qualifier, basis, quote, start, end, own in store.current_value_tuples(conn, ids)))
    light = [place[:len(figurepass.LIGHT_FIELDS)] for place in places]
    chosen = figurepass._chosen_reports(light)
    year_values = frame._year_values(conn, [r[0] for r in chosen], lambda rid, indicator, own: own)
    _write_csv(scratch, figurepass._figure_resources()[2], figurepass._indicator_rows(chosen, year_values))
    _write_csv(scratch, figures_long_resource(INDICATOR_KEYS), figurepass._long_rows(chosen, year_values))


def _where(conn: sqlite3.Connection, report_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """report_id → (source_id, URL), from the store's table itself (not the view that hides them)."""
    ids = list(report_ids)
    if not ids:
        return {}
    return {row[0]: (row[1], row[2]) for row in
            conn.execute(f"SELECT report_id, source_id, url FROM main.reports WHERE report_id IN ({','.join('?' * len(ids))})", ids)}


def failures_of(conn: sqlite3.Connection, left_out: dict[str, str], version: str) -> list[Failure]:
    """The night's failure lines for the reports left out of ``version``: source, URL, report id and why."""
    where = _where(conn, list(left_out))
    return [Failure(source_id=where.get(rid, ("?", ""))[0], url=where.get(rid, ("?", ""))[1],
                    reason=f"report {rid} left out of release {version}: it cannot be written ({why})")
            for rid, why in sorted(left_out.items())]


def described(conn: sqlite3.Connection, left_out: dict[str, str]) -> list[dict[str, str]]:
    """The manifest's ``left_out``: each report left out, its source and URL, and why."""
    where = _where(conn, list(left_out))
    return [{"report_id": rid, "source_id": where.get(rid, ("?", ""))[0], "url": where.get(rid, ("?", ""))[1], "reason": why}
            for rid, why in sorted(left_out.items())]
