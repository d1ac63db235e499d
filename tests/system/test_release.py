import csv
import json
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

from dataset import citation
from flows import release, store
from flows.records import Listing, Night
from flows.release.changes import _downloads_url
from parsers.models import Source
from tests.helpers import NOW, all_seeds, harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]


def cut(tmp_path: Path, items, now=NOW, sources=SOURCES):  # type: ignore[no-untyped-def]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(now, items))
        return release.cut_release(conn, tmp_path / "releases", sources, now)


def read_to_the_end(*source_ids: str) -> list[Listing]:
    """Each source's listing read once to its last page: the sampling frame's first read (a
    complete listing of no link: none of these sources has a stored report to withdraw)."""
    return [Listing(source_id=s, complete=True, url_keys=[], pages=1, reached_end=True) for s in source_ids]


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
        for path in resource["path"] if isinstance(resource["path"], list) else [resource["path"]]:
            assert (folder / path).exists()
        if resource["format"] == "csv":
            header = next(csv.reader((folder / resource["path"]).open(encoding="utf-8-sig")))
            assert header == [f["name"] for f in resource["schema"]["fields"]]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = ("reports", "observations", "values", "indicators", "figures_long", "townships", "sources", "provenance", "frame", "coverage")
    texts = {"texts/2022.jsonl.gz", "texts/2024.jsonl.gz", "texts/2025.jsonl.gz"}  # the years the seeds cover
    codebook = {"README.md", "CODEBOOK.md", "codebook.csv", "LICENSE", "CITATION.cff"}
    assert set(manifest["files"]) == ({f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")} | texts
                                      | {"datapackage.json", "CHANGELOG.md", "buckets.json", "sources_health.csv", "unreadable.csv"} | codebook)
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
    before = {p.relative_to(old_folder): p.read_bytes() for p in old_folder.rglob("*") if p.is_file()}
    original = harvested("chuanxi").extraction.original
    second = cut(tmp_path, [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))], NOW + timedelta(hours=2))
    assert second is not None and second.version == "2026.11.22.1"
    changelog = (tmp_path / "releases" / second.version / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "revised" in changelog and "disputes_mediated: 157 → 160" in changelog
    assert {p.relative_to(old_folder): p.read_bytes() for p in old_folder.rglob("*") if p.is_file()} == before
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
    """A large store writes its figures in a child process (python -m flows.release.figurepass figure-pass);
    forced here on the seeds, the files are byte for byte those of the one-process release
    (townships.csv too, from a source covering 辰溪县's townships)."""
    covering = [Source(id="demo", name="辰溪县人民政府", adcode="431223", listing=["http://demo.gov.cn/list.html"])]
    one = cut(tmp_path / "one", all_seeds(), sources=covering)
    monkeypatch.setattr(release.cut, "PARALLEL_FROM", 1)
    two = cut(tmp_path / "two", all_seeds(), sources=covering)
    assert one is not None and two is not None
    names = [p.relative_to(tmp_path / "one/releases" / one.version).as_posix() for p in (tmp_path / "one/releases" / one.version).rglob("*")
             if p.is_file() and "fazhi-" not in p.name and p.name != "manifest.json"]
    assert len(names) == 33  # 10 tables in CSV and Parquet, 3 years of texts, datapackage, change log, bucket index, 5 codebook files, sources' health, unreadable.csv
    for name in names:
        a, b = (tmp_path / "one/releases" / one.version / name).read_bytes(), (tmp_path / "two/releases" / two.version / name).read_bytes()
        if name == "buckets.json":  # where each segment lies in the zip: the child's files join the zip as they are written, in any order
            a, b = (json.dumps({k: v for k, v in json.loads(x).items() if k != "zip"}).encode() for x in (a, b))
        assert a == b, name
    assert release.read_manifest(tmp_path / "one/releases", one.version)["counts"] == release.read_manifest(tmp_path / "two/releases", two.version)["counts"]
    assert release.verify_release(tmp_path / "two/releases", two.version) == []
    assert len(read_csv(tmp_path / "two/releases" / two.version / "townships.csv")) > 10  # the county's townships, not only the seeds'
    with zipfile.ZipFile(tmp_path / "two/releases" / two.version / f"fazhi-{two.version}.zip") as bundle:
        assert len(bundle.namelist()) == 10 * 2 + 3 + 4 + 5 + 2 and bundle.testzip() is None  # tables in CSV and Parquet, 3 years of texts, datapackage, CHANGELOG, buckets, manifest, codebook, sources_health.csv, unreadable.csv


def test_a_failing_figure_pass_fails_the_release_and_leaves_no_release(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    monkeypatch.setattr(release.cut, "PARALLEL_FROM", 1)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the child exits 1 at once
    with pytest.raises(RuntimeError, match="figure pass failed"):
        cut(tmp_path, all_seeds())
    assert release.list_versions(tmp_path / "releases") == [] and release.latest_version(tmp_path / "releases") is None
    assert [p.name for p in (tmp_path / "releases").iterdir()] == []  # no half-written folder either


def test_a_release_cut_at_two_in_the_morning_in_beijing_carries_beijings_date(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from flows.release.versions import next_version

    at_two_in_beijing = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)
    assert next_version(tmp_path, at_two_in_beijing) == "2026.11.23"
    (tmp_path / "2026.11.23").mkdir()
    assert next_version(tmp_path, at_two_in_beijing) == "2026.11.23.1"
    assert next_version(tmp_path, datetime(2026, 11, 22, 15, 59, tzinfo=timezone.utc)) == "2026.11.22"


def test_a_release_carries_its_citation_line_with_version_beijing_date_and_address(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 16, trust: a citation line per release (version, date, URL), in the manifest and the
    change log, dated in Beijing (a cut at 02:00 there is that day's release)."""
    from datetime import datetime, timezone

    monkeypatch.setenv("FAZHI_SITE_URL", "https://atlas.example.org/fazhi/")
    at_two_in_beijing = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)
    info = cut(tmp_path, all_seeds(), at_two_in_beijing)
    assert info is not None and info.version == "2026.11.23"
    folder = tmp_path / "releases" / info.version
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["released_on"] == "2026-11-23"
    line = manifest["citation"]
    assert "release 2026.11.23 (2026-11-23)" in line and line.startswith("Fazhi Atlas contributors (2026).")
    assert line.endswith("https://atlas.example.org/fazhi/downloads/")
    assert f"Cite as: {line}" in (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    monkeypatch.setenv("FAZHI_SITE_URL", "javascript:alert(1)")  # not an address: no URL in the line
    assert "javascript" not in citation("2026.11.24", "2026-11-24", _downloads_url())


# The township's code as the key, and who has not published (townships.csv).

TWO_XIHU = {
    "xihu_wusu": "乌苏市西湖镇2024年法治建设工作情况报告\n2024年，我镇调解矛盾纠纷12起。\n乌苏市西湖镇人民政府\n2025年3月1日",
    "xihu_other": "江津区西湖镇2024年法治政府建设年度报告\n2024年，我镇调解矛盾纠纷30起。\n西湖镇人民政府\n2025年4月20日",
}


def test_reports_and_indicators_are_keyed_by_the_township_code(tmp_path: Path) -> None:
    items = [harvested(name, text) for name, text in TWO_XIHU.items()]
    codes = {item.extraction.report.place.township_code for item in items}
    assert codes == {"654202108", "500116120"}  # 乌苏市 and 江津区: two townships of one name
    info = cut(tmp_path, items)
    assert info is not None
    folder = tmp_path / "releases" / info.version
    assert {r["township_code"] for r in read_csv(folder / "reports.csv")} == codes
    indicators = read_csv(folder / "indicators.csv")
    assert len(indicators) == 2 and {r["township_code"] for r in indicators} == codes
    assert sorted(r["disputes_mediated"] for r in indicators) == ["12", "30"]


def test_townships_csv_lists_every_township_of_the_covered_counties_with_each_year(tmp_path: Path) -> None:
    from parsers.identity.register import townships_of

    sources = [Source(id="nilka", name="尼勒克县人民政府", adcode="654028", listing=["http://demo.gov.cn/"])]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds(), listings=read_to_the_end("nilka")))
        info = release.cut_release(conn, tmp_path / "releases", sources, NOW)
    assert info is not None
    rows = {r["township_code"]: r for r in read_csv(tmp_path / "releases" / info.version / "townships.csv")}
    nilka = {t.code for t in townships_of("654028")}
    assert nilka <= set(rows) and len(nilka) > 5
    hujiertai = next(r for r in rows.values() if r["township"] == "胡吉尔台乡")
    # Its 述法 report on 2024 is found (no deadline applies to 述法 reports); every other year is not found.
    assert hujiertai["2024_shufa"] == "found" and hujiertai["2023"] == "not_found" and hujiertai["2025"] == "not_found"
    yongjia = next(r for r in rows.values() if r["township"] == "永加乡")  # outside the covered county, but it published
    assert yongjia["2024"] == "undated" and yongjia["county"] == "双辽市"  # its text is only signed (落款): no publication date
    others = [r for code, r in rows.items() if code in nilka and r["township"] != "胡吉尔台乡"]
    assert all(r["2024"] == "not_found" for r in others)
    assert list(rows.values())[0].keys() >= {"2019", "2025", "2019_shufa", "prefecture", "province"}


def test_the_demo_release_lists_every_township_of_the_demo_county_portals(tmp_path: Path) -> None:
    from flows.harvest.registry import parse_sources
    from parsers.identity.register import townships_of

    text = (Path(release.__file__).parents[1] / "demo" / "sources.yaml").read_text(encoding="utf-8")
    for name in ("nilka", "chenxi", "region"):
        text = text.replace("{" + name + "}", "http://127.0.0.1:1")
    sources = parse_sources(text)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds(), listings=read_to_the_end("nilka", "chenxi")))
        info = release.cut_release(conn, tmp_path / "releases", sources, NOW)
    assert info is not None
    rows = {r["township_code"]: r for r in read_csv(tmp_path / "releases" / info.version / "townships.csv")}
    for county in ("654028", "431223"):  # 尼勒克县, 辰溪县
        codes = {t.code for t in townships_of(county)}
        assert codes <= set(rows)
        assert sum(rows[c]["2023"] == "not_found" for c in codes) == len(codes)
    chuanxi = next(r for r in rows.values() if r["township"] == "船溪乡")
    assert chuanxi["2022"] == "on_time" and chuanxi["2021"] == "not_found"
    # the counties the demo's region portal publishes for, but no source covers: nothing searched there
    for county in ("220382", "623026", "654202"):  # 双辽市, 碌曲县, 乌苏市
        assert {r["2023"] for code, r in rows.items() if code.startswith(county)} == {"not_searched"}


