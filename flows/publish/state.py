"""The data directory between nights, in parts that each fit a GitHub release asset.

A night on a fresh CI runner starts from nothing: ``fazhi state restore`` brings back what the
previous night saved, ``fazhi state save`` saves it again. At national scale the data directory
is far larger than the 2 GiB GitHub allows for one release asset (the store alone is 3.4 GB at
40,000 townships × 5 years), so it travels in parts:

- ``store``: the SQLite store, a consistent copy made with SQLite's backup API (a WAL database
  copied file by file can be torn);
- ``raw-<year>``: the fetched bodies first fetched in that year (the store's fetch log says
  when; a body it does not know yet, from a night killed before its merge, goes by the year it
  was written). A past year never changes, so it is uploaded once and then reused;
- ``ocr-<year>``: the OCR cache (``data/ocr``: OCR'd pages by the scanned file's sha256 and the
  engine's version), by the year its file was first fetched as for ``raw-<year>``: a restored
  machine re-extracts and re-reads its scans without OCR (issue 29). A file of an old year gains
  pages when a night OCRs the rest of it, or a new engine reads it: its year's part goes again;
- ``release-<version>``: the latest release, whole: the next release's change log is computed
  against it;
- ``releases``: every older release's manifest, change log and zip checksum (the site lists
  every release's change log); their zips live where they were published (``data-<version>``).

Each part is a zstd-compressed tar cut into chunks of at most ``part_limit`` bytes, named by
their own sha256. ``state.json`` lists the parts and their chunks. A save uploads new chunks
first, then ``state.json``, and only then deletes chunks that ``state.json`` no longer names, so
a save that dies midway leaves the previous state whole. A restore checks every chunk's size and
sha256 and the store's integrity before anything lands in the data directory.

Two back ends hold the parts: a GitHub release (through the ``gh`` CLI, as the workflow runs
it) and an S3-compatible bucket (boto3), for operators who outgrow GitHub.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Literal, Protocol, cast

import zstandard
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from flows.publish.s3url import split_s3_url
from flows.release.versions import latest_version, list_versions
from flows.store.layout import DataLayout
from flows.store.lock import data_lock

# GitHub refuses release assets of 2 GiB (2,147,483,648 bytes) or more; a margin below it.
GITHUB_ASSET_LIMIT = 2_000_000_000
# The smallest chunk this module writes (tests cut parts this small); the command asks for at
# least 1 MiB, since one object per few bytes is an upload per few bytes.
MIN_PART_LIMIT = 4096
COMMAND_MIN_PART_LIMIT = 1 << 20
MANIFEST = "state.json"
PREFIX = "state-"  # every chunk's name: a save deletes only objects it could have written
RESTORED = ".state.json"  # in the data directory: the manifest it was restored from (or saved as)
# The small files of an older release that the site and `fazhi releases` read.
HISTORY_FILES = ("manifest.json", "CHANGELOG.md", "datapackage.json")
ZSTD_LEVEL = 3  # zstd's default: about as small as gzip -6, several times faster


class StateError(RuntimeError):
    """The state cannot be saved or restored; the message says which part, file or object and why."""


# state.json comes from a place other people may write to (a bucket, a release's assets): every
# field is checked before it names a file. A release version as `next_version` makes them.
VERSION = r"\d{4}\.\d{2}\.\d{2}(?:\.\d{1,6})?"
PART_NAME = re.compile(rf"store|releases|raw-\d{{4}}|ocr-\d{{4}}|release-{VERSION}")
# An OCR cache file as flows.harvest.convert.OcrCache names it: ocr/<sha[:2]>/<sha256>.<engine>-<version>.jsonl
OCR_MEMBER = re.compile(r"ocr/([0-9a-f]{2})/(\1[0-9a-f]{62})\.[A-Za-z0-9_.-]{1,80}\.jsonl")
# A chunk's name as _ChunkWriter makes it: a plain file name, no separator, no `..`.
CHUNK_NAME = re.compile(rf"{PREFIX}(?:{PART_NAME.pattern})-\d{{3,6}}-[0-9a-f]{{16}}\.tar\.zst")
SHA256 = re.compile(r"[0-9a-f]{64}")


def allowed_member(part: str, member: str) -> bool:
    """Whether a part of this kind may hold a file of this name: the store part only the store,
    a year's raw part only raw bodies, a release part only its own release's files, the history
    part only the small files of older releases. A part for one year carrying ``fazhi.sqlite``
    would otherwise replace the restored store."""
    if part == "store":
        return member == "fazhi.sqlite"
    if part.startswith("raw-"):
        return re.fullmatch(r"raw/[0-9a-f]{2}/[0-9a-f]{64}", member) is not None
    if part.startswith("ocr-"):
        return OCR_MEMBER.fullmatch(member) is not None and ".." not in member
    if part == "releases":
        found = re.fullmatch(rf"releases/({VERSION})/([^/]+)", member)
        return found is not None and found[2] in (*HISTORY_FILES, f"fazhi-{found[1]}.zip.sha256")
    if part.startswith("release-"):
        inside = f"releases/{part.removeprefix('release-')}/"
        rest = member.removeprefix(inside)
        return member.startswith(inside) and all(piece not in ("", ".", "..") for piece in rest.split("/"))
    return False


class Chunk(BaseModel):
    name: str = Field(max_length=200)
    size: int = Field(ge=1, le=GITHUB_ASSET_LIMIT * 4)
    sha256: str

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        if not CHUNK_NAME.fullmatch(name):
            raise ValueError(f"chunk name {name[:100]!r} is not a chunk this program writes (state-PART-NNN-HASH.tar.zst)")
        return name

    @field_validator("sha256")
    @classmethod
    def _sha(cls, sha: str) -> str:
        if not SHA256.fullmatch(sha):
            raise ValueError(f"sha256 {sha[:100]!r} is not 64 lowercase hex digits")
        return sha


class Part(BaseModel):
    name: str = Field(max_length=64)
    key: str = Field(max_length=128)  # what the part holds: an equal key means equal contents, so the chunks are reused
    files: int = Field(ge=0)
    bytes: int = Field(ge=0)  # before compression
    chunks: list[Chunk] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _kind(cls, name: str) -> str:
        if not PART_NAME.fullmatch(name):
            raise ValueError(f"part name {name[:100]!r} is not store, releases, raw-YEAR, ocr-YEAR or release-VERSION")
        return name

    @model_validator(mode="after")
    def _chunks_of_this_part(self) -> "Part":
        wrong = [c.name for c in self.chunks if not c.name.startswith(f"{PREFIX}{self.name}-")]
        if wrong:
            raise ValueError(f"part {self.name} lists chunk {wrong[0]} of another part")
        return self


class Manifest(BaseModel):
    format: Literal[1] = 1
    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    parent: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    saved: datetime
    latest: str | None = Field(default=None, pattern=rf"^{VERSION}$")  # the release LATEST points at
    parts: list[Part]

    @model_validator(mode="after")
    def _one_of_each(self) -> "Manifest":
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ValueError("a part is listed twice")
        if "store" not in names:
            raise ValueError("no store part")
        return self


# ---------------------------------------------------------------------------------------------
# Back ends: a flat namespace of objects (a GitHub release's assets, or keys under an S3 prefix)


class Backend(Protocol):
    """Where the parts live. Names are flat ([a-z0-9.-]), objects are whole files."""

    def describe(self) -> str:
        """The place, for messages."""
        ...

    def names(self) -> set[str] | None:
        """Every object's name, or None when the place does not exist yet (nothing was saved)."""
        ...

    def create(self) -> None: ...

    def upload(self, path: Path, name: str) -> None: ...

    def download(self, name: str, target: Path) -> None: ...

    def delete(self, name: str) -> None: ...


