"""The versioned dataset through the whole flow: revisions, withdrawals, releases people can cite."""

import csv
import shutil
from pathlib import Path

import pytest

from flows.cli import main
from flows.demo.server import demo_sources_yaml, serve_portals
from flows.nightly import nightly
from flows.records import RunSummary
from flows.release.versions import list_versions
from tests.conftest import PORTALS, DemoNight

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def portal_copy(tmp_path: Path) -> Path:
    """The demo portals in a folder the test may edit, as a portal's editors would."""
    root = tmp_path / "portals"
    shutil.copytree(PORTALS, root)
    return root


def run(portals_root: Path, data: Path, out: Path, *, recheck: bool = False):  # type: ignore[no-untyped-def]
    with serve_portals(portals_root) as portals:
        sources = data.parent / "sources.yaml"
        sources.write_text(demo_sources_yaml(portals), encoding="utf-8")
        return nightly(sources_file=sources, data_dir=data, out_dir=out, recheck=recheck)


def reports(release: Path) -> dict[str, dict[str, str]]:
    with (release / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["township"]: row for row in csv.DictReader(handle)}


def test_a_report_revised_on_the_site_is_a_new_revision_and_release(portal_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "public"
    first = run(portal_copy, data, out)
    assert first.release is not None
    old = Path(first.release.path)
    before = {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()}

    page = portal_copy / "chenxi/art/2022/11/29/art_4521_2088.html"
    page.write_bytes(page.read_bytes().replace("糾紛157起".encode("gbk"), "糾紛160起".encode("gbk")))
    quiet = run(portal_copy, data, out)  # without --recheck stored articles are not fetched again
    assert quiet.revised == 0 and quiet.release is None
    second = run(portal_copy, data, out, recheck=True)

    assert (second.revised, second.new) == (1, 0)
    assert second.release is not None and second.release.version == f"{first.release.version}.1"
    new = Path(second.release.path)
    assert reports(new)["船溪乡"]["revision"] == "2"
    changelog = (new / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "- revised: 船溪乡2022年度法治政府建设工作情况" in changelog
    assert "disputes_mediated: 157 → 160" in changelog
    assert {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()} == before  # the cited release is untouched

    assert main(["diff", first.release.version, second.release.version, "--data", str(data)]) == 0
    assert "disputes_mediated: 157 → 160" in capsys.readouterr().out


def test_a_page_gone_from_its_listing_or_answering_404_is_withdrawn_not_deleted(portal_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "public"
    first = run(portal_copy, data, out)
    assert first.release is not None

    listing = portal_copy / "region/fzzfjs/ndbg.htm"
    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace('<li><a href="../info/1046/31805.htm"', '<li class="removed"><span data-href="gone"'), encoding="utf-8")
    second = run(portal_copy, data, out)
    assert second.withdrawn == 1 and second.release is not None
    # A withdrawn report stays in reports.csv with its status and the day it went (history is not
    # rewritten); its figures leave the figure tables; the release that published it keeps them.
    folder = Path(second.release.path)
    rows = reports(folder)
    assert len(rows) == 5 and second.release.reports == 5
    assert rows["西仓镇"]["status"] == "withdrawn" and rows["西仓镇"]["withdrawn_on"] and rows["船溪乡"]["withdrawn_on"] == ""
    xicang = reports(Path(first.release.path))["西仓镇"]
    # its township does not vanish from townships.csv, and its year keeps its status, withdrawn beside it
    coverage = list(csv.DictReader((folder / "coverage.csv").open(encoding="utf-8-sig")))
    cell = next(r for r in coverage if r["report_id"] == xicang["report_id"])
    assert cell["township_code"] == xicang["township_code"] and cell["withdrawn"] == "true" and cell["status"] in ("on_time", "late", "undated")
    assert xicang["township_code"] in (folder / "townships.csv").read_text(encoding="utf-8-sig")
    for table in ("observations.csv", "values.csv", "indicators.csv"):
        assert xicang["report_id"] not in (folder / table).read_text(encoding="utf-8-sig"), table
        assert xicang["report_id"] in (Path(first.release.path) / table).read_text(encoding="utf-8-sig"), table
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    # Named by township, county and year, and the row it leaves in indicators.csv too.
    assert f"- withdrawn: {xicang['title']} (西仓镇, {xicang['county']}, {xicang['year']})" in changelog
    # the change log lists the status change of the township's year: the same status, withdrawn beside it
    assert f"- status changed: township {xicang['township_code']} annual {xicang['year']}: {cell['status']} → {cell['status']} (withdrawn)" in changelog
    assert f"- indicators.csv row left: 西仓镇, {xicang['county']}, {xicang['year']} (township {xicang['township_code']}" in changelog
    assert main(["diff", first.release.version, second.release.version, "--data", str(data)]) == 0  # `fazhi diff` knows it from the store
    assert f"- withdrawn: {xicang['title']} (西仓镇" in capsys.readouterr().out

    (portal_copy / "nilka/zwgk/fzzfjsndbg/202501/t20250120_1001.html").unlink()
    third = run(portal_copy, data, out, recheck=True)
    assert third.withdrawn == 1 and third.failures == []
    assert third.release is not None
    rows = reports(Path(third.release.path))
    assert {t for t, r in rows.items() if r["status"] == "active"} == {"船溪乡", "西湖镇", "永加乡"}
    assert {t for t, r in rows.items() if r["status"] == "withdrawn"} == {"西仓镇", "胡吉尔台乡"}
    assert "withdrawn: 胡吉尔台乡党委书记刘帅2024年度述法报告 (胡吉尔台乡, 尼勒克县, 2024)" in (Path(third.release.path) / "CHANGELOG.md").read_text(encoding="utf-8")
    assert len(list_versions(data / "releases")) == 3
    # `fazhi releases` counts the rows of reports.csv: withdrawn reports stay in it.
    assert main(["releases", "--data", str(data)]) == 0
    listed = capsys.readouterr().out
    assert f"{first.release.version}  " in listed and " 5 reports" in listed


def test_the_datapackage_validates_with_frictionless(demo_night: DemoNight) -> None:
    frictionless = pytest.importorskip("frictionless")
    summary = demo_night.summary  # the session's one demo night: this test only reads its release
    assert isinstance(summary, RunSummary) and summary.release is not None
    report = frictionless.validate(str(Path(summary.release.path) / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_recheck_is_logged_and_moves_last_checked(portal_copy: Path, tmp_path: Path) -> None:
    """A page answering 304 on a --recheck night is a fetch-log entry, and its report's last_checked
    (store: last_seen; provenance.csv) moves: how long a report stays online can be measured."""
    import sqlite3

    data, out = tmp_path / "data", tmp_path / "public"
    run(portal_copy, data, out)
    with sqlite3.connect(data / "fazhi.sqlite") as conn:
        before = dict(conn.execute("SELECT report_id, last_seen FROM reports"))
    run(portal_copy, data, out, recheck=True)
    with sqlite3.connect(data / "fazhi.sqlite") as conn:
        after = dict(conn.execute("SELECT report_id, last_seen FROM reports"))
        rechecked = conn.execute("SELECT count(*) FROM fetch_log WHERE status = 304").fetchone()[0]
        reads = conn.execute("SELECT source_id, pages, reached_end FROM listing_reads").fetchall()
    assert rechecked >= 1
    assert all(after[rid] > before[rid] for rid in before), (before, after)
    # the sampling frame: both nights' listing reads, every demo listing read to its end
    assert len(reads) == 2 * len({r[0] for r in reads}) and all(pages >= 1 and end == 1 for _, pages, end in reads)