def test_an_annual_report_and_a_shufa_report_of_one_township_and_year_are_two_rows_never_mixed(tmp_path: Path) -> None:
    """indicators.csv: one row per township, year and kind, every cell from the row's own report.
    The 述法 report states a figure the annual report lacks (法律明白人); it never fills the annual row."""
    annual = "乌苏市西湖镇2024年法治政府建设年度报告\n2024年，我镇调解矛盾纠纷30起。\n西湖镇人民政府\n2025年3月1日"
    shufa = "乌苏市西湖镇党委书记王某2024年度述法报告\n2024年，全镇调解矛盾纠纷12起，培育“法律明白人”40名。\n2025年1月20日"
    items = [harvested("xihu_annual", annual), harvested("xihu_shufa", shufa)]
    assert {item.extraction.report.kind for item in items} == {"government_annual_report", "shufa"}
    info = cut(tmp_path, items)
    assert info is not None
    rows = {r["kind"]: r for r in read_csv(tmp_path / "releases" / info.version / "indicators.csv")}
    ids = {item.extraction.report.kind: store.report_id("demo", item.url_key) for item in items}
    assert set(rows) == {"government_annual_report", "shufa"}
    assert {r["township_code"] for r in rows.values()} == {"654202108"} and {r["year"] for r in rows.values()} == {"2024"}
    assert (rows["government_annual_report"]["report_id"], rows["government_annual_report"]["disputes_mediated"]) == (ids["government_annual_report"], "30")
    assert rows["government_annual_report"]["legal_literate_persons_trained"] == ""  # not filled from the 述法 report
    assert (rows["shufa"]["report_id"], rows["shufa"]["disputes_mediated"], rows["shufa"]["legal_literate_persons_trained"]) == (ids["shufa"], "12", "40")