class GitHubRelease:
    """The assets of one GitHub release, through the ``gh`` CLI (the workflow's GH_TOKEN).

    The release is a pre-release that is never marked latest, so that the repository's front
    page keeps pointing at the newest dataset release."""

    def __init__(self, tag: str, repo: str | None = None, gh: str = "gh") -> None:
        self.tag, self.repo, self.gh = tag, repo, gh

    def describe(self) -> str:
        return f"GitHub release {self.tag}" + (f" of {self.repo}" if self.repo else "")

    def _run(self, *args: str, missing_ok: bool = False) -> subprocess.CompletedProcess[str] | None:
        command = [self.gh, *args, *(["--repo", self.repo] if self.repo else [])]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        except FileNotFoundError:
            raise StateError(f"{self.describe()}: the GitHub CLI `{self.gh}` is not installed (https://cli.github.com/)") from None
        if done.returncode != 0:
            if missing_ok and "release not found" in done.stderr:
                return None
            raise StateError(f"{self.describe()}: `{' '.join(command)}` failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def names(self) -> set[str] | None:
        done = self._run("release", "view", self.tag, "--json", "assets", missing_ok=True)
        if done is None:
            return None
        return {asset["name"] for asset in json.loads(done.stdout)["assets"]}

    def create(self) -> None:
        self._run("release", "create", self.tag, "--title", "State between nightly runs",
                  "--notes", "The store, raw bytes and latest release, in parts (fazhi state save). Not a dataset release.",
                  "--prerelease", "--latest=false")

    def upload(self, path: Path, name: str) -> None:
        if path.name != name:  # gh names an asset after its file
            raise StateError(f"{path}: a chunk's file must carry its asset name {name}")
        self._run("release", "upload", self.tag, str(path), "--clobber")

    def download(self, name: str, target: Path) -> None:
        self._run("release", "download", self.tag, "--pattern", name, "--dir", str(target.parent), "--clobber")
        if target.name != name:
            os.replace(target.parent / name, target)

    def delete(self, name: str) -> None:
        self._run("release", "delete-asset", self.tag, name, "--yes")


class S3Bucket:
    """Objects under a prefix of an S3-compatible bucket (AWS, MinIO, Ceph, R2 …), through boto3.

    Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID …, ~/.aws); ``endpoint_url``
    points at a service other than AWS."""

    def __init__(self, url: str, endpoint_url: str | None = None, client: Any = None) -> None:
        location = split_s3_url(url)
        if location is None:
            raise StateError(f"{url}: an S3 location is s3://BUCKET or s3://BUCKET/PREFIX")
        self.bucket, self.prefix = location
        self.url = url
        if client is None:
            try:
                import boto3
            except ImportError:
                raise StateError(f"{url}: the S3 back end needs boto3: pip install 'fazhi-atlas[s3]'") from None
            client = boto3.client("s3", endpoint_url=endpoint_url)
        self.client = client

    def describe(self) -> str:
        return self.url

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except (BotoCoreError, ClientError) as exc:
            raise StateError(f"{self.url}: {what} failed: {exc}") from exc

    def names(self) -> set[str] | None:
        def listing() -> set[str]:
            found: set[str] = set()
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                found.update(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
            return {name for name in found if "/" not in name}  # names are flat: a deeper key is not ours

        found = self._call("listing the objects", listing)
        return found or None

    def create(self) -> None:
        """The bucket is the operator's to create (with its retention and access rules)."""

    def upload(self, path: Path, name: str) -> None:
        self._call(f"uploading {name}", lambda: self.client.upload_file(str(path), self.bucket, self.prefix + name))

    def download(self, name: str, target: Path) -> None:
        self._call(f"downloading {name}", lambda: self.client.download_file(self.bucket, self.prefix + name, str(target)))

    def delete(self, name: str) -> None:
        self._call(f"deleting {name}", lambda: self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name))


# ---------------------------------------------------------------------------------------------
# The parts of a data directory


@dataclass
class PartPlan:
    """A part to save: which files go into its tar, under which names, and what identifies them."""

    name: str
    key: str
    members: list[tuple[Path, str]] = field(default_factory=list)  # (file on disk, path in the tar)

    @property
    def bytes(self) -> int:
        return sum(path.stat().st_size for path, _ in self.members)


def _digest(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def backup_store(store: Path, target: Path) -> None:
    """A consistent copy of the store, with SQLite's online backup API: what a reader would see
    in one transaction, the WAL folded in, whatever a writer is doing meanwhile."""
    try:
        source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StateError(f"{store}: the store cannot be opened: {exc}") from None
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=65536)  # 256 MB steps at 4 KB pages: a writer is never held off for the whole copy
        copy.execute("PRAGMA journal_mode=DELETE")  # a single file: nothing to carry beside it
    except sqlite3.Error as exc:
        raise StateError(f"{store}: the store cannot be copied: {exc}") from None
    finally:
        copy.close()
        source.close()


def check_store_copy(copy: Path, store: Path) -> None:
    """The copy must pass SQLite's quick check before it may replace a saved state: the backup
    API copies damaged pages as they are, and a restore refuses a store that fails the check, so
    saving one would leave nothing restorable."""
    conn = sqlite3.connect(copy)
    try:
        verdict = "; ".join(str(row[0]) for row in conn.execute("PRAGMA quick_check(5)"))
    except sqlite3.Error as exc:
        verdict = str(exc)
    finally:
        conn.close()
    if verdict != "ok":
        raise StateError(f"{store}: the store fails SQLite's check ({verdict[:300]}); the saved state is left as it was: "
                         "mend the store (or restore the saved state) before saving")


def _first_fetched(store_copy: Path) -> dict[str, str]:
    """The year each body (by sha256) was first fetched, from the store's fetch log."""
    first_fetched: dict[str, str] = {}
    conn = sqlite3.connect(store_copy)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fetch_log'").fetchone():
            for sha, fetched in conn.execute("SELECT sha256, min(fetched_at) FROM fetch_log WHERE sha256 IS NOT NULL GROUP BY sha256"):
                first_fetched[sha] = fetched[:4]
    finally:
        conn.close()
    return first_fetched


def raw_years(store_copy: Path, raw_root: Path, first_fetched: dict[str, str] | None = None) -> dict[str, list[Path]]:
    """Every raw body, by the year it was first fetched (fetch log), else by the year it was written."""
    first_fetched = _first_fetched(store_copy) if first_fetched is None else first_fetched
    years: dict[str, list[Path]] = {}
    if not raw_root.is_dir():
        return years
    for folder in sorted(p for p in raw_root.iterdir() if p.is_dir()):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue  # .tmp-*: a body being written when a night died
            year = first_fetched.get(entry.name) or str(datetime.fromtimestamp(entry.stat().st_mtime, timezone.utc).year)
            years.setdefault(year, []).append(Path(entry.path))
    return years


def ocr_years(ocr_root: Path, first_fetched: dict[str, str]) -> dict[str, list[Path]]:
    """Every OCR cache file, by the year its scanned file was first fetched (else the year it was written)."""
    years: dict[str, list[Path]] = {}
    if not ocr_root.is_dir():
        return years
    for path in sorted(ocr_root.glob("*/*.jsonl")):
        member = f"ocr/{path.parent.name}/{path.name}"
        found = OCR_MEMBER.fullmatch(member)
        if found is None or path.is_symlink() or not path.is_file():
            continue  # not a file the cache writes
        year = first_fetched.get(found[2]) or str(datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).year)
        years.setdefault(year, []).append(path)
    return years


