"""The release zip, written beside the release's files so that a night recompresses only what changed.

The bucketed tables (reports.csv, observations.csv, values.csv, indicators.csv …: written by
buckets of rows, see release_files._write_bucketed) are compressed bucket by bucket: each bucket is
a raw deflate segment of its own, byte-aligned and not final (a fresh compressor, then a sync
flush), and the member is those segments one after another and an empty final block, a valid
deflate stream for every unzip. A bucket whose key did not change since the parent release is the
parent zip's compressed bytes, copied: at 40,000 townships × 5 years the zip held 1 GB of CSV
deflated whole every night (14 s of one core), where a night changes 3% of the buckets.

The parent's bytes are reused only when the parent zip still matches its ``.sha256`` (checked once,
0.2 s for 316 MB) and its index names the same table header; the member's CRC-32 and the file's
sha256 are always computed from the file written now, so a reused segment that did not hold those
bytes would fail the zip's own CRC check, never pass silently.

Everything else (Parquet, texts/*.gz: stored as they are; small files: deflated) goes in through
zipfile as before. Hashing and compressing run on a thread of their own: zlib and hashlib release
the GIL, so the zip is made while the main thread writes the next files.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.release.files import _file_sha256, _RunCopier, bucket_index, matches_parent_manifest

SEGMENT_LEVEL = 6  # zlib's default: each changed bucket is compressed once, then copied night after night
FINAL_BLOCK = zlib.compressobj(SEGMENT_LEVEL, zlib.DEFLATED, -15).flush()  # an empty final block: ends the stream
ZIP_PART = "zip"  # the part of buckets.json that says where each bucket's segment lies in the zip


def deflate_segment(data: bytes) -> bytes:
    """Raw deflate of one bucket, byte-aligned and not final: segments concatenate."""
    compressor = zlib.compressobj(SEGMENT_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def sha256_of(path: Path) -> str:
    """A release file's sha256, once per file state (datapackage.json declares the Parquet copies' too)."""
    stat = path.stat()
    return _file_sha256(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def zip_is_sound(path: Path) -> bool:
    """Every member of the zip reads back with its CRC (``zipfile.testzip``): a zip altered with
    its .sha256 rewritten would otherwise lend its damaged segments to the next release."""
    try:
        with zipfile.ZipFile(path) as bundle:
            return bundle.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error):
        return False


@dataclass(frozen=True)
class ParentZip:
    """The parent release's zip and where its members' bucket segments lie (its buckets.json)."""

    path: Path
    # member name (in the release folder) → {"header": key, "segments": [[offset, length], …]}, a
    # segment per bucket of the table's index (its "tables" part), in the same order
    members: dict[str, Any]
    tables: dict[str, Any]  # the parent's "tables" part: each bucket's name and key
    sha256: str  # as its .sha256 file records it: the zip is trusted only while it matches

    @classmethod
    def of(cls, folder: Path | None) -> ParentZip | None:
        """The parent's zip, its recorded hash and its segment index, when it has all three."""
        if folder is None:
            return None
        path = folder / f"fazhi-{folder.name}.zip"
        if not matches_parent_manifest(folder / "buckets.json"):
            return None
        try:
            index = bucket_index(folder / "buckets.json")
            members, tables = index.get(ZIP_PART), index.get("tables")
            recorded = (folder / f"{path.name}.sha256").read_text(encoding="utf-8").split()[0]
        except (OSError, ValueError, AttributeError, IndexError):
            return None
        if not isinstance(members, dict) or not isinstance(tables, dict) or not path.is_file():
            return None
        return cls(path=path, members=members, tables=tables, sha256=recorded)