def test_unclassified_counts_are_observations_but_never_values_or_indicator_columns(tmp_path: Path) -> None:
    """A count no indicator takes (the seeds have several: "选出人民陪审员3人") is in observations.csv
    under indicator "unclassified", with its clause, never counted: not in values.csv, no column of
    indicators.csv, and the datapackage's enum of observations.csv allows it."""
    info = cut(tmp_path, all_seeds())
    assert info is not None
    folder = tmp_path / "releases" / info.version
    queued = [r for r in read_csv(folder / "observations.csv") if r["indicator"] == "unclassified"]
    assert queued and all(r["canonical"] == "false" and r["quote"] for r in queued)
    assert any(r["quote"] == "选出人民陪审员3人" and r["value"] == "3" for r in queued)
    assert all(r["indicator"] != "unclassified" for r in read_csv(folder / "values.csv"))
    assert not any("unclassified" in column for column in read_csv(folder / "indicators.csv")[0])
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    fields = {r["name"]: r for r in package["resources"]}["observations"]["schema"]["fields"]
    assert "unclassified" in next(f for f in fields if f["name"] == "indicator")["constraints"]["enum"]
    assert release.verify_release(tmp_path / "releases", info.version) == []



def test_the_sites_text_pages_mark_no_unclassified_count(tmp_path: Path) -> None:
    """The archive page marks a report's figures in its text (counted, and other mentions); a count no
    indicator takes is kept in observations.csv for reviewers but is no figure of the site."""
    from sitegen.render.archive import mentions_of

    info = cut(tmp_path, all_seeds())
    assert info is not None
    folder = tmp_path / "releases" / info.version
    observations, values = read_csv(folder / "observations.csv"), read_csv(folder / "values.csv")
    report = next(r["report_id"] for r in observations if r["quote"] == "选出人民陪审员3人")
    counted, others = mentions_of(report, observations, values)
    assert counted and all(o["indicator"] != "unclassified" for o in others)
    assert any(o["indicator"] == "unclassified" for o in observations if o["report_id"] == report)
