"""How a release's files are written: CSV tables (UTF-8 with BOM, formula cells neutralised),
their typed Parquet copies, and the files written by buckets of report ids (the texts,
reports.csv, observations.csv, values.csv), whose unchanged buckets are the parent release's bytes.

flows/release/cut.py decides what goes in a release; this module only writes files, from rows it is
given or from the store's rows of the reports a bucket holds.
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dataset import BUCKETS, MAX_CELL, TEXTS_FOLDER, Resource, bound_cell, neutralise_cell, text_file
from flows import store
from flows.release.parquet import write_parquet, write_parquet_bucketed

# Format 2: the declared format (dataset.format): Parquet copies, sources, provenance, texts/<year>.jsonl.gz.
FORMAT_VERSION = 3  # 3: the sampling frame (frame.csv, coverage.csv), withdrawn reports kept, figures_long.csv, the codebook files


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _fmt_number(value)
    return str(value)


def _fmt_number(value: float) -> str:
    """157.0 → "157", 98.5 → "98.5": figures as people write them."""
    return f"{value:g}" if value == int(value) and abs(value) < 1e15 else repr(value)


class _Background:
    """Parquet copies made on a thread beside the next table's Python (Arrow works outside the
    GIL); leaving the block waits for them and raises the first failure. ``done``: told of each
    file written (the release zip takes it at once)."""

    def __init__(self, done: Callable[[Path], None] | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet")
        self.futures: list[Future[None]] = []
        self.done = done

    def submit(self, work: Callable[..., None], *args: Any, output: Path | None = None) -> None:
        def run() -> None:
            work(*args)
            if self.done is not None and output is not None:
                self.done(output)

        self.futures.append(self.pool.submit(run))

    def __enter__(self) -> _Background:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.pool.shutdown(wait=True)
        if kind is None:
            for future in self.futures:
                future.result()


def _write_csv(folder: Path, resource: Resource, rows: Iterable[list[Any]], background: _Background | None = None) -> int:
    """A table of the release format as CSV, UTF-8 with BOM so that Excel opens the Chinese text
    correctly, then its typed Parquet copy. Returns the row count.

    Rows come formatted, in the resource's column order (floats and booleans through _fmt by their
    producer; str, int and None the csv module writes as _fmt would): formatting 50 million cells
    here cost 20 s at 200,000 reports. Text cells are neutralised against formula injection (see
    _neutralised)."""
    counted = _Counter(_neutralised(rows, resource.text_positions()))
    with (folder / resource.path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(resource.header)
        writer.writerows(counted)
    if resource.parquet:
        if background is not None:
            background.submit(write_parquet, folder, resource, output=folder / resource.parquet_path)
        else:
            write_parquet(folder, resource)
    return counted.count


def _neutralised(rows: Iterable[list[Any]], columns: tuple[int, ...]) -> Iterator[list[Any]]:
    """Rows whose text cells starting with = + - @ tab or CR carry a leading ' (OWASP CSV
    injection): titles and quotes come from government sites and analysts open these files in
    Excel. reports.jsonl keeps the true text; dataset.cells.restore_cell reads it back."""
    for row in rows:
        for i in columns:
            cell = row[i]
            if cell.__class__ is str:
                row[i] = neutralise_cell(cell if len(cell) <= MAX_CELL else bound_cell(cell))
        yield row


class _Counter:
    """Counts the rows going by, and apart those ``tally`` picks."""

    def __init__(self, rows: Iterable[list[Any]], tally: Callable[[list[Any]], bool] | None = None) -> None:
        self.rows, self.count, self.tally, self.tallied = rows, 0, tally, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            if self.tally is not None and self.tally(row):
                self.tallied += 1
            yield row


def _tally_range(path: Path | None, start: int, length: int, tally: Callable[[list[Any]], bool]) -> int:
    """The rows ``tally`` picks in a parent's bucket, read from its bytes: for a parent written
    before its index kept the tallies."""
    if path is None or not length:
        return 0
    with path.open("rb") as handle:
        handle.seek(start)
        text = handle.read(length).decode("utf-8")
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if tally(row))


# ---------------------------------------------------------------------------------------------
# Texts: texts/<year>.jsonl.gz, each a series of gzip members (one per bucket of report ids; a
# gzip file of several members is one stream to gzip, pandas, duckdb and Python's gzip). A bucket
# whose reports did not change is copied as compressed bytes from the parent release; a year
# whose buckets all did not change is the parent's file, hard-linked. A night rewrites, compresses
# and hashes only what changed (all texts, 2.6 GB at 40,000 townships × 5 years, were most of it).

TEXT_BUCKET = 3  # hex digits of the report id: 4,096 buckets (a night of 120 changed reports rewrites 3% of them; with 256, 40%)
TABLE_BUCKET = 4  # for the tables: 65,536 buckets. A night of 120 changed reports rewrites ~120 buckets of ~3 reports, where with
# 4,096 it reformatted ~6,000 reports' rows (3 s of the figure pass at 200,000 reports). Texts keep 4,096: a bucket is a gzip member,
# and members of one or two reports compress worse.
TEXT_LEVEL = 6  # gzip's default: compressed once per changed bucket, then copied


def _parent_index(parent: Path | None, part: str) -> tuple[Path, dict[str, Any]] | None:
    """The parent release's folder and a part ("texts", "tables", "zip") of its bucket index
    (buckets.json), when it has one: a release restored without it is written whole."""
    if parent is None or not matches_parent_manifest(parent / BUCKETS):  # offsets edited in place would copy the wrong bytes
        return None
    try:
        index = bucket_index(parent / BUCKETS).get(part)
    except (OSError, ValueError, AttributeError):
        return None
    return (parent, index) if isinstance(index, dict) else None


def bucket_index(path: Path) -> dict[str, Any]:
    """A release's buckets.json, parsed once per process and file state (tens of MB at national
    scale, read by the report pass, the figure pass, the zip and the change log): a release is
    never rewritten, and a file replaced in place has another size or time, so is read again."""
    stat = path.stat()
    return _parsed(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


@functools.lru_cache(maxsize=2)
def _parsed(path: str, size: int, mtime: int, inode: int) -> dict[str, Any]:
    found = json.loads(Path(path).read_bytes())
    if not isinstance(found, dict):
        raise ValueError(f"{path}: not a JSON object")
    return found


def _parent_texts(releases: Path, parent: str | None) -> tuple[Path, dict[str, Any]] | None:
    return _parent_index(releases / parent if parent else None, "texts")


def _report_keys(conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]] | None = None
                 ) -> tuple[dict[str, tuple[str, list[str]]], dict[str, dict[str, tuple[str, list[str]]]]]:
    """The buckets of the tables (bucket → (its key, its report ids)) and of the texts (file name
    → bucket → (key, ids)), in one pass: a key is a digest of what the rows and texts of the
    bucket's reports are made of (revision, extractor, flags, mirrors), read without them.
    ``rows``: store.current_text_keys's rows, when the caller has read them another way."""
    seed = f"format {FORMAT_VERSION}\n"  # a text written differently is not reused in its old form
    tables: dict[str, tuple[list[str], list[str]]] = {}
    texts: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
    files: dict[Any, dict[str, tuple[list[str], list[str]]]] = {}  # year → its file's buckets
    # A key is the sha256 of the seed and the bucket's lines, joined once per bucket: the same key
    # as a digest updated line by line, without making and updating digest objects per row, twice.
    for report_id, revision, year, extractor, flags, mirrors, status in (store.current_text_keys(conn) if rows is None else rows):
        line = f"{report_id}:{revision}:{extractor}:{flags}:{mirrors}:{status}\n"
        found = files.get(year)
        if found is None:
            found = files[year] = texts.setdefault(text_file(int(year) if year is not None else None), {})
        for lines, ids in (tables.get(report_id[:TABLE_BUCKET]) or tables.setdefault(report_id[:TABLE_BUCKET], ([seed], [])),
                           found.get(report_id[:TEXT_BUCKET]) or found.setdefault(report_id[:TEXT_BUCKET], ([seed], []))):
            lines.append(line)
            ids.append(report_id)

    def done(found: dict[str, tuple[list[str], list[str]]]) -> dict[str, tuple[str, list[str]]]:
        return {b: (hashlib.sha256("".join(lines).encode()).hexdigest()[:32], ids) for b, (lines, ids) in sorted(found.items())}

    return done(tables), {name: done(found) for name, found in sorted(texts.items())}


