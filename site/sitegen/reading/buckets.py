"""A release's files read by buckets of report ids, through its buckets.json.

A release writes texts/<year>.jsonl.gz, observations.csv and values.csv by buckets of report ids
(the first hex digits of the id; flows.release.files): each bucket is a contiguous byte range, a
text bucket one gzip member, and buckets.json gives each bucket's key (a digest of what its
reports are made of), offset and length. An incremental night needs the texts and figures of
the few reports whose pages it renders, not the 2.6 GB of texts and 3.4 million figure rows of the
country: a bucket is read (decompressed, split by report) only when one of its reports is asked
for. An index that does not fit its file (offsets that do not follow each other up to the file's
end) is not trusted: the caller reads the file whole, as before bucketed releases.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from dataset.format import BUCKETS, TEXTS_FOLDER

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night


def read_index(folder: Path) -> dict[str, Any] | None:
    """The release's buckets.json ({"texts": …, "tables": …}), None when it has none or it is unreadable."""
    try:
        index = json.loads((folder / BUCKETS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


def fitting_buckets(entry: Any, path: Path, start: int) -> dict[str, tuple[str, int, int]] | None:
    """bucket → (key, offset, length) when the index ``entry`` of ``path`` fits the file as it is:
    its ranges follow each other from ``start`` to the file's end, bucket names all of one length."""
    if not isinstance(entry, dict) or not path.is_file():
        return None
    try:
        found: dict[str, tuple[str, int, int]] = {}
        offset = start
        for chunk in entry["buckets"]:
            bucket, key, at, length = str(chunk[0]), str(chunk[1]), int(chunk[2]), int(chunk[3])
            if at != offset or length < 0 or bucket in found:
                return None
            found[bucket] = (key, at, length)
            offset += length
        if offset != path.stat().st_size or len({len(b) for b in found}) > 1:
            return None
        return found
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _width(buckets: dict[str, Any]) -> int:
    return len(next(iter(buckets))) if buckets else 0


class BucketedTexts:
    """texts/<year>.jsonl.gz read one gzip member (bucket) at a time: ``record(report_id)``.

    A decompressed bucket is spilled into an anonymous temporary file of this process (gone when it
    ends), so that no bucket is decompressed twice by one process however its reports are asked
    for (a full build asks for all of them, township by township), and memory holds only offsets."""

    def __init__(self, files: dict[Path, dict[str, tuple[str, int, int]]]) -> None:
        self.files = files
        self.width = max((_width(b) for b in files.values()), default=0)
        self._pid = -1
        self._spill: IO[bytes] | None = None
        self._end = 0
        self._offsets: dict[str, tuple[IO[bytes], int, int]] = {}  # report → (spill file, offset, length)
        self._loaded: set[str] = set()

    @classmethod
    def of(cls, folder: Path, index: dict[str, Any] | None) -> BucketedTexts | None:
        """The release's texts by bucket, None unless every texts file has an index that fits it."""
        texts = index.get("texts") if isinstance(index, dict) else None
        on_disk = sorted((folder / TEXTS_FOLDER).glob("*.jsonl.gz"))
        if not isinstance(texts, dict) or not on_disk:
            return None
        files = {}
        for path in on_disk:
            buckets = fitting_buckets(texts.get(f"{TEXTS_FOLDER}/{path.name}"), path, 0)
            if buckets is None:
                return None
            files[path] = buckets
        if len({_width(b) for b in files.values() if b}) > 1:
            return None
        return cls(files)

    def _own_spill(self) -> IO[bytes]:
        # A forked worker writes a file of its own (appending to the parent's would mix two writers);
        # what the parent spilled before the fork stays readable to it (positioned reads).
        if self._pid != os.getpid() or self._spill is None:
            self._pid, self._spill, self._end = os.getpid(), tempfile.TemporaryFile(prefix="fazhi-texts-"), 0
        return self._spill

    def load_all(self) -> None:
        """Every bucket, once, before workers fork (a build that renders every page needs them all:
        decompressed once here rather than once per worker)."""
        for bucket in sorted({b for buckets in self.files.values() for b in buckets}):
            self._load(bucket)

    def _load(self, bucket: str) -> None:
        spill = self._own_spill()
        if bucket in self._loaded:
            return
        for path, buckets in self.files.items():
            where = buckets.get(bucket)
            if where is None:
                continue
            with path.open("rb") as handle:
                handle.seek(where[1])
                member = handle.read(where[2])
            data = gzip.decompress(member)
            spill.seek(self._end)
            spill.write(data)
            spill.flush()
            at = self._end
            for line in data.splitlines(keepends=True):
                self._offsets[_report_id(line)] = (spill, at, len(line))
                at += len(line)
            self._end += len(data)
        self._loaded.add(bucket)

    def record(self, report_id: str) -> dict[str, Any]:
        self._load(report_id[: self.width])
        where = self._offsets.get(report_id)
        if where is None:
            raise KeyError(f"report {report_id}: not in the release's texts")
        spill, at, length = where
        return dict(json.loads(os.pread(spill.fileno(), length, at)))


class BucketedRows:
    """A bucketed CSV (observations.csv, values.csv): each report's rows as written, read by bucket.
    A bucket is split into its reports' byte ranges once per process; the rows are read by range."""

    def __init__(self, path: Path, header_key: str, buckets: dict[str, tuple[str, int, int]], column: int = 0) -> None:
        self.path = path
        self.column = column  # of report_id
        self.header_key = header_key
        self.buckets = buckets
        self.width = _width(buckets)
        self._ranges: dict[str, dict[str, tuple[int, int]]] = {}

    @classmethod
    def of(cls, folder: Path, name: str, index: dict[str, Any] | None) -> BucketedRows | None:
        tables = index.get("tables") if isinstance(index, dict) else None
        entry = tables.get(name) if isinstance(tables, dict) else None
        path = folder / name
        if not isinstance(entry, dict) or not path.is_file():
            return None
        with path.open("rb") as handle:
            first = handle.readline()
        names = [n.lstrip("\ufeff") for n in next(csv.reader([first.decode("utf-8")]), [])]
        buckets = fitting_buckets(entry, path, len(first))
        if buckets is None or "report_id" not in names:
            return None
        return cls(path, str(entry.get("header") or ""), buckets, names.index("report_id"))

    def bucket_of(self, report_id: str) -> str:
        return report_id[: self.width]

    def key_of(self, bucket: str) -> tuple[str, str, int] | None:
        """What identifies a bucket's bytes: the table's header key, the bucket's key and length."""
        where = self.buckets.get(bucket)
        return (self.header_key, where[0], where[2]) if where is not None else None

    def split_all(self) -> None:
        """Every bucket split by report, once, before workers fork (they inherit the ranges)."""
        with self.path.open("rb") as handle:
            for bucket, (_, at, length) in self.buckets.items():
                if bucket not in self._ranges:
                    handle.seek(at)
                    self._ranges[bucket] = {r: (at + a, at + b) for r, (a, b) in _split_by_report(handle.read(length), self.column).items()}

    def raw(self, report_id: str) -> bytes:
        """The report's rows as written (b"" when it has none)."""
        bucket = self.bucket_of(report_id)
        where = self.buckets.get(bucket)
        if where is None:
            return b""
        ranges = self._ranges.get(bucket)
        with self.path.open("rb") as handle:
            if ranges is None:
                handle.seek(where[1])
                data = handle.read(where[2])
                ranges = self._ranges[bucket] = {r: (where[1] + a, where[1] + b) for r, (a, b) in _split_by_report(data, self.column).items()}
                span = ranges.get(report_id)
                return data[span[0] - where[1]:span[1] - where[1]] if span is not None else b""
            span = ranges.get(report_id)
            if span is None:
                return b""
            handle.seek(span[0])
            return handle.read(span[1] - span[0])


def _split_by_report(data: bytes, column: int = 0) -> dict[str, tuple[int, int]]:
    """report_id → the byte range of its rows in ``data`` (whole CSV rows, grouped by report, the
    id first): csv.reader pulls exactly one record's lines before it returns it, so quoted line
    breaks are counted right. ``column``: where the report id is."""
    position = 0
    ranges: dict[str, tuple[int, int]] = {}

    def lines() -> Iterator[str]:
        nonlocal position
        for raw in io.BytesIO(data):  # lines end at \n only, as a file's do
            position += len(raw)
            yield raw.decode("utf-8")

    end = 0
    for row in csv.reader(lines()):
        start, end = end, position
        if len(row) <= column:
            continue
        report = row[column]
        ranges[report] = (ranges[report][0], end) if report in ranges else (start, end)
    return ranges


def _report_id(line: bytes) -> str:
    """A texts line (texts/<year>.jsonl.gz, reports.jsonl before) starts {"report_id": "<16 hex>", …:
    the id without parsing the texts after it (7 s of JSON at 200,000 reports); any other shape
    is parsed in full."""
    head = line[:64]
    if head.startswith(b'{"report_id": "'):
        end = head.find(b'"', 15)
        if end > 15:
            return head[15:end].decode("ascii")
    return str(json.loads(line)["report_id"])
