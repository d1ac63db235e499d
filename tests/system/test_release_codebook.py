"""Every release explains itself (issue 26): README.md, CODEBOOK.md, codebook.csv, LICENSE and
CITATION.cff, generated from the declared format and the indicator table, in the folder and the zip."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from dataset.codebook import CODEBOOK_FILES, citation_cff, column_zh
from dataset.indicator_docs import INDICATOR_DOCS
from flows.release.changes import label_changes
from flows.release.verify import verify_release
from parsers.figures.indicators import COLUMN_UNITS, INDICATOR_KEYS, INDICATOR_LABELS
from tests.conftest import DemoNight


@pytest.fixture(scope="module")
def demo(demo_night: DemoNight) -> Path:
    assert demo_night.summary.release is not None
    return Path(demo_night.summary.release.path)


def test_every_indicator_has_its_words_and_every_column_a_chinese_name() -> None:
    assert set(INDICATOR_DOCS) == set(INDICATOR_KEYS)
    assert all(doc.name_en and doc.definition and doc.counts and doc.excludes for doc in INDICATOR_DOCS.values())
    assert column_zh("disputes_mediated_basis", INDICATOR_LABELS) == "调解矛盾纠纷件数：年度值依据"
    assert column_zh("2023_shufa", INDICATOR_LABELS) == "2023年度述法报告状态"
    with pytest.raises(KeyError, match="no Chinese name"):
        column_zh("a_new_column", INDICATOR_LABELS)


def test_the_codebook_covers_every_column_of_the_datapackage(demo: Path) -> None:
    package = json.loads((demo / "datapackage.json").read_text(encoding="utf-8"))
    with (demo / "codebook.csv").open(encoding="utf-8-sig", newline="") as handle:
        book = list(csv.DictReader(handle))
    described = {(r["table"], r["name"]) for r in book if r["entry"] == "column"}
    declared = {(res["path"], f["name"]) for res in package["resources"] if res["format"] == "csv" for f in res["schema"]["fields"]}
    assert declared == described
    assert all(r["name_zh"] for r in book if r["entry"] == "column")
    indicators = {r["name"]: r for r in book if r["entry"] == "indicator"}
    assert set(indicators) == set(INDICATOR_KEYS)
    assert all(r["unit"] == COLUMN_UNITS[k] and r["name_zh"] == INDICATOR_LABELS[k] and "single_mention" in r["description"]
               for k, r in indicators.items())
    assert indicators["party_meetings_on_rule_of_law"]["name_zh"] == "研究法治建设的党委（党组）会议次数"
    assert {r["name"] for r in book if r["entry"] == "status"} == {"on_time", "late", "undated", "found", "unreadable", "not_due", "not_found", "not_searched"}
    assert ("unreadable.csv", "needs") in described  # the reports found but not read (issue 29)
    codebook = (demo / "CODEBOOK.md").read_text(encoding="utf-8")
    assert "china-division 2.7.0" in codebook and "apostrophe" in codebook and "## coverage.csv" in codebook


def test_the_codebook_files_are_in_the_release_its_manifest_and_its_zip(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    assert set(CODEBOOK_FILES) <= set(manifest["files"])
    assert manifest["register"]["version"] == "2.7.0" and manifest["register"]["codes_as_of"] == "2023-06-30"
    assert manifest["indicator_labels"]["party_meetings_on_rule_of_law"] == "研究法治建设的党委（党组）会议次数"
    version = demo.name
    with zipfile.ZipFile(demo / f"fazhi-{version}.zip") as bundle:
        names = set(bundle.namelist())
        assert {f"fazhi-{version}/{name}" for name in CODEBOOK_FILES} <= names
        cff = bundle.read(f"fazhi-{version}/CITATION.cff").decode()
    assert f'version: "{version}"' in cff and f"date-released: {manifest['released_on']}" in cff and "type: dataset" in cff
    readme = (demo / "README.md").read_text(encoding="utf-8")
    assert "dtype=str" in readme and "all_varchar" in readme and "col_character()" in readme
    assert "CC-BY-4.0" in (demo / "LICENSE").read_text(encoding="utf-8")


def test_a_release_without_its_codebook_fails_verify(demo: Path, tmp_path: Path) -> None:
    import shutil

    releases = tmp_path / "releases"
    copy = releases / demo.name
    shutil.copytree(demo, copy)
    assert verify_release(releases, demo.name) == []
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["CODEBOOK.md"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (copy / "CODEBOOK.md").unlink()
    assert any("lists no CODEBOOK.md" in p for p in verify_release(releases, demo.name))


def test_the_citation_names_the_downloads_address_authors_and_date() -> None:
    cff = citation_cff("2026.12.07", "2026-12-07", "https://fazhi.example.org/downloads/")
    assert 'url: "https://fazhi.example.org/downloads/"' in cff and "Fazhi Atlas contributors" in cff and "date-released: 2026-12-07" in cff
    yaml = pytest.importorskip("yaml")
    parsed = yaml.safe_load(io.StringIO(cff))
    assert parsed["cff-version"] == "1.2.0" and parsed["version"] == "2026.12.07" and parsed["authors"][0]["name"]


def test_a_label_corrected_is_a_line_of_the_change_log() -> None:
    before = {"party_meetings_on_rule_of_law": "研究部署法治建设会议次数", "disputes_mediated": "调解矛盾纠纷件数"}
    after = {"party_meetings_on_rule_of_law": "研究法治建设的党委（党组）会议次数", "disputes_mediated": "调解矛盾纠纷件数", "new_key": "新"}
    assert label_changes(before, after) == [
        "- indicator label changed: party_meetings_on_rule_of_law: 研究部署法治建设会议次数 → 研究法治建设的党委（党组）会议次数",
        "- indicator added: new_key (新)"]
    assert label_changes(None, after) == []  # a first release, or a parent cut before labels were recorded


def test_releases_archive_makes_a_monthly_bundle_ready_to_deposit(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from flows.cli import main

    data = tmp_path / "data"
    shutil.copytree(demo, data / "releases" / demo.name)
    (data / "releases" / "LATEST").write_text(demo.name + "\n", encoding="utf-8")
    monkeypatch.setenv("FAZHI_SITE_URL", "https://fazhi.example.org/")
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    month = manifest["released_on"][:7]
    assert main(["releases", "archive", "--data", str(data), "--out", str(tmp_path / "archive")]) == 0
    bundle = tmp_path / "archive" / f"fazhi-atlas-{month}"
    assert str(bundle) in capsys.readouterr().out
    zenodo = json.loads((bundle / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["upload_type"] == "dataset" and zenodo["license"] == "cc-by-4.0" and zenodo["version"] == demo.name
    assert zenodo["publication_date"] == manifest["released_on"] and zenodo["creators"] == [{"name": "Fazhi Atlas contributors"}]
    assert zenodo["related_identifiers"][0]["identifier"] == "https://fazhi.example.org/downloads/"
    assert (bundle / f"fazhi-{demo.name}.zip").read_bytes() == (demo / f"fazhi-{demo.name}.zip").read_bytes()
    assert {"CITATION.cff", "CHANGES.md", "README.md"} <= {p.name for p in bundle.iterdir()}
    # written once; a month without releases, or not a month, is one line and exit 2
    assert main(["releases", "archive", "--month", month, "--data", str(data), "--out", str(tmp_path / "archive")]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["releases", "archive", "--month", "1999-01", "--data", str(data), "--out", str(tmp_path / "archive")]) == 2
    assert "no release of 1999-01" in capsys.readouterr().err
    assert main(["releases", "archive", "--month", "May", "--data", str(data), "--out", str(tmp_path / "archive")]) == 2


def test_the_first_release_after_the_label_fix_says_so_in_its_change_log(tmp_path: Path) -> None:
    """A parent cut before releases recorded their labels: the corrected label is still a line."""
    from flows.release.changes import _parent_labels

    version = tmp_path / "2026.12.01"
    version.mkdir()
    (version / "manifest.json").write_text(json.dumps({"version": "2026.12.01"}), encoding="utf-8")
    before = _parent_labels(tmp_path, "2026.12.01")
    assert before is not None and before["party_meetings_on_rule_of_law"] == "研究部署法治建设会议次数"
    assert label_changes(before, dict(INDICATOR_LABELS)) == [
        "- indicator label changed: party_meetings_on_rule_of_law: 研究部署法治建设会议次数 → 研究法治建设的党委（党组）会议次数"]