def write_texts(conn: sqlite3.Connection, folder: Path, parent: tuple[Path, dict[str, Any]] | None,
                keys: dict[str, dict[str, tuple[str, list[str]]]] | None = None) -> dict[str, Any]:
    """texts/<year>.jsonl.gz; returns their index for the manifest: per file its sha256, size,
    and each bucket's key, offset and length (what the next release reuses). ``keys``: the texts'
    buckets (_report_keys), when the caller has them."""
    index: dict[str, Any] = {}
    for name, buckets in (keys if keys is not None else _report_keys(conn)[1]).items():
        before = parent[1].get(name) if parent else None
        old_file = parent[0] / name if parent else None
        old = _reusable(before, old_file, 0)
        target = folder / name
        if old and [(b, key) for b, (key, _) in buckets.items()] == [(c[0], c[1]) for c in before["buckets"]]:  # type: ignore[index]
            assert old_file is not None and before is not None
            _link_or_copy(old_file, target)
            index[name] = before
            continue
        digest, offset, chunks = hashlib.sha256(), 0, []
        with target.open("wb") as out, (old_file.open("rb") if old and old_file else open(os.devnull, "rb")) as reuse:
            for bucket, (key, ids) in buckets.items():
                kept = old.get(bucket)
                if kept is not None and kept[1] == key:
                    reuse.seek(kept[2])
                    data = reuse.read(kept[3])
                else:
                    lines = "".join(json.dumps({"report_id": rid, "revision": revision, "status": status, "report": json.loads(report),
                                                "flags": json.loads(flags), "text": text, "original": original}, ensure_ascii=False) + "\n"
                                    for rid, revision, status, report, flags, text, original in store.current_texts(conn, ids))
                    data = gzip.compress(lines.encode("utf-8"), compresslevel=TEXT_LEVEL, mtime=0)
                out.write(data)
                digest.update(data)
                chunks.append([bucket, key, offset, len(data)])
                offset += len(data)
        index[name] = {"sha256": digest.hexdigest(), "bytes": offset, "reports": sum(len(ids) for _, ids in buckets.values()), "buckets": chunks}
    return index


