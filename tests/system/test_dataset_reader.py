"""A release read through dataset.reader: the manifest as a model, rows typed by the release's own
declaration, and a damaged file named with what is wrong (issue 30: typed readers of a release)."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from dataset.reader import Manifest, declared_tables, read_manifest, read_table
from flows import release, store
from flows.records import Night
from parsers.models import Source
from tests.helpers import NOW, all_seeds

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"], covers=["431223"])]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reader")
    with store.open_store(root / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        info = release.cut_release(conn, root / "releases", SOURCES, NOW)
    assert info is not None
    return Path(info.path)


def test_the_manifest_reads_as_a_model_with_every_file_hashed(folder: Path) -> None:
    manifest = read_manifest(folder)
    assert isinstance(manifest, Manifest) and manifest.version == folder.name
    assert manifest.count("reports") == len(list(read_table(folder, "reports"))) == 5
    assert "reports.csv" in manifest.files and len(manifest.files["reports.csv"].sha256) == 64
    assert manifest.release_date == manifest.version.replace(".", "-")[:10]


def test_rows_are_typed_by_the_releases_declaration(folder: Path) -> None:
    reports = list(read_table(folder, "reports"))
    assert {type(r["year"]) for r in reports} == {int}
    assert all(r["published_on"] is None or isinstance(r["published_on"], date) for r in reports)
    assert any(isinstance(r["published_on"], date) for r in reports)
    assert all(r["on_time"] in (None, True, False) for r in reports)
    values = list(read_table(folder, "values"))
    assert values and {type(v["value"]) for v in values} == {float}
    long = list(read_table(folder, "figures_long"))
    assert long and all(isinstance(row["flags"], list) for row in long)  # a JSON array column, as a list
    # the same numbers as a plain CSV read gives, as numbers
    with (folder / "values.csv").open(encoding="utf-8-sig", newline="") as handle:
        plain = [float(row["value"]) for row in csv.DictReader(handle)]
    assert [v["value"] for v in values] == plain


def test_every_declared_table_reads(folder: Path) -> None:
    tables = declared_tables(folder)
    assert {"reports", "values", "indicators", "coverage", "frame", "sources"} <= set(tables)
    for name in tables:
        for row in read_table(folder, name):
            assert set(row) == {c.name for c in tables[name].columns}


def test_a_damaged_manifest_is_named_with_what_is_wrong(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["reports.csv"]["sha256"] = "not a hash"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValueError, match=r"manifest.json: files.reports.csv.sha256: String should match pattern"):
        read_manifest(copy)
    (copy / "manifest.json").write_text('{"version": ', encoding="utf-8")
    with pytest.raises(ValueError, match="manifest.json: not JSON"):
        read_manifest(copy)


def test_a_bad_cell_is_named_by_file_and_line(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    lines = (copy / "reports.csv").read_text(encoding="utf-8-sig").splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[2]]))
    row[header.index("year")] = "二〇二三"
    lines[2] = ",".join(f'"{cell}"' for cell in row)
    (copy / "reports.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reports.csv, line 3: invalid literal"):
        list(read_table(copy, "reports"))
    with pytest.raises(ValueError, match="no table 'nonesuch'"):
        read_table(copy, "nonesuch")