class ReleaseZip:
    """Hashes each finished release file and adds it to the zip, on a second thread.

    A file whose hash the text writer knows (it hashed what it wrote, or the parent's manifest did)
    is not read to hash it again; a bucketed table (``buckets``: its index from _write_bucketed)
    becomes a member of segments, reused from the parent zip where its buckets did not change."""

    def __init__(self, zip_path: Path, prefix: str, parent: ParentZip | None = None) -> None:
        self.zip = zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED)
        self.root = zip_path.parent
        self.prefix = prefix
        self.parent = parent
        self.parent_trusted: bool | None = None  # checked against its .sha256 on first use
        self.files: dict[str, dict[str, Any]] = {}
        self.segments: dict[str, Any] = {}  # what the next release reuses: buckets.json's "zip" part
        self.reused = self.compressed = 0  # buckets copied from the parent zip, buckets compressed (benchmark figures)
        self.queue: queue.Queue[tuple[Path, dict[str, Any] | None, dict[str, Any] | None] | None] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="release-zip", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                if self.error is None:  # after a failure: drain; the main thread raises it in finish()
                    self._add_now(*item)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self.error = exc
            finally:
                self.queue.task_done()
        self.queue.task_done()

    def _add_now(self, path: Path, known: dict[str, Any] | None, buckets: dict[str, Any] | None) -> None:
        name = path.relative_to(self.root).as_posix()
        if buckets is not None:
            self.files[name] = self._add_bucketed(path, name, buckets)
            return
        self.files[name] = {"sha256": known["sha256"], "bytes": known["bytes"]} if known else {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        stored = path.suffix in (".gz", ".parquet")
        self.zip.write(path, self.prefix + name, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)

    def _reusable(self, name: str, header: str) -> dict[str, tuple[str, int, int]]:
        """The parent zip's segments of this member (bucket → (key, offset, length)) when they can
        be trusted: the parent zip matches its .sha256, its table had this header, and its
        segments are as many as the table's buckets."""
        if self.parent is None:
            return {}
        entry, table = self.parent.members.get(name), self.parent.tables.get(name)
        if not isinstance(entry, dict) or not isinstance(table, dict) or entry.get("header") != header or table.get("header") != header:
            return {}
        if self.parent_trusted is None:  # its .sha256 can be rewritten with it: every member's CRC is checked too
            self.parent_trusted = sha256_of(self.parent.path) == self.parent.sha256 and zip_is_sound(self.parent.path)
        if not self.parent_trusted:
            return {}
        try:
            size = self.parent.path.stat().st_size
            segments, buckets = entry["segments"], table["buckets"]
            if len(segments) != len(buckets):
                return {}
            return {b[0]: (b[1], s[0], s[1]) for b, s in zip(buckets, segments) if 0 <= s[0] and 0 <= s[1] and s[0] + s[1] <= size}
        except (OSError, KeyError, IndexError, TypeError):
            return {}

    def _add_bucketed(self, path: Path, name: str, index: dict[str, Any]) -> dict[str, Any]:
        """A member written as segments (see the module's docstring); returns the file's hash and size."""
        size = path.stat().st_size
        chunks = index["buckets"]
        head = chunks[0][2] if chunks else size
        digest, crc = hashlib.sha256(), 0
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                crc = zlib.crc32(block, crc)
        old = self._reusable(name, index["header"])
        info = zipfile.ZipInfo(self.prefix + name, date_time=time.localtime(path.stat().st_mtime)[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size, info.CRC, info.compress_size = size, crc, 0
        zip64 = size * 1.05 > zipfile.ZIP64_LIMIT  # as zipfile decides it: the header's size can't change once written
        segments: list[list[Any]] = []
        archive = self.zip
        fp = archive.fp
        assert fp is not None
        fp.seek(archive.start_dir)
        info.header_offset = fp.tell()
        archive._writecheck(info)  # type: ignore[attr-defined]  # noqa: SLF001 - as ZipFile.mkdir adds a member it writes itself
        fp.write(info.FileHeader(zip64))
        start = fp.tell()
        with path.open("rb") as source, (self.parent.path.open("rb") if old and self.parent else open(path, "rb")) as reuse:
            copy = _RunCopier(reuse, fp, start)  # consecutive reused segments: one copy by the kernel
            copy.write(deflate_segment(source.read(head)))
            for bucket, key, offset, length, *_ in chunks:
                kept = old.get(bucket)
                if kept is not None and kept[0] == key:
                    size_of = kept[2]
                    copy.extend(kept[1], size_of)
                    self.reused += 1
                else:
                    source.seek(offset)
                    size_of = copy.write(deflate_segment(source.read(length)))
                    self.compressed += 1
                segments.append([copy.offset - size_of, size_of])
            copy.write(FINAL_BLOCK)
            copy.flush()
        end = copy.offset
        fp.seek(end)
        info.compress_size = end - start
        fp.seek(info.header_offset)
        fp.write(info.FileHeader(zip64))  # the same length: only the compressed size was 0
        fp.seek(end)
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
        archive.start_dir = end
        archive._didModify = True  # type: ignore[attr-defined]  # noqa: SLF001
        self.segments[name] = {"header": index["header"], "segments": segments}
        return {"sha256": digest.hexdigest(), "bytes": size}

    def add(self, path: Path, known: dict[str, Any] | None = None, buckets: dict[str, Any] | None = None) -> None:
        self.queue.put((path, known, buckets))

    def drain(self) -> dict[str, Any]:
        """Wait for every file queued so far (the thread goes on); the segment index so far."""
        self.queue.join()
        if self.error is not None:
            raise self.error
        return self.segments

    def _stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def finish(self) -> dict[str, dict[str, Any]]:
        """Wait for every file queued so far and stop the thread; the files' hashes and sizes."""
        self._stop()
        if self.error is not None:
            raise self.error
        return self.files

    def close(self, last: Path) -> None:
        self.finish()
        self.zip.write(last, self.prefix + last.name)
        self.zip.close()

    def abandon(self) -> None:
        """After a failure: stop the thread and close the file (the folder is a temporary one;
        the unfinished zip is removed with it)."""
        self._stop()
        if self.zip.fp is not None:
            self.zip.close()