def _reusable(entry: Any, path: Path | None, start: int) -> dict[str, list[Any]]:
    """The parent's buckets of a file (bucket → [bucket, key, offset, length, …]) when its index
    fits the file as it is: the ranges follow each other from ``start`` to the file's end. An index
    that does not (a file replaced, an index from elsewhere) is not trusted: the file is written whole."""
    if not isinstance(entry, dict) or path is None or not path.is_file():
        return {}
    if not matches_parent_manifest(path):
        return {}
    try:
        chunks = list(entry["buckets"])
        offset = start
        for chunk in chunks:
            if chunk[2] != offset or chunk[3] < 0:
                return {}
            offset += chunk[3]
        if offset != path.stat().st_size:
            return {}
        return {c[0]: c for c in chunks}
    except (KeyError, IndexError, TypeError):
        return {}


def matches_parent_manifest(path: Path) -> bool:
    """Whether a parent release's file is byte for byte what its manifest records (sha256): a
    bucket is reused only from such a file. Offsets that add up say nothing of the bytes: a
    values.csv edited in place (90 → 09, same size) was copied into the next release."""
    try:
        manifest = json.loads((path.parent / "manifest.json").read_bytes()) if path.parent.name != TEXTS_FOLDER \
            else json.loads((path.parent.parent / "manifest.json").read_bytes())
        name = path.name if path.parent.name != TEXTS_FOLDER else f"{TEXTS_FOLDER}/{path.name}"
        recorded = manifest["files"][name]["sha256"]
        stat = path.stat()
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return False
    return isinstance(recorded, str) and _file_sha256(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino) == recorded


