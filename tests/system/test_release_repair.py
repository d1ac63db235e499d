"""A damaged latest release repaired by the next night, and a parent trusted only byte for byte
(issue 31, items 7 and 8): LATEST garbled, the latest folder deleted, buckets.json's offsets
shifted, a parent file edited in place, a parent zip altered with its .sha256 rewritten. The
next night releases (from the store where it must), and `fazhi verify` names what is wrong."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows import release, store
from flows.cli import main
from flows.records import Night
from parsers.models import Source
from tests.conftest import SEED_NAMES
from tests.helpers import NOW, harvested

SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])
NAMES = list(SEED_NAMES)
SECOND, THIRD = NOW + timedelta(days=1), NOW + timedelta(days=2)


def _night(conn: sqlite3.Connection, names: list[str], when) -> None:  # type: ignore[no-untyped-def]
    store.merge(conn, Night.of(when, [harvested(n).model_copy(update={"fetched_at": when}) for n in names], []))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two releases: three seeds, then a fourth. Each test damages the second, then a third night runs."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        _night(conn, NAMES[:3], NOW)
        assert release.cut_release(conn, tmp_path / "releases", [SOURCE], NOW)
        _night(conn, NAMES[3:4], SECOND)
        assert release.cut_release(conn, tmp_path / "releases", [SOURCE], SECOND)
    return tmp_path


def _third_night(data: Path, *, new: bool = True):  # type: ignore[no-untyped-def]
    with store.open_store(data / "fazhi.sqlite") as conn:
        if new:
            _night(conn, NAMES[4:5], THIRD)
        return release.cut_release(conn, data / "releases", [SOURCE], THIRD)


def _from_scratch(data: Path, tmp_path: Path, name: str) -> bytes:
    """The file as a release written whole from the same store would hold it."""
    with store.open_store(data / "fazhi.sqlite") as conn:
        fresh = release.cut_release(conn, tmp_path / "scratch", [SOURCE], THIRD)
    assert fresh is not None
    return (Path(fresh.path) / name).read_bytes()


def _sound(releases: Path, version: str) -> None:
    assert release.verify_release(releases, version) == []
    folder = releases / version
    with zipfile.ZipFile(folder / f"fazhi-{version}.zip") as bundle:
        assert bundle.testzip() is None
    for table in ("reports", "values"):
        assert pq.read_table(folder / f"{table}.parquet").num_rows == sum(1 for _ in release.changes._read_csv(folder / f"{table}.csv"))


@pytest.mark.parametrize("garbled", ["../../../../etc", "\x00\x01 not a version", "2099.01.01"])
def test_a_garbled_latest_is_repaired_by_the_next_night(data: Path, garbled: str) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    (releases / "LATEST").write_text(garbled, encoding="utf-8")
    cut = _third_night(data)
    assert cut is not None and cut.repairs and "LATEST" in cut.repairs[0] and "cut again from the store" in cut.repairs[0]
    assert release.latest_version(releases) == cut.version
    assert release.read_manifest(releases, cut.version)["parent"] == second
    _sound(releases, cut.version)


def test_a_garbled_latest_with_nothing_new_points_back_at_the_newest_sound_release(data: Path) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    (releases / "LATEST").write_bytes(b"\xff\xfe garbage")
    cut = _third_night(data, new=False)
    assert cut is not None and cut.version == second and cut.repairs
    assert release.latest_version(releases) == second


def test_a_deleted_latest_release_is_repaired_from_the_store(data: Path, tmp_path: Path) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    first = [v for v in release.list_versions(releases) if v != second][0]
    shutil.rmtree(releases / second)
    cut = _third_night(data)
    assert cut is not None and any(f"{second}" in r and "holds no release" in r for r in cut.repairs)
    assert release.read_manifest(releases, cut.version)["parent"] == first
    _sound(releases, cut.version)
    assert (Path(cut.path) / "reports.csv").read_bytes() == _from_scratch(data, tmp_path, "reports.csv")


def test_shifted_bucket_offsets_are_not_trusted(data: Path, tmp_path: Path) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    path = releases / second / "buckets.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    chunks = index["tables"]["reports.csv"]["buckets"]
    assert len(chunks) >= 2
    chunks[0][3] -= 7  # contiguous still, and adding up to the file's size: the offsets alone look sound
    chunks[1][2] -= 7
    chunks[1][3] += 7
    path.write_text(json.dumps(index), encoding="utf-8")
    cut = _third_night(data)
    assert cut is not None
    _sound(releases, cut.version)
    assert (Path(cut.path) / "reports.csv").read_bytes() == _from_scratch(data, tmp_path, "reports.csv")
    assert any("buckets.json: sha256 differs" in p for p in release.verify_release(releases, second))


def test_a_parent_file_edited_in_place_is_not_copied_into_the_next_release(data: Path, tmp_path: Path) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    values = releases / second / "values.csv"
    body = values.read_bytes()
    digits = next(i for i in range(len(body) - 1) if body[i:i + 1].isdigit() and body[i + 1:i + 2].isdigit() and body[i] != body[i + 1])
    values.write_bytes(body[:digits] + body[digits + 1:digits + 2] + body[digits:digits + 1] + body[digits + 2:])  # 90 → 09, same size
    cut = _third_night(data)
    assert cut is not None
    _sound(releases, cut.version)
    assert (Path(cut.path) / "values.csv").read_bytes() == _from_scratch(data, tmp_path, "values.csv")
    assert f"{values}: sha256 differs from the manifest" in release.verify_release(releases, second)


def test_a_parent_zip_altered_with_its_sha256_rewritten_lends_nothing(data: Path) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    bundle = releases / second / f"fazhi-{second}.zip"
    with zipfile.ZipFile(bundle) as z:
        member = max(z.infolist(), key=lambda m: m.compress_size)
    body = bytearray(bundle.read_bytes())
    middle = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra) + member.compress_size // 2
    body[middle] ^= 0xFF
    bundle.write_bytes(bytes(body))
    (bundle.parent / f"{bundle.name}.sha256").write_text(f"{release.zipped.sha256_of(bundle)}  {bundle.name}\n", encoding="utf-8")
    assert any("fails its CRC check" in p for p in release.verify_release(releases, second))
    cut = _third_night(data)
    assert cut is not None
    _sound(releases, cut.version)


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_verify_fails_a_zip_that_is_not_a_regular_file(data: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    releases = data / "releases"
    second = release.latest_version(releases)
    bundle = releases / second / f"fazhi-{second}.zip"
    bundle.unlink()
    if kind == "directory":
        bundle.mkdir()
    else:
        os.mkfifo(bundle)
    assert main(["verify", "--data", str(data)]) == 2
    out = capsys.readouterr()
    assert f"{bundle}: not a regular file" in out.out + out.err


def test_the_sites_downloads_are_not_hard_links_to_the_release(data: Path, tmp_path: Path) -> None:
    from sitegen.build import publish_downloads

    releases = data / "releases"
    version = release.latest_version(releases)
    site = tmp_path / "public"
    publish_downloads(releases, version, site)
    assert not (site / "downloads" / version / "reports.csv").exists()  # the release's tables are in the zip, not republished
    for name in ("manifest.json", f"fazhi-{version}.zip"):
        published, kept = site / "downloads" / version / name, releases / version / name
        assert published.read_bytes() == kept.read_bytes()
        assert published.stat().st_ino != kept.stat().st_ino
        with published.open("r+b") as handle:  # an edit where the site is served
            handle.write(b"edited")
    assert release.verify_release(releases, version) == []
