"""The release zip of a night: the bucketed tables' members are the parent zip's compressed bytes
where their buckets did not change, and every member still reads back as the file beside it
(zipfile checks each member's CRC-32; `unzip -t` is a second, independent reader)."""

import json
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from flows import release, store
from flows.records import Night
from flows.release.zipped import FINAL_BLOCK, deflate_segment
from parsers.models import Source
from tests.helpers import NOW, all_seeds, harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]
BUCKETED = ("reports.csv", "observations.csv", "values.csv", "provenance.csv")


def two_nights(tmp_path: Path, spoil_parent: bool = False) -> tuple[Path, Path]:
    """A release of the seeds, then one where 船溪乡's report has a new revision. ``spoil_parent``:
    the first zip no longer matches its .sha256 when the second release is cut."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        first = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW)
        assert first is not None
        if spoil_parent:
            zip_path = Path(first.path) / f"fazhi-{first.version}.zip"
            zip_path.write_bytes(zip_path.read_bytes() + b"\0")
        original = harvested("chuanxi").extraction.original
        store.merge(conn, Night.of(NOW + timedelta(hours=1), [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))]))
        second = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW + timedelta(hours=1))
    assert second is not None
    return Path(first.path), Path(second.path)


def segments(folder: Path) -> dict[str, dict[str, list[object]]]:
    """member → bucket → [bucket, key, offset in the zip, length]."""
    index = json.loads((folder / "buckets.json").read_text(encoding="utf-8"))
    return {name: {b[0]: [b[0], b[1], *s] for b, s in zip(index["tables"][name]["buckets"], entry["segments"], strict=True)}
            for name, entry in index["zip"].items()}


def zip_of(folder: Path) -> Path:
    return folder / f"fazhi-{folder.name}.zip"


def read_members(folder: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_of(folder)) as archive:
        assert archive.testzip() is None  # every member's CRC-32
        return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def test_a_nights_zip_copies_the_unchanged_buckets_and_reads_as_the_files(tmp_path: Path) -> None:
    old, new = two_nights(tmp_path)
    members = read_members(new)
    for name in BUCKETED + ("indicators.csv", "provenance.csv", "CHANGELOG.md", "buckets.json", "texts/2022.jsonl.gz"):
        assert members[name] == (new / name).read_bytes(), name
    before, after = segments(old), segments(new)
    assert set(BUCKETED) <= set(after)
    old_zip, new_zip = zip_of(old).read_bytes(), zip_of(new).read_bytes()
    for name in BUCKETED:
        same = [b for b in after[name] if b in before[name] and after[name][b][1] == before[name][b][1]]
        changed = [b for b in after[name] if b not in same]
        assert same and changed, name  # the seeds fill several buckets; one report changed
        for bucket in same:  # the parent's compressed bytes, as they were
            _, _, at, length = after[name][bucket]
            _, _, was, was_length = before[name][bucket]
            assert new_zip[at:at + length] == old_zip[was:was + was_length]
    if shutil.which("unzip"):
        checked = subprocess.run(["unzip", "-tq", str(zip_of(new))], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert release.verify_release(tmp_path / "releases", new.name) == []


def test_a_parent_zip_that_no_longer_matches_its_hash_is_not_copied_from(tmp_path: Path) -> None:
    """A damaged parent zip lends no bytes: every bucket is compressed from the files written now."""
    old, new = two_nights(tmp_path, spoil_parent=True)
    members = read_members(new)
    for name in BUCKETED:
        assert members[name] == (new / name).read_bytes()
    old_zip, new_zip = zip_of(old).read_bytes(), zip_of(new).read_bytes()
    before = segments(old)
    for name, found in segments(new).items():
        for bucket, (_, key, at, length) in found.items():
            data = new_zip[at:at + length]
            assert data == deflate_segment(_bucket_bytes(new / name, bucket)), (name, bucket)
            if bucket in before[name] and before[name][bucket][1] == key:
                assert data == old_zip[before[name][bucket][2]:before[name][bucket][2] + before[name][bucket][3]]  # same input, same bytes


def _bucket_bytes(path: Path, bucket: str) -> bytes:
    index = json.loads((path.parent / "buckets.json").read_text(encoding="utf-8"))["tables"][path.name]
    chunk = next(c for c in index["buckets"] if c[0] == bucket)
    return path.read_bytes()[chunk[2]:chunk[2] + chunk[3]]


@pytest.mark.parametrize("parts", [[b""], [b"a,b\n" * 3], [b"header\n", b"x" * 70_000, b"", "中文,文字\n".encode() * 500]])
def test_segments_joined_with_a_final_block_are_one_deflate_stream(parts: list[bytes]) -> None:
    import zlib

    stream = b"".join(deflate_segment(p) for p in parts) + FINAL_BLOCK
    assert zlib.decompress(stream, -15) == b"".join(parts)


def test_reused_runs_are_copied_right_without_the_kernels_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where os.copy_file_range is missing or refuses (another system or file system), the runs of
    reused bytes are copied through a buffer: the release reads the same."""
    old, new = two_nights(tmp_path / "kernel")

    def refuse(*args: object) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr("os.copy_file_range", refuse)
    _, by_hand = two_nights(tmp_path / "by-hand")
    for name in BUCKETED + ("indicators.csv",):
        assert (by_hand / name).read_bytes() == (new / name).read_bytes(), name
    assert read_members(by_hand)["observations.csv"] == (by_hand / "observations.csv").read_bytes()


def test_a_nights_parquet_copies_equal_copies_written_whole(tmp_path: Path) -> None:
    """The Parquet copy of a bucketed table is the parent's rows where buckets did not change and
    the new CSV's rows where they did: the same table as one read whole from the CSV."""
    pq = pytest.importorskip("pyarrow.parquet")
    import flows.release.files as files
    from dataset.format import (
        PROVENANCE,
        REPORTS,
        table_files,  # noqa: F401 - the declared tables
    )
    from flows.release.figurepass import _figure_resources
    from flows.release.parquet import write_parquet

    calls: list[str] = []
    whole_writer = files.write_parquet
    files.write_parquet = lambda folder, resource: (calls.append(f"{folder.name}/{resource.path}"), whole_writer(folder, resource))[1]  # type: ignore[assignment]
    try:
        old, new = two_nights(tmp_path)
    finally:
        files.write_parquet = whole_writer  # type: ignore[assignment]
    second = [c for c in calls if c.startswith(f"{new.name}/") or c.startswith(f".tmp-{new.name}")]
    assert any(c.endswith("frame.csv") for c in second)  # written whole, as every unbucketed table
    assert not [c for c in second if c.endswith(("reports.csv", "observations.csv", "values.csv", "indicators.csv", "provenance.csv",
                                                 "townships.csv", "coverage.csv"))], second
    whole = tmp_path / "whole"
    whole.mkdir()
    for resource in (REPORTS, PROVENANCE, *_figure_resources()):
        shutil.copyfile(new / resource.path, whole / resource.path)
        write_parquet(whole, resource)
        night, written_whole = pq.read_table(new / resource.parquet_path), pq.read_table(whole / resource.parquet_path)
        assert night.num_rows > 0 and night.equals(written_whole), resource.path
        assert pq.read_table(old / resource.parquet_path).num_rows > 0