@functools.lru_cache(maxsize=64)
def _file_sha256(path: str, size: int, mtime: int, inode: int) -> str:
    """A file's sha256, once per file state (the report pass and the figure pass both ask)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _RunCopier:
    """Writes a file of reused and new buckets: the parent's bytes of consecutive reused buckets
    (which lie one after the other in the parent's file too) are copied as one run, by the kernel
    (os.copy_file_range): 65,536 small reads and writes in Python were 3 s of a night."""

    def __init__(self, source: Any, out: Any, offset: int) -> None:
        self.source, self.out, self.offset = source, out, offset
        self.run: list[int] | None = None  # [start in the parent's file, length]

    def extend(self, start: int, length: int) -> None:
        if self.run is not None and self.run[0] + self.run[1] == start:
            self.run[1] += length
        else:
            self.flush()
            self.run = [start, length]
        self.offset += length

    def write(self, data: bytes) -> int:
        self.flush()
        self.out.write(data)
        self.offset += len(data)
        return len(data)

    def flush(self) -> None:
        if self.run is None:
            return
        start, length = self.run
        self.run = None
        self.out.flush()
        copy_range(self.source, self.out, start, length)


def copy_range(source: Any, out: Any, start: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``start`` appended to ``out`` (both open binary files;
    ``out`` flushed): by the kernel where it can, else through a buffer."""
    position = out.seek(0, os.SEEK_END)
    copied = 0
    try:
        while copied < length:
            done = os.copy_file_range(source.fileno(), out.fileno(), length - copied, start + copied, position + copied)
            if done == 0:
                break  # the source ended early: said below
            copied += done
    except (AttributeError, OSError):  # no copy_file_range here (another system, another file system): by hand below
        pass
    source.seek(start + copied)
    out.seek(position + copied)
    while copied < length:
        block = source.read(min(length - copied, 1 << 20))
        if not block:
            raise OSError(f"{getattr(source, 'name', 'the parent file')}: ended {length - copied} bytes before the bucket it should hold")
        out.write(block)
        copied += len(block)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to the parent's file (releases are never rewritten, so sharing is safe); a copy
    where links are impossible (another device, a file system without them)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def iter_texts(folder: Path) -> Iterator[dict[str, Any]]:
    """Every text record of a release: texts/<year>.jsonl.gz, or reports.jsonl of releases made before."""
    if (folder / "reports.jsonl").exists():
        with (folder / "reports.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)
        return
    for path in sorted((folder / TEXTS_FOLDER).glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


# ---------------------------------------------------------------------------------------------
# Parquet: a typed copy of every table, read back from its CSV by Arrow (streamed in blocks: memory
# stays flat in the row count) with the column types of the declared format, and the CSV's
# formula-neutralising apostrophes taken off: Parquet is read by programs, not spreadsheets.


def _parent_tables(parent: Path | None) -> tuple[Path, dict[str, Any]] | None:
    return _parent_index(parent, "tables")


def _write_bucketed(folder: Path, resource: Resource, buckets: dict[str, tuple[str, list[str]]],
                    rows_of: Callable[[list[str]], Iterable[list[Any]]], parent: tuple[Path, dict[str, Any]] | None,
                    background: _Background | None = None, tally: Callable[[list[Any]], bool] | None = None) -> tuple[int, dict[str, Any]]:
    """A table in report_id order, written bucket by bucket: the parent's bytes for a bucket whose
    key (and the header) did not change, else its rows from the store (formatted and neutralised
    as _write_csv does: the same bytes as a table written whole). Returns the row count and the
    index the next release reuses; then the Parquet copy.

    ``tally``: rows to count apart (observations.csv's unclassified counts, which are no figure of
    an indicator): the index keeps each bucket's number under "tally" ({bucket: n}, buckets with
    none left out), so that a reused bucket's rows need not be read again to count them."""
    head = io.StringIO()
    csv.writer(head).writerow(resource.header)
    header = codecs.BOM_UTF8 + head.getvalue().encode("utf-8")
    # The header and how rows are formatted: bump FORMAT_VERSION when a writer formats a cell
    # differently, or the parent's bytes would be reused in the old form.
    header_key = hashlib.sha256(header + f"format {FORMAT_VERSION}".encode()).hexdigest()[:32]
    entry = parent[1].get(resource.path) if parent else None
    old_file = parent[0] / resource.path if parent else None
    old = _reusable(entry, old_file, len(header)) if isinstance(entry, dict) and entry.get("header") == header_key else {}
    positions = resource.text_positions()
    chunks, count = [], 0
    tallies: dict[str, int] = {}
    old_tallies = entry.get("tally") if old and isinstance(entry, dict) else None
    with (folder / resource.path).open("wb") as out, (old_file.open("rb") if old and old_file else open(os.devnull, "rb")) as reuse:
        out.write(header)
        copy = _RunCopier(reuse, out, len(header))
        for bucket, (key, ids) in buckets.items():
            kept, tallied = old.get(bucket), 0
            if kept is not None and kept[1] == key:
                length, rows = kept[3], kept[4]
                copy.extend(kept[2], length)
                if tally is not None:
                    tallied = old_tallies.get(bucket, 0) if isinstance(old_tallies, dict) else _tally_range(old_file, kept[2], length, tally)
            else:
                text = io.StringIO()
                counted = _Counter(_neutralised(rows_of(ids), positions), tally)
                csv.writer(text).writerows(counted)
                data, rows, tallied = text.getvalue().encode("utf-8"), counted.count, counted.tallied
                length = copy.write(data)
            chunks.append([bucket, key, copy.offset - length, length, rows])
            count += rows
            if tally is not None and tallied:
                tallies[bucket] = int(tallied)
        copy.flush()
    index: dict[str, Any] = {"header": header_key, "buckets": chunks}
    if tally is not None:
        index["tally"] = tallies
    if resource.parquet:
        reusable = (parent[0], entry) if parent is not None and old and isinstance(entry, dict) else None
        if background is not None:
            background.submit(write_parquet_bucketed, folder, resource, index, reusable, output=folder / resource.parquet_path)
        else:
            write_parquet_bucketed(folder, resource, index, reusable)
    return count, index
