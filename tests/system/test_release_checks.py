"""Each bad row, injected alone into a copy of the demo release (its manifest re-hashed, so the
files "match"), fails `frictionless validate` (the schema) or `fazhi verify` (the checks across
tables): issue 26, point 7."""

import csv
import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.cli import main
from tests.conftest import DemoNight

Row = dict[str, str]


@pytest.fixture(scope="module")
def demo(demo_night: DemoNight) -> Path:
    assert demo_night.summary.release is not None
    return Path(demo_night.summary.release.path)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data" / "releases" / demo.name
    shutil.copytree(demo, target)
    return target


def rehash(folder: Path, name: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for zipped in (folder / f"fazhi-{folder.name}.zip", folder / f"fazhi-{folder.name}.zip.sha256"):
        zipped.unlink(missing_ok=True)  # the zip holds the old file: left out of this check


def inject(folder: Path, name: str, change: Callable[[list[Row]], None]) -> None:
    """Rewrite a table of the release with ``change`` applied to its rows, and re-hash it."""
    path = folder / name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    change(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    rehash(folder, name)


def verify(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["verify", folder.name, "--data", str(folder.parent.parent)])
    err = capsys.readouterr().err
    assert code != 0, "verify passed a bad row"
    return err


def schema_errors(folder: Path) -> list[str]:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(folder / "datapackage.json"))
    return [str(e) for e in report.flatten(["type", "note", "fieldName"])]


def first(rows: list[Row], **where: str) -> Row:
    return next(r for r in rows if all(r[k] == v if v != "*" else r[k] for k, v in where.items()))


def test_the_demo_release_passes_both(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", copy.name, "--data", str(copy.parent.parent)]) == 0, capsys.readouterr().err
    assert schema_errors(copy) == []


def test_a_unit_an_indicator_does_not_count_in(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject(copy, "values.csv", lambda rows: first(rows, indicator="disputes_mediated").update(unit="人次"))
    assert "unit '人次' is not one of disputes_mediated's" in verify(copy, capsys)


@pytest.mark.parametrize("start, end, why", [("0", "999999", "run past the text's end"), ("50", "10", "reversed")])
def test_quote_offsets_beyond_the_text_or_reversed(copy: Path, capsys: pytest.CaptureFixture[str], start: str, end: str, why: str) -> None:
    inject(copy, "observations.csv", lambda rows: rows[0].update(quote_start=start, quote_end=end))
    assert why in verify(copy, capsys)


def test_a_rate_of_250_percent(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(rows: list[Row]) -> None:
        row = rows[0]
        row.update(indicator="mediation_success_rate_pct", value="250", unit="%", canonical="false")
    inject(copy, "observations.csv", change)
    assert "a rate of 250 %, above 100" in verify(copy, capsys)
    # and in indicators.csv, the schema says it
    inject(copy, "indicators.csv", lambda rows: rows[0].update(mediation_success_rate_pct="250", mediation_success_rate_pct_qualifier="exact"))
    assert any("mediation_success_rate_pct" in e and "maximum" in e for e in schema_errors(copy))


def test_year_2099(copy: Path) -> None:
    inject(copy, "reports.csv", lambda rows: first(rows, year="*").update(year="2099"))
    assert any("year" in e and "maximum" in e for e in schema_errors(copy))


def test_on_time_with_a_date_after_the_deadline(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(rows: list[Row]) -> None:
        row = first(rows, on_time="true")
        row.update(published_on=f"{int(row['year']) + 1}-06-01")
    inject(copy, "reports.csv", change)
    assert "on_time=true, but published" in verify(copy, capsys)


def test_an_adcode_that_is_not_the_township_codes_first_digits(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject(copy, "reports.csv", lambda rows: first(rows, township_code="*").update(adcode="110101"))
    assert "is not its township code's first 6 digits" in verify(copy, capsys)


def test_a_revision_that_does_not_exist(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject(copy, "observations.csv", lambda rows: rows[0].update(revision="7"))
    assert "revision 7 is not the report's" in verify(copy, capsys)


def test_an_indicators_township_absent_from_townships_csv(copy: Path) -> None:
    inject(copy, "indicators.csv", lambda rows: first(rows, township_code="*").update(township_code="110101001", adcode="110101"))
    assert any("foreign" in e.lower() for e in schema_errors(copy))


def test_an_indicators_value_that_differs_from_values_csv(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject(copy, "indicators.csv", lambda rows: first(rows, disputes_mediated="*").update(disputes_mediated="9999"))
    assert "values.csv has" in verify(copy, capsys)


def test_a_provenance_hash_that_is_not_the_reports(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inject(copy, "provenance.csv", lambda rows: first(rows, current="true").update(text_sha256="0" * 64))
    assert "is not reports.csv's" in verify(copy, capsys)


def test_a_dangling_id_in_the_texts(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = next((copy / "texts").glob("*.jsonl.gz"))
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    record = json.loads(lines[0])
    record["report_id"] = "f" * 16
    path.write_bytes(gzip.compress(("\n".join([*lines, json.dumps(record, ensure_ascii=False)]) + "\n").encode()))
    rehash(copy, f"texts/{path.name}")
    assert "ffffffffffffffff of the texts is not in reports.csv" in verify(copy, capsys)


def test_a_value_written_into_a_parquet_copy_alone(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = copy / "values.parquet"
    table = pq.read_table(path)
    values = table.column("value")
    table = table.set_column(table.schema.get_field_index("value"), "value", pc.if_else(pa.array([i == 0 for i in range(len(values))]),
                                                                                          pa.scalar(-5.0), values))
    pq.write_table(table, path)
    rehash(copy, "values.parquet")
    assert "values.parquet: differs from values.csv" in verify(copy, capsys)
    # the copy is a resource of the datapackage too, of declared sha256: frictionless finds it changed
    assert any("hash-count" in e for e in schema_errors(copy)), schema_errors(copy)


def test_frictionless_checks_every_resource_the_tables_their_parquet_copies_and_the_texts(copy: Path) -> None:
    """`frictionless validate datapackage.json`, as an analyst runs it: every table is read and
    valid; every Parquet copy and every year's texts is a file resource whose bytes and sha256
    are checked (their content is `fazhi verify`'s: the copies against the CSV)."""
    frictionless = pytest.importorskip("frictionless")
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert {name for name in manifest["files"] if name.endswith((".parquet", ".jsonl.gz", ".csv"))} - {"codebook.csv"} == paths
    for resource in package["resources"]:
        if resource["path"].endswith((".parquet", ".jsonl.gz")):  # the manifest's hash and size, declared
            assert resource["type"] == "file" and resource["schema"]["fields"], resource["name"]
            assert (resource["hash"], resource["bytes"]) == (f"sha256:{manifest['files'][resource['path']]['sha256']}",
                                                             manifest["files"][resource["path"]]["bytes"]), resource["name"]
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    assert {task.name for task in report.tasks} >= {"values-parquet", "reports-parquet", "coverage-parquet", "values", "coverage"}
    assert all(task.stats["rows"] for task in report.tasks if not task.name.endswith("-parquet") and not task.name.startswith("texts-")
               and task.name not in ("frame", "unreadable", "sources_health"))


# frictionless with its [parquet] extra alone: no pandas (through which it reads Parquet), no
# jsonlines or ijson (its [json] extra, for .jsonl.gz). Imports of them fail, as in such an install.
BARE_FRICTIONLESS = """
import sys
for name in ("pandas", "jsonlines", "ijson"):
    sys.modules[name] = None
import frictionless
report = frictionless.validate(sys.argv[1])
print("\\n".join(f"{task.name}: {error.type}: {error.note[:120]}" for task in report.tasks for error in task.errors))
sys.exit(0 if report.valid else 1)
"""


def test_frictionless_without_its_json_and_pandas_plugins_passes_every_resource(copy: Path) -> None:
    """Issue 26, point 8: with frictionless[parquet] alone, the texts (and the Parquet copies,
    read through pandas) were reported invalid. Declared as files, they pass; declared as tables
    again, the same run fails: the check can tell."""
    import subprocess
    import sys

    pytest.importorskip("frictionless")
    ran = subprocess.run([sys.executable, "-c", BARE_FRICTIONLESS, str(copy / "datapackage.json")], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource.get("type") == "file":
            del resource["type"]  # as tables, as release format 3 declared them
    (copy / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    ran = subprocess.run([sys.executable, "-c", BARE_FRICTIONLESS, str(copy / "datapackage.json")], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1 and "texts-" in ran.stdout and "-parquet" in ran.stdout, ran.stdout + ran.stderr