def plan_parts(data: Path, store_copy: Path) -> list[PartPlan]:
    """The parts of ``data`` (store taken from ``store_copy``, the consistent copy), in restore order."""
    layout = DataLayout(root=data)
    parts = [PartPlan("store", key="", members=[(store_copy, "fazhi.sqlite")])]
    first_fetched = _first_fetched(store_copy)
    for year, paths in sorted(raw_years(store_copy, data / "raw", first_fetched).items()):
        paths.sort(key=lambda p: p.name)
        parts.append(PartPlan(f"raw-{year}", key=_digest(f"{p.name} {p.stat().st_size}" for p in paths),
                              members=[(p, f"raw/{p.parent.name}/{p.name}") for p in paths]))
    # The OCR cache: pages are appended to a file, so its size is in the key (a file that grew goes again).
    for year, paths in sorted(ocr_years(data / "ocr", first_fetched).items()):
        paths.sort(key=lambda p: p.name)
        parts.append(PartPlan(f"ocr-{year}", key=_digest(f"{p.name} {p.stat().st_size}" for p in paths),
                              members=[(p, f"ocr/{p.parent.name}/{p.name}") for p in paths]))
    latest = latest_version(layout.releases)
    if latest:
        folder = layout.releases / latest
        if not (folder / "manifest.json").exists():
            raise StateError(f"{layout.releases / 'LATEST'} names {latest}, but {folder} holds no complete release")
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        parts.append(PartPlan(f"release-{latest}", key=_file_sha256(folder / "manifest.json"),
                              members=[(p, f"releases/{latest}/{p.relative_to(folder).as_posix()}") for p in files]))
    older = [v for v in list_versions(layout.releases) if v != latest]
    if older:
        history = [layout.releases / v / name for v in older for name in (*HISTORY_FILES, f"fazhi-{v}.zip.sha256")]
        history = [p for p in history if p.exists()]
        parts.append(PartPlan("releases", key=_digest(f"{p.parent.name}/{p.name} {_file_sha256(p)}" for p in history),
                              members=[(p, f"releases/{p.parent.name}/{p.name}") for p in history]))
    return parts


