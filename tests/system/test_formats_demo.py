"""The formats demo night (issue 29): a portal that publishes its reports as a scanned PDF, an old
Word .doc, an .ofd and a .zip bundle with GBK names (flows/demo/formats_portal, the seeds' texts as
they are), read by the real nightly flow through the real tools; the release and the site say which
figures came from OCR. Served apart from the three-portal demo (sources-formats.yaml), so the demo
night's counts are unchanged.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from flows import release
from flows.demo.server import FORMATS_PORTALS, FORMATS_SOURCES_TEMPLATE, demo_sources_yaml, serve_portals
from flows.harvest import convert
from flows.records import RunSummary
from flows.release.files import iter_texts

TOOLS = {"LibreOffice or antiword (apt: antiword libreoffice-writer-nogui)": convert.libreoffice() or shutil.which("antiword"),
         "ofdkit (pip: fazhi-atlas[ocr])": convert.has_module("ofdkit"), "an OCR engine (pip: fazhi-atlas[ocr])": convert.ocr_engine()}
MISSING = [name for name, present in TOOLS.items() if not present]


@pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")
@pytest.mark.usefixtures("prefect_harness")
def test_the_formats_demo_night_reads_a_scan_a_doc_an_ofd_and_a_zip(tmp_path: Path) -> None:
    from flows.nightly import nightly

    with serve_portals(FORMATS_PORTALS) as portals:
        sources = tmp_path / "sources.yaml"
        sources.write_text(demo_sources_yaml(portals, FORMATS_SOURCES_TEMPLATE), encoding="utf-8")
        summary = nightly(sources_file=sources, data_dir=tmp_path / "data", out_dir=tmp_path / "public")
    assert isinstance(summary, RunSummary), summary
    assert summary.failures == [] and summary.new == 4 and summary.release is not None
    version = release.latest_version(tmp_path / "data" / "releases")
    assert version is not None
    folder = tmp_path / "data" / "releases" / version
    with (folder / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        reports = {r["township"]: r for r in csv.DictReader(handle)}
    assert set(reports) == {"胡吉尔台乡", "船溪乡", "西湖镇", "西仓镇"}
    assert reports["胡吉尔台乡"]["year"] == "2024" and reports["西仓镇"]["year"] == "2025"
    with (folder / "values.csv").open(encoding="utf-8-sig", newline="") as handle:
        values = list(csv.DictReader(handle))
    scanned = reports["胡吉尔台乡"]["report_id"]
    ocr = {v["report_id"] for v in values if "ocr_text" in v["flag_codes"].split(";")}
    assert ocr == {scanned}  # the scan's figures say so; those of the .doc, .ofd and .zip do not
    flags = [f for r in iter_texts(folder) if r["report_id"] == scanned for f in r["flags"] if f["code"] == "ocr_text"]
    assert flags and "mean confidence" in flags[0]["detail"]
    page = next((tmp_path / "public").rglob(f"*{reports['胡吉尔台乡']['township_code']}*/index.html"), None)
    assert page is not None and "OCR识别" in page.read_text(encoding="utf-8")
    assert any((tmp_path / "data" / "ocr").rglob("*.jsonl"))  # kept for the next re-extraction
