"""Per report, a digest of its figures as written, carried from one site build to the next.

A township page is reused when its inputs did not change, its reports' figures among them. Reading
every report's rows of observations.csv and values.csv to hash them (3.4 million rows at 40,000
townships) cost more than rendering the night's hundred pages. A bucketed release says which
buckets of report ids are the previous release's bytes: their key (a digest of what the bucket's
reports are made of, sitegen.buckets) and length did not change. A report whose buckets did not
change in either table has the rows it had, so its digest is the one the previous build computed
from them, recorded in the site (DIGESTS); the others are read and hashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .buckets import BucketedRows

DIGESTS = ".fazhi-figures.json"  # in the built site: each report's figure digest and the buckets it was computed from


class FigureDigests:
    """``of(report_id)``: a digest of the report's rows in each figure table (``raws``, in order).
    ``tables``: the same tables by bucket (None: the release has no bucket index, all are hashed)."""

    def __init__(self, raws: list[Callable[[str], bytes]], tables: list[BucketedRows] | None, previous: Path | None) -> None:
        self.raws = raws
        self.tables = tables
        self.recorded: dict[str, str] = {}
        self.unchanged: list[set[str]] = []  # per table: buckets whose bytes are the previous build's
        if tables is None or previous is None:
            return
        try:
            record = json.loads((previous / DIGESTS).read_text(encoding="utf-8"))
            before = record["tables"]
            if len(before) != len(tables):
                return
            unchanged = []
            for table, (header, buckets) in zip(tables, before):
                if header != table.header_key:
                    return
                unchanged.append({b for b in set(table.buckets) | set(buckets)
                                  if table.key_of(b) == ((header, *buckets[b]) if b in buckets else None)})
            self.recorded = {str(k): str(v) for k, v in record["reports"].items()}
            self.unchanged = unchanged
        except (OSError, ValueError, KeyError, TypeError):
            self.recorded, self.unchanged = {}, []  # an unreadable record: every report is hashed, nothing is lost

    def of(self, report_id: str, read: dict[str, list[bytes]] | None = None) -> str:
        """``read``: gets the rows read to hash them (report → one bytes per table), so that a
        page rendered next does not read them again."""
        if self.unchanged and self.tables is not None and report_id in self.recorded and all(
                table.bucket_of(report_id) in same for table, same in zip(self.tables, self.unchanged)):
            return self.recorded[report_id]
        digest = hashlib.sha256()
        rows = [raw(report_id) for raw in self.raws]
        for data in rows:
            digest.update(f"{len(data)}:".encode())
            digest.update(data)
        if read is not None:
            read[report_id] = rows
        return digest.hexdigest()[:32]

    def record(self, digests: dict[str, str]) -> dict[str, Any] | None:
        """What the next build reads back (None: nothing to record without a bucket index)."""
        if self.tables is None:
            return None
        return {"tables": [[t.header_key, {b: [key, length] for b, (key, _, length) in t.buckets.items()}] for t in self.tables],
                "reports": digests}


def write_record(site: Path, record: dict[str, Any] | None) -> None:
    if record is not None:
        (site / DIGESTS).write_text(json.dumps(record, separators=(",", ":"), sort_keys=True), encoding="utf-8")