class _ChunkWriter(io.RawIOBase):
    """A write-only stream cut into files of at most ``limit`` bytes, each named by its sha256."""

    def __init__(self, folder: Path, part: str, limit: int) -> None:
        super().__init__()
        self.folder, self.part, self.limit = folder, part, limit
        self.chunks: list[tuple[Chunk, Path]] = []
        self._handle: IO[bytes] | None = None
        self._hash = hashlib.sha256()
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        while view:
            if self._handle is None:
                self._handle = (self.folder / f".chunk-{len(self.chunks)}").open("wb")
            take = view[: self.limit - self._size]
            self._handle.write(take)
            self._hash.update(take)
            self._size += len(take)
            view = view[len(take):]
            if self._size == self.limit:
                self._finish_chunk()
        return len(data)

    def _finish_chunk(self) -> None:
        assert self._handle is not None
        self._handle.close()
        sha = self._hash.hexdigest()
        name = f"{PREFIX}{self.part}-{len(self.chunks):03d}-{sha[:16]}.tar.zst"
        path = self.folder / name
        os.replace(self._handle.name, path)
        self.chunks.append((Chunk(name=name, size=self._size, sha256=sha), path))
        self._handle, self._hash, self._size = None, hashlib.sha256(), 0

    def close(self) -> None:
        if self._handle is not None and not self.closed:
            self._finish_chunk()
        super().close()


