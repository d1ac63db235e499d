"""The whole nightly flow against the demo government portals on 127.0.0.1."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from flows.nightly import nightly
from flows.records import RunSummary
from flows.run.report import render_run_report
from tests.conftest import DemoNight, copy_demo_data, subprocess_env
from tests.system.test_formats_demo import TOOLS

TOWNSHIPS = {  # township → its page, keyed by its code in the national register
    "胡吉尔台乡": "654028208",
    "船溪乡": "431223200",
    "西湖镇": "654202108",
    "西仓镇": "623026102",
    "永加乡": "220382203",
}
DECOYS = ("政府信息公开工作年度报告", "工作要点", "春耕", "通知")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_nightly_on_the_demo_portals_then_a_quiet_second_night(demo_night: DemoNight, tmp_path: Path) -> None:
    first, out = demo_night.summary, demo_night.out
    assert isinstance(first, RunSummary)

    assert first.failures == []
    assert (first.new, first.revised, first.reports_fetched) == (5, 0, 5)
    assert first.release is not None
    folder = Path(first.release.path)
    reports = rows(folder / "reports.csv")
    assert {r["township"] for r in reports} == set(TOWNSHIPS)
    assert {r["township"]: r["township_code"] for r in reports} == TOWNSHIPS
    assert not [r["title"] for r in reports if any(d in r["title"] for d in DECOYS)]
    observations = rows(folder / "observations.csv")
    for r in reports:
        assert any(o["report_id"] == r["report_id"] for o in observations), r["township"]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert {res["path"] for res in package["resources"]} >= {"reports.csv", "observations.csv"}
    for township, path in TOWNSHIPS.items():
        page = (out / "townships" / path / "index.html").read_text(encoding="utf-8")
        assert township in page and 'class="fazhi-figure"' in page, township
    # the traditional-script report is stored simplified, its script recorded
    chuanxi = next(r for r in reports if r["township"] == "船溪乡")
    assert (chuanxi["script"], chuanxi["county"], chuanxi["published_on"]) == ("traditional", "辰溪县", "2022-11-29")
    # the site build says what it did, and the run report shows it
    # every township of the covered counties has a page (the five with reports, the others with their statuses)
    township_pages = len(list((out / "townships").glob("[0-9]*/index.html")))
    assert first.site_stats is not None and (first.site_stats.rendered, first.site_stats.reused) == (township_pages, 0) and township_pages > 5
    assert f"Site: {first.site_stats.pages} pages; township pages {township_pages} rendered, 0 reused" in render_run_report(first, {})

    data, out = copy_demo_data(demo_night, tmp_path / "data"), tmp_path / "public"  # the shared night's folders stay as they were
    shutil.copytree(demo_night.out, out)
    for portal in demo_night.portals.values():
        portal.requests.clear()
    second = nightly(sources_file=demo_night.sources_file, data_dir=data, out_dir=out)
    assert (second.new, second.revised, second.reports_fetched, second.reports_known) == (0, 0, 0, 5)
    assert second.release is None and second.latest_release == first.release.version
    assert second.site_stats is None  # the site was current: not built again
    assert [p.name for p in (data / "releases").iterdir() if p.is_dir()] == [first.release.version]
    requests = [(name, path, status) for name, portal in demo_night.portals.items() for _, path, status in portal.requests]
    listing_pages = {"/zwgk/fzzfjsndbg/index.html", "/zwgk/fzzfjsndbg/index_1.html", "/col/col4521/index.html", "/fzzfjs/ndbg.htm"}
    assert {path for _, path, _ in requests} - {"/robots.txt"} == listing_pages  # no article, no attachment fetched again
    assert {status for _, path, status in requests if path != "/robots.txt"} == {304}


def test_fazhi_nightly_demo_as_a_user_runs_it(tmp_path: Path) -> None:
    env = subprocess_env()
    command = [sys.executable, "-m", "flows.cli", "nightly", "--demo", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "public")]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stderr  # a report no tool here can read is kept and counted, not a failed night
    # The three portals' 5 reports and the formats portal's (issue 29): its .doc, .ofd and .zip are
    # mirrors of the demo's copies, its scanned 述法 report (OCR) a 6th report; without a tool, the
    # report it would read is counted under 待读 instead.
    if all(TOOLS.values()):
        assert "reports: 6 new" in run.stdout and "release: " in run.stdout and "(6 reports, " in run.stdout
        assert "待读" not in run.stdout
    else:
        assert "待读 | unreadable without a tool: " in run.stdout
    assert "failures: none" in run.stdout
    assert "fazhi serve" in run.stdout
    progress = [line for line in run.stdout.splitlines() if line.startswith("· ")]  # plain lines: stdout is a pipe, not a terminal
    assert progress[0] == "· discover+fetch+extract: started (4)" and "· discover+fetch+extract: done (4)" in progress
    assert progress[-1] == "· site: done"
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr and "WARNING" not in run.stderr, run.stderr
    assert (tmp_path / "public" / "index.html").exists()
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=Path(__file__).parents[2])
    assert again.returncode == 0, again.stderr
    assert "nothing new: no new release" in again.stdout
