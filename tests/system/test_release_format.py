"""The release format (dataset.format) as an analyst's tools see it: a strict schema that
rejects wrong rows, typed Parquet copies, sources and provenance that resolve, texts by year that
a night rewrites only where they changed."""

import csv
import gzip
import json
import os
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dataset.format import REPORTS, TABLES, VALUES, pandas_dtypes
from flows import release, store
from flows.records import Night
from flows.release import cut, figurepass
from flows.release import files as release_files
from parsers.models import Source
from tests.conftest import DemoNight
from tests.helpers import NOW, all_seeds, harvested

frictionless = pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def demo_release(demo_night: DemoNight) -> Path:
    """The demo's release, as `fazhi nightly --demo` cuts it (the shared demo night's; read only:
    the tests that break it work on a copy)."""
    assert demo_night.summary.release is not None
    return Path(demo_night.summary.release.path)


def copy_of(release_folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / release_folder.name
    shutil.copytree(release_folder, target)
    return target


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def rewrite(path: Path, change: Callable[[dict[str, str]], None]) -> None:
    """Change the first row of a release CSV, as a careless edit or a buggy writer would."""
    header, rows = rows_of(path)
    first = dict(zip(header, rows[0]))
    change(first)
    rows[0] = [first[name] for name in header]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def problems(folder: Path) -> list[tuple[str, str, str]]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    return [(task.name, error.type, error.note) for task in report.tasks for error in task.errors]


def test_the_demo_release_passes_frictionless_validate(demo_release: Path) -> None:
    assert problems(demo_release) == []
    package = json.loads((demo_release / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    assert by_name["values"]["schema"]["primaryKey"] == ["report_id", "indicator"]
    assert {k["reference"]["resource"] for k in by_name["reports"]["schema"]["foreignKeys"]} == {"sources", "townships"}
    assert all(s["name"] for s in package["sources"])  # the source_id of reports.csv


@pytest.mark.parametrize(("table", "column", "bad", "error"), [
    ("values.csv", "report_id", "ffffffffffffffff", "foreign-key"),  # a value of no report
    ("values.csv", "value", "-5", "constraint-error"),
    ("values.csv", "qualifier", "whatever", "constraint-error"),
    ("reports.csv", "adcode", "ABC", "constraint-error"),
    ("observations.csv", "report_id", "0123456789abcdef", "foreign-key"),
    ("reports.csv", "source_id", "nowhere", "foreign-key"),
    ("reports.csv", "township_code", "999999999", "foreign-key"),  # a code the register (townships.csv) does not have
])
def test_a_wrong_cell_fails_frictionless_validate(demo_release: Path, tmp_path: Path, table: str, column: str, bad: str, error: str) -> None:
    folder = copy_of(demo_release, tmp_path)
    rewrite(folder / table, lambda row: row.__setitem__(column, bad))
    found = problems(folder)
    assert any(name == table.removesuffix(".csv") and kind == error for name, kind, _ in found), found


def test_pandas_reads_codes_as_strings_with_the_declared_types(demo_release: Path) -> None:
    pandas = pytest.importorskip("pandas")
    # The README's line: pd.read_csv(path, dtype=pandas_dtypes(REPORTS)); or read the Parquet copy.
    reports = pandas.read_csv(demo_release / "reports.csv", dtype=pandas_dtypes(REPORTS))
    assert str(reports["adcode"].dtype) == "string" and "431223" in set(reports["adcode"].dropna())
    assert str(reports["township_code"].dtype) == "string" and "431223200" in set(reports["township_code"].dropna())
    parquet = pandas.read_parquet(demo_release / "reports.parquet")
    assert list(parquet["adcode"].dropna()) == list(reports["adcode"].dropna())
    values = pandas.read_parquet(demo_release / "values.parquet")
    assert values["value"].dtype == "float64" and (values["value"] >= 0).all()


def test_every_table_has_a_typed_parquet_copy_with_the_true_text(demo_release: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow.parquet")
    for resource in TABLES:
        table = pyarrow.read_table(demo_release / resource.parquet_path)
        header, rows = rows_of(demo_release / resource.path)
        assert table.column_names == header and table.num_rows == len(rows), resource.name
        assert pyarrow.ParquetFile(demo_release / resource.parquet_path).metadata.row_group(0).column(0).compression == "ZSTD"
    types = {f.name: str(f.type) for f in pyarrow.read_table(demo_release / "reports.parquet").schema}
    assert (types["adcode"], types["year"], types["published_on"], types["on_time"]) == ("string", "int64", "date32[day]", "bool")


def test_sources_and_provenance_resolve_every_report(demo_release: Path) -> None:
    _, reports = rows_of(demo_release / "reports.csv")
    header, sources = rows_of(demo_release / "sources.csv")
    assert {r[REPORTS.header.index("source_id")] for r in reports} <= {s[0] for s in sources}
    prov_header, provenance = rows_of(demo_release / "provenance.csv")
    prov = [dict(zip(prov_header, row)) for row in provenance]
    assert {p["report_id"] for p in prov if p["current"] == "true"} == {r[0] for r in reports}
    # 西湖镇's report is a .docx linked from a stub page: its URL, type and hash, and the page's own hash.
    docx = [p for p in prov if p["attachment_url"].endswith(".docx")]
    assert len(docx) == 1 and "wordprocessingml" in docx[0]["content_type"]
    assert len(docx[0]["attachment_sha256"]) == 64 and len(docx[0]["page_sha256"]) == 64 and docx[0]["page_sha256"] != docx[0]["attachment_sha256"]
    assert all(p["fetched_at"] and p["first_seen"] and p["last_checked"] and p["extractor_version"] for p in prov)


def test_quotes_point_into_the_texts_of_their_year(demo_release: Path) -> None:
    texts = {}
    for path in (demo_release / "texts").glob("*.jsonl.gz"):
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
            record = json.loads(line)
            assert path.name == f"{record['report']['year'] or 'unknown'}.jsonl.gz"
            texts[record["report_id"]] = record["text"]
    header, values = rows_of(demo_release / "values.csv")
    assert values
    for row in (dict(zip(header, v)) for v in values):
        if row["basis"] != "sum_of_parts":
            assert texts[row["report_id"]][int(row["quote_start"]):int(row["quote_end"])] == row["quote"].lstrip("'")


SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]


def test_a_night_rewrites_only_the_texts_that_changed(tmp_path: Path) -> None:
    """A year whose reports did not change is the parent's file, hard-linked; in a changed year
    only the changed reports' bucket is compressed anew; the files read the same as written whole."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        first = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW)
        original = harvested("chuanxi").extraction.original  # 船溪乡, 2022
        store.merge(conn, Night.of(NOW + timedelta(hours=1), [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))]))
        second = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW + timedelta(hours=1))
    assert first is not None and second is not None
    old, new = Path(first.path), Path(second.path)
    manifest = release.read_manifest(tmp_path / "releases", second.version)
    for name in ("texts/2024.jsonl.gz", "texts/2025.jsonl.gz"):
        assert os.stat(old / name).st_ino == os.stat(new / name).st_ino, name  # the same file
        assert manifest["files"][name] == release.read_manifest(tmp_path / "releases", first.version)["files"][name]
    assert os.stat(old / "texts/2022.jsonl.gz").st_ino != os.stat(new / "texts/2022.jsonl.gz").st_ino
    records = [json.loads(line) for line in gzip.decompress((new / "texts/2022.jsonl.gz").read_bytes()).decode("utf-8").splitlines()]
    chuanxi = next(r for r in records if r["report"]["place"]["township"] == "船溪乡")
    assert chuanxi["revision"] == 2 and "160起" in chuanxi["text"]
    assert release.verify_release(tmp_path / "releases", second.version) == []
    # The same state written from scratch (no parent) reads the same.
    (tmp_path / "fresh" / "texts").mkdir(parents=True)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        fresh = release_files.write_texts(conn, tmp_path / "fresh", None)
    assert set(fresh) == {"texts/2022.jsonl.gz", "texts/2024.jsonl.gz", "texts/2025.jsonl.gz"}
    for name in fresh:
        assert gzip.decompress((tmp_path / "fresh" / name).read_bytes()) == gzip.decompress((new / name).read_bytes()), name
    # The figure tables too: written bucket by bucket from the parent, byte for byte what a release written whole has.
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        counts = figurepass._figure_pass(conn, tmp_path / "fresh", None)
        cut._report_pass(conn, tmp_path / "fresh", SOURCES, None, lambda *args, **kwargs: None)
    for name in ("reports.csv", "observations.csv", "values.csv", "indicators.csv", "provenance.csv"):
        assert (tmp_path / "fresh" / name).read_bytes() == (new / name).read_bytes(), name
    index = json.loads((new / "buckets.json").read_text(encoding="utf-8"))["tables"]["observations.csv"]
    assert counts["observation_rows"] == sum(c[4] for c in index["buckets"]) == manifest["counts"]["observation_rows"]
    # the reviewers' queue, counted per bucket (reused buckets keep their tally): the same as a release written whole
    assert counts["unclassified"] == sum(index["tally"].values()) == manifest["counts"]["unclassified"]
    assert counts["observations"] == manifest["counts"]["observations"] == counts["observation_rows"] - counts["unclassified"]


def test_verify_names_a_declared_file_missing_from_the_manifest_and_a_text_altered(tmp_path: Path) -> None:
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        info = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW)
    assert info is not None
    folder = Path(info.path)
    texts = folder / "texts" / "2024.jsonl.gz"
    texts.write_bytes(texts.read_bytes() + gzip.compress(b'{"report_id": "forged"}\n'))
    assert release.verify_release(tmp_path / "releases", info.version) == [f"{texts}: sha256 differs from the manifest"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["values.parquet"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    found = release.verify_release(tmp_path / "releases", info.version)
    assert f"{folder / 'manifest.json'}: lists no values.parquet, a file of every release" in found
    assert f"{folder / 'values.parquet'}: not listed in the manifest" in found
    # texts/ replaced by a link to a copy elsewhere: its files match, but they are not the release's.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(folder / "texts", elsewhere)
    shutil.rmtree(folder / "texts")
    (folder / "texts").symlink_to(elsewhere)
    assert release.verify_release(tmp_path / "releases", info.version) == [f"{folder / 'texts'}: a symbolic link, not a folder of this release"]


def test_the_values_table_is_declared_once(demo_release: Path) -> None:
    """The CSV header, the datapackage fields and the Parquet columns are the declaration's."""
    package = json.loads((demo_release / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in package["resources"] if r["name"] == "values")["schema"]["fields"]
    assert [f["name"] for f in fields] == VALUES.header == rows_of(demo_release / "values.csv")[0]
    assert next(f for f in fields if f["name"] == "qualifier")["constraints"]["enum"] == ["exact", "at_least", "approx"]


def test_a_report_from_a_source_no_longer_in_the_registry_still_resolves(tmp_path: Path) -> None:
    registry = [Source(id="county", name="某县人民政府", adcode="431223", listing=["http://county.gov.cn/list.html"])]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))  # every seed comes from the source "demo", now gone from the registry
        info = release.cut_release(conn, tmp_path / "releases", registry, NOW)
    assert info is not None
    header, rows = rows_of(Path(info.path) / "sources.csv")
    sources = {row[0]: dict(zip(header, row)) for row in rows}
    assert set(sources) == {"county", "demo"}
    assert (sources["county"]["in_registry"], sources["county"]["province"], sources["county"]["covers"]) == ("true", "湖南省", "431223")
    assert sources["demo"]["in_registry"] == "false"
    assert problems(Path(info.path)) == []  # reports → sources resolves


def test_a_failing_parquet_copy_fails_the_release_and_leaves_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(folder: Path, resource: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(release_files, "write_parquet", broken)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        with pytest.raises(OSError, match="No space left"):
            release.cut_release(conn, tmp_path / "releases", SOURCES, NOW)
    assert release.latest_version(tmp_path / "releases") is None and list((tmp_path / "releases").iterdir()) == []


def test_a_parent_whose_files_do_not_fit_its_bucket_index_is_not_reused(tmp_path: Path) -> None:
    """A parent's file replaced after it was cut (or an index from elsewhere): its bytes are not
    copied into the next release, which is written whole and reads as the store says."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        first = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW)
        assert first is not None
        values = Path(first.path) / "values.csv"
        header, first_row, rest = values.read_bytes().split(b"\r\n", 2)
        values.write_bytes(header + b"\r\n" + rest)  # one row fewer: every later bucket has moved
        store.merge(conn, Night.of(NOW + timedelta(hours=1), [harvested("chuanxi", harvested("chuanxi").extraction.original.replace("矛盾糾紛157起", "矛盾糾紛160起"))]))
        second = release.cut_release(conn, tmp_path / "releases", SOURCES, NOW + timedelta(hours=1))
        assert second is not None
        (tmp_path / "fresh" / "texts").mkdir(parents=True)
        figurepass._figure_pass(conn, tmp_path / "fresh", None)
    assert (Path(second.path) / "values.csv").read_bytes() == (tmp_path / "fresh" / "values.csv").read_bytes()
    assert first_row in (Path(second.path) / "values.csv").read_bytes()


def test_indicator_buckets_follow_a_report_that_moves_to_another_county() -> None:
    """indicators.csv is rewritten by buckets of township codes: a report re-identified into another
    county changes the key of the bucket it left and of the one it joined, and no other."""
    def row(rid: str, code: str | None, year: int = 2024) -> tuple[object, ...]:
        return (rid, "annual_report", "active", year, "某镇", "某县", "某省", code[:6] if code else None, code)

    light = [row("a1", "431223100"), row("b2", "431223101"), row("c3", "110101001"), row("d4", None)]
    states = {r[0]: "\t".join(map(str, (*r, 1, "x"))) for r in light}  # type: ignore[index]
    before = figurepass._indicator_buckets(light, states)  # type: ignore[arg-type]
    assert list(before) == ["11010100", "43122310", "~"] and before["43122310"][1] == ["a1", "b2"]
    moved = [row("a1", "110101002"), *light[1:]]
    after = figurepass._indicator_buckets(moved, {**states, "a1": "\t".join(map(str, (*moved[0], 1, "x")))})  # type: ignore[arg-type]
    assert {b for b in after if before.get(b, ("",))[0] != after[b][0]} | {b for b in before if b not in after} == {"11010100", "43122310"}
    assert after["11010100"][1] == ["a1", "c3"] and after["~"] == before["~"]


def test_the_figure_pass_keys_its_buckets_as_the_report_pass_does(tmp_path: Path) -> None:
    """The figure pass keys the tables' buckets from the places it reads (one query less); the
    keys are those of store.current_text_keys, so a night reuses the same buckets either way."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        from_places = [(r[0], r[11], r[3], r[12], r[10], r[13], r[2]) for r in store.current_report_places(conn)]
        assert release_files._report_keys(conn, from_places) == release_files._report_keys(conn)
        assert len(from_places) == 5