def _reset_owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_part(plan: PartPlan, folder: Path, limit: int) -> tuple[Part, list[Path]]:
    """The part as a zstd-compressed tar in chunks of at most ``limit`` bytes, in ``folder``."""
    if limit < MIN_PART_LIMIT:
        raise StateError(f"part limit {limit}: must be at least {MIN_PART_LIMIT} bytes")
    writer = _ChunkWriter(folder, plan.name, limit)
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=-1)
    with compressor.stream_writer(cast(IO[bytes], writer), closefd=False) as compressed:
        with tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for path, arcname in plan.members:
                tar.add(path, arcname=arcname, recursive=False, filter=_reset_owner)
    writer.close()
    part = Part(name=plan.name, key=plan.key, files=len(plan.members), bytes=plan.bytes, chunks=[c for c, _ in writer.chunks])
    return part, [p for _, p in writer.chunks]


class _ChunkReader(io.RawIOBase):
    """The chunks of a part, read as one stream."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self._paths = iter(paths)
        self._handle: io.BufferedReader | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._handle is None:
                path = next(self._paths, None)
                if path is None:
                    return 0
                self._handle = path.open("rb")
            count = self._handle.readinto(buffer)
            if count:
                return count
            self._handle.close()
            self._handle = None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        super().close()


def read_part(part: Part, paths: list[Path], target: Path) -> None:
    """Unpack a part's chunks (already checked) into ``target``; tar's data filter refuses
    absolute paths, ``..``, links out of the folder and device files."""
    with _ChunkReader(paths) as chunks, zstandard.ZstdDecompressor().stream_reader(cast(IO[bytes], chunks)) as stream:
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                tar.extractall(target, filter=lambda member, dest: _part_filter(part.name, member, dest))
        except (tarfile.TarError, zstandard.ZstdError, EOFError) as exc:
            raise StateError(f"part {part.name}: cannot be unpacked: {exc}") from exc


def _part_filter(part: str, member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """tar's data filter, and only regular files that a part of this kind may hold."""
    if not member.isfile() or not allowed_member(part, member.name):
        raise tarfile.FilterError(f"{member.name[:200]!r} is not a file a {part} part holds")
    return tarfile.data_filter(member, dest)


