import csv
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from flows import release, store
from parsers.models import Source
from tests.helpers import NOW, all_seeds, harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]


def cut(tmp_path: Path, items, now=NOW):  # type: ignore[no-untyped-def]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, items, [], now)
        return release.cut_release(conn, tmp_path / "releases", SOURCES, now)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_release_has_every_file_described_and_hashed(tmp_path: Path) -> None:
    info = cut(tmp_path, all_seeds())
    assert info is not None and info.version == "2026.11.22" and info.reports == 5
    folder = tmp_path / "releases" / info.version
    assert (tmp_path / "releases" / "LATEST").read_text().strip() == info.version
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert (folder / resource["path"]).exists()
        if resource["format"] == "csv":
            header = next(csv.reader((folder / resource["path"]).open(encoding="utf-8-sig")))
            assert header == [f["name"] for f in resource["schema"]["fields"]]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"reports.csv", "observations.csv", "values.csv", "indicators.csv", "reports.jsonl", "datapackage.json", "CHANGELOG.md"}
    assert release.verify_release(tmp_path / "releases", info.version) == []
    with zipfile.ZipFile(folder / f"fazhi-{info.version}.zip") as bundle:
        assert f"fazhi-{info.version}/manifest.json" in bundle.namelist()


def test_csv_is_utf8_with_bom_for_excel(tmp_path: Path) -> None:
    info = cut(tmp_path, all_seeds())
    assert info is not None
    raw = (tmp_path / "releases" / info.version / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(tmp_path / "releases" / info.version / "reports.csv")
    assert {r["township"] for r in rows} == {"胡吉尔台乡", "船溪乡", "西湖镇", "西仓镇", "永加乡"}


def test_indicators_csv_is_wide_with_canonical_values(tmp_path: Path) -> None:
    info = cut(tmp_path, all_seeds())
    assert info is not None
    rows = {r["township"]: r for r in read_csv(tmp_path / "releases" / info.version / "indicators.csv")}
    assert rows["船溪乡"]["disputes_mediated"] == "157"
    assert rows["永加乡"]["materials_distributed"] == "20000"
    assert rows["船溪乡"]["year"] == "2022"


def test_nothing_changed_means_no_new_release(tmp_path: Path) -> None:
    assert cut(tmp_path, all_seeds()) is not None
    assert cut(tmp_path, all_seeds(), NOW + timedelta(hours=1)) is None
    assert release.list_versions(tmp_path / "releases") == ["2026.11.22"]


def test_a_revised_report_gives_a_new_release_with_the_change_and_the_old_release_untouched(tmp_path: Path) -> None:
    first = cut(tmp_path, all_seeds())
    assert first is not None
    old_folder = tmp_path / "releases" / first.version
    before = {p.name: p.read_bytes() for p in old_folder.iterdir()}
    original = harvested("chuanxi").extraction.original
    second = cut(tmp_path, [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))], NOW + timedelta(hours=2))
    assert second is not None and second.version == "2026.11.22.1"
    changelog = (tmp_path / "releases" / second.version / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "revised" in changelog and "disputes_mediated: 157 → 160" in changelog
    assert {p.name: p.read_bytes() for p in old_folder.iterdir()} == before
    assert json.loads((tmp_path / "releases" / second.version / "manifest.json").read_text())["parent"] == first.version


def test_verify_catches_a_file_altered_by_one_byte(tmp_path: Path) -> None:
    info = cut(tmp_path, all_seeds())
    assert info is not None
    path = tmp_path / "releases" / info.version / "observations.csv"
    data = bytearray(path.read_bytes())
    data[-2] ^= 1
    path.write_bytes(bytes(data))
    problems = release.verify_release(tmp_path / "releases", info.version)
    assert problems == [f"{path}: sha256 differs from the manifest"]


def test_the_figure_pass_in_a_second_process_writes_the_same_release(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A large store writes its figures in a child process (python -m flows.release figure-pass);
    forced here on the seeds, the files are byte for byte those of the one-process release."""
    one = cut(tmp_path / "one", all_seeds())
    monkeypatch.setattr(release, "PARALLEL_FROM", 1)
    two = cut(tmp_path / "two", all_seeds())
    assert one is not None and two is not None
    for name in ("reports.csv", "reports.jsonl", "observations.csv", "values.csv", "indicators.csv", "CHANGELOG.md", "datapackage.json"):
        assert (tmp_path / "one/releases" / one.version / name).read_bytes() == (tmp_path / "two/releases" / two.version / name).read_bytes(), name
    assert release.read_manifest(tmp_path / "one/releases", one.version)["counts"] == release.read_manifest(tmp_path / "two/releases", two.version)["counts"]
    assert release.verify_release(tmp_path / "two/releases", two.version) == []
    with zipfile.ZipFile(tmp_path / "two/releases" / two.version / f"fazhi-{two.version}.zip") as bundle:
        assert len(bundle.namelist()) == 8 and bundle.testzip() is None


def test_a_failing_figure_pass_fails_the_release_and_leaves_no_release(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    monkeypatch.setattr(release, "PARALLEL_FROM", 1)
    monkeypatch.setattr(release.sys, "executable", "/bin/false")  # the child exits 1 at once
    with pytest.raises(RuntimeError, match="figure pass failed"):
        cut(tmp_path, all_seeds())
    assert release.list_versions(tmp_path / "releases") == [] and release.latest_version(tmp_path / "releases") is None
    assert [p.name for p in (tmp_path / "releases").iterdir()] == []  # no half-written folder either