# ---------------------------------------------------------------------------------------------
# Save and restore


@dataclass
class PartReport:
    name: str
    files: int
    bytes: int
    compressed: int
    chunks: int
    largest_chunk: int
    action: str  # "uploaded", "reused"
    seconds: float


def validation_line(exc: ValidationError) -> str:
    """pydantic's error on one line: where, and what is wrong (its own message spans lines)."""
    found = [f"{'.'.join(str(x) for x in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors()[:3]]
    return "; ".join(found).replace("\n", " ") + (f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else "")


def _read_manifest(backend: Backend, names: set[str], work: Path) -> Manifest | None:
    if MANIFEST not in names:
        foreign = sorted(n for n in names if n != MANIFEST)
        if foreign:
            raise StateError(f"{backend.describe()} holds {', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''} but no {MANIFEST}: "
                             "not a state that `fazhi state save` wrote; refusing to start from nothing beside it")
        return None
    backend.download(MANIFEST, work / MANIFEST)
    try:
        return Manifest.model_validate_json((work / MANIFEST).read_bytes())
    except ValidationError as exc:
        raise StateError(f"{backend.describe()}: {MANIFEST} is not a state manifest: {validation_line(exc)}") from None


def _local_manifest(data: Path) -> Manifest | None:
    path = data / RESTORED
    if not path.exists():
        return None
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise StateError(f"{path}: not a state manifest: {validation_line(exc)}") from None


def save_state(data: Path, backend: Backend, *, part_limit: int = GITHUB_ASSET_LIMIT, force: bool = False,
               now: datetime | None = None, say: Callable[[str], None] = lambda line: None) -> tuple[Manifest, list[PartReport]]:
    """Save ``data`` to ``backend`` in parts of chunks under ``part_limit`` bytes.

    Refuses (unless ``force``) when the saved state is not the one ``data`` was restored from:
    a night that started empty by mistake, or two nights at once, must not replace a good state."""
    layout = DataLayout(root=data)
    if not layout.store_path.exists():
        raise StateError(f"{layout.store_path}: no store to save")
    with data_lock(data, wait_seconds=60), _work_folder(data) as work:
        names = backend.names()
        previous = _read_manifest(backend, names, work) if names is not None else None
        base = _local_manifest(data)
        if previous is not None and not force and (base is None or base.id != previous.id):
            why = "was not restored from it" if base is None else f"was restored from {base.id} (saved {base.saved:%Y-%m-%d %H:%M})"
            raise StateError(f"{backend.describe()} holds state {previous.id} (saved {previous.saved:%Y-%m-%d %H:%M}) and {data} {why}: "
                             "refusing to replace it (restore first, or --force to replace it anyway)")
        if names is None:
            backend.create()
            names = set()
        store_copy = work / "fazhi.sqlite"
        started = time.perf_counter()
        backup_store(layout.store_path, store_copy)
        check_store_copy(store_copy, layout.store_path)
        say(f"store copied with the backup API and checked in {time.perf_counter() - started:.1f} s")
        reusable = {p.name: p for p in previous.parts} if previous else {}
        parts, reports = [], []
        for plan in plan_parts(data, store_copy):
            started = time.perf_counter()
            old = reusable.get(plan.name)
            if plan.key and old is not None and old.key == plan.key and all(c.name in names for c in old.chunks):
                part, action = old, "reused"
            else:
                part, paths = write_part(plan, work, part_limit)
                for chunk, path in zip(part.chunks, paths):
                    if chunk.name not in names:  # named by content: an object of that name holds these bytes
                        backend.upload(path, chunk.name)
                        names.add(chunk.name)
                    path.unlink()
                action = "uploaded"
            if plan.name == "store":
                store_copy.unlink()
            parts.append(part)
            sizes = [c.size for c in part.chunks]
            reports.append(PartReport(part.name, part.files, part.bytes, sum(sizes), len(sizes), max(sizes), action, time.perf_counter() - started))
            say(f"{part.name}: {part.files} files, {part.bytes / 1e6:.1f} MB → {sum(sizes) / 1e6:.1f} MB in {len(sizes)} chunk(s), {action}")
        manifest = Manifest(id=uuid.uuid4().hex, parent=previous.id if previous else None, saved=now or datetime.now(timezone.utc),
                            latest=latest_version(layout.releases), parts=parts)
        kept = {c.name for p in parts for c in p.chunks}
        listed = backend.names() or set()  # every chunk really there before the manifest names it
        absent = sorted(kept - listed)
        if absent:
            raise StateError(f"{backend.describe()}: {', '.join(absent[:3])} missing after the upload; the saved state is left as it was")
        (work / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        backend.upload(work / MANIFEST, MANIFEST)
        # Only now is the old state unreachable: its chunks that the new one does not share go.
        for name in sorted(deletable(backend, previous, listed) - kept):
            backend.delete(name)
        _write_atomically(data / RESTORED, manifest.model_dump_json(indent=2))
    return manifest, reports


def deletable(backend: Backend, previous: Manifest | None, names: set[str]) -> set[str]:
    """What a save may delete: the previous manifest's own chunks, and, only where the place is
    the project's own (a GitHub release, an S3 prefix), chunks a killed save left (named as this
    program names chunks). At a bucket's root nothing but the manifest's chunks is ever deleted:
    the bucket may hold anyone's objects, `state-archive/…` or `state-of-the-art.pdf`."""
    own = {c.name for p in previous.parts for c in p.chunks} if previous else set()
    if isinstance(backend, S3Bucket) and not backend.prefix:
        return own & names
    return own | {name for name in names if CHUNK_NAME.fullmatch(name)}


@contextmanager
def _work_folder(data: Path) -> Iterator[Path]:
    """A scratch folder inside ``data`` (same file system: chunks and the store copy are large),
    after removing any a killed save or restore left behind."""
    for leftover in data.glob(".state-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".state-", dir=data) as tmp:
        yield Path(tmp)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def restore_state(data: Path, backend: Backend, *, say: Callable[[str], None] = lambda line: None) -> Manifest | None:
    """Bring ``data`` back from ``backend``; None when nothing was saved yet (a first night).

    ``data`` must hold no store, raw bytes or releases: a restore never mixes two states. Every
    part is downloaded, checked and unpacked into a scratch folder inside ``data``, and moved into
    place only when all are there and the store passes SQLite's quick check."""
    layout = DataLayout(root=data)
    present = [p for p in (layout.store_path, data / "raw", data / "ocr", layout.releases) if p.exists()]
    if present:
        raise StateError(f"{data} already holds {', '.join(str(p) for p in present)}: restore only into a fresh data directory")
    names = backend.names()
    if names is None:
        say(f"{backend.describe()}: nothing saved yet; the night starts from an empty data directory")
        return None
    with data_lock(data), _work_folder(data) as work:
        manifest = _read_manifest(backend, names, work)
        if manifest is None:
            say(f"{backend.describe()}: nothing saved yet; the night starts from an empty data directory")
            return None
        staged = work / "data"
        staged.mkdir()
        for part in manifest.parts:
            started = time.perf_counter()
            missing = [c.name for c in part.chunks if c.name not in names]
            if missing:
                raise StateError(f"{backend.describe()}: part {part.name} misses {', '.join(missing)}")
            paths = []
            for chunk in part.chunks:
                path = work / chunk.name  # a plain file name (the manifest's model checks it)
                if path.parent != work:
                    raise StateError(f"{backend.describe()}: chunk name {chunk.name!r} is not a plain file name")
                backend.download(chunk.name, path)
                size, sha = path.stat().st_size, _file_sha256(path)
                if (size, sha) != (chunk.size, chunk.sha256):
                    raise StateError(f"{backend.describe()}: {chunk.name} of part {part.name} is {size} bytes with sha256 {sha}, "
                                     f"the manifest says {chunk.size} bytes with {chunk.sha256}")
                paths.append(path)
            read_part(part, paths, staged)
            for path in paths:
                path.unlink()
            say(f"{part.name}: {part.files} files, {sum(c.size for c in part.chunks) / 1e6:.1f} MB in {len(part.chunks)} chunk(s), "
                f"restored in {time.perf_counter() - started:.1f} s")
        _check_store(staged / "fazhi.sqlite", backend)
        if manifest.latest:
            (staged / "releases").mkdir(exist_ok=True)
            (staged / "releases" / "LATEST").write_text(manifest.latest, encoding="utf-8")
        for name in ("raw", "ocr", "releases", "fazhi.sqlite"):  # the store last: its presence says the restore finished
            if (staged / name).exists():
                os.replace(staged / name, data / name)
        _write_atomically(data / RESTORED, manifest.model_dump_json(indent=2))
    return manifest


def _check_store(path: Path, backend: Backend) -> None:
    if not path.exists():
        raise StateError(f"{backend.describe()}: the saved state has no store (fazhi.sqlite)")
    conn = sqlite3.connect(path)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        conn.close()
    if verdict != "ok":
        raise StateError(f"{backend.describe()}: the restored store fails SQLite's check: {verdict}")


def backend_from(github_release: str | None, s3: str | None, repo: str | None = None, endpoint_url: str | None = None) -> Backend:
    """The back end an operator named on the command line: exactly one of the two."""
    if bool(github_release) == bool(s3):
        raise StateError("name one place for the state: --github-release TAG or --s3 s3://BUCKET/PREFIX")
    if github_release:
        return GitHubRelease(github_release, repo=repo or os.environ.get("GITHUB_REPOSITORY") or None)
    assert s3 is not None
    return S3Bucket(s3, endpoint_url=endpoint_url)


def iter_report_lines(reports: list[PartReport]) -> Iterator[str]:
    """The save as a table: one line per part."""
    yield f"{'part':24} {'files':>8} {'MB':>10} {'MB saved':>10} {'chunks':>6} {'largest MB':>10}  {'':8} {'s':>7}"
    for r in reports:
        yield (f"{r.name:24} {r.files:8d} {r.bytes / 1e6:10.1f} {r.compressed / 1e6:10.1f} {r.chunks:6d} {r.largest_chunk / 1e6:10.1f}  "
               f"{r.action:8} {r.seconds:7.1f}")
