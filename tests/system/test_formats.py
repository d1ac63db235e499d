"""Reports as townships really publish them (issue 29): old Word, WPS, sheets, OFD, zip and rar
bundles, scans. Every file is made here in its real structure (flows/demo/formats.py) and read
through the real tools, each confined in a subprocess (flows/harvest/convert.py).

A test that needs a tool skips only when the tool is absent, and says which; CI installs them all
(docs/formats.md: the apt line and the `ocr` extra), so there they run.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from flows.cli import main
from flows.demo import formats as make
from flows.harvest import convert
from flows.harvest.context import SourceNight
from flows.harvest.convert import ConversionFailed, Converters, Deferred, OcrDeferred, run_tool
from flows.run.stop import NIGHT
from parsers import NeedsTool, UnreadableDocument, classify_page, extract_report, read_document, sniff_format
from parsers.read.formats import zip_members
from tests.conftest import seed_text

needs_libreoffice = pytest.mark.skipif(make.libreoffice() is None, reason="LibreOffice is not installed (apt: libreoffice-writer-nogui libreoffice-calc-nogui)")
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed (apt: antiword)")
needs_unar = pytest.mark.skipif(shutil.which("unar") is None, reason="unar is not installed (apt: unar)")
needs_ofdkit = pytest.mark.skipif(not convert.has_module("ofdkit"), reason="ofdkit is not installed (pip: fazhi-atlas[ocr])")
needs_calamine = pytest.mark.skipif(not convert.has_module("python_calamine"), reason="python-calamine is not installed (pip: fazhi-atlas[ocr])")
needs_ocr = pytest.mark.skipif(convert.ocr_engine() is None, reason="no OCR engine (pip: fazhi-atlas[ocr], or apt: tesseract-ocr-chi-sim)")


def _page_text() -> str:
    """One page's worth of a seed: its title, year and the first figures (a report's gates pass)."""
    return seed_text("hujiertai")[:760]


@pytest.fixture(scope="module")
def word_doc() -> bytes:
    if make.libreoffice() is None:
        pytest.skip("LibreOffice is not installed: no .doc can be made (apt: libreoffice-writer-nogui)")
    return make.word97_doc(seed_text("chuanxi"))


@pytest.fixture(scope="module")
def scan_page() -> object:
    from flows.demo.scans import cjk_font, degrade, text_pages

    if cjk_font() is None:
        pytest.skip("no CJK font to typeset a page (apt: fonts-noto-cjk)")
    return degrade(text_pages(_page_text(), max_pages=1)[0], seed=1, skew=1.5)


# --- what a file is: by its bytes, never a binary decoded as text ---------------------------------

def test_an_old_word_doc_is_never_read_as_text(word_doc: bytes, tmp_path: Path) -> None:
    """The worst bug of issue 29: a .doc went through as an empty record decoded from its binary."""
    for name in ("report.doc", "report.txt", "report.html", "download?id=7"):
        assert sniff_format(word_doc, name) in ("doc", "wps") or name.endswith("wps")
        with pytest.raises(NeedsTool, match="unreadable: needs antiword or LibreOffice"):
            read_document(word_doc, name)
    garbage = bytes(range(256)) * 40
    with pytest.raises(UnreadableDocument, match="binary data of no document format"):
        read_document(garbage, "report.txt")
    page = classify_page(word_doc, "http://127.0.0.1/a.doc")
    assert page.kind == "not_report" and page.needs == "antiword or LibreOffice" and "unreadable: needs" in (page.reason or "")


@needs_antiword
def test_fazhi_extract_reads_a_doc_through_antiword(word_doc: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "船溪乡2022年度报告.doc"
    path.write_bytes(word_doc)
    before = convert.STATS.runs.get("antiword", 0)
    assert main(["extract", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["report"]["place"]["township"] == "船溪乡" and record["report"]["year"] == 2022
    assert record["report"]["script"] == "traditional"  # the seed is in traditional characters, as published
    seed = extract_report(read_document(seed_text("chuanxi").encode(), "seed.txt"))
    assert [(o["indicator"], o["value"]) for o in record["observations"]] == [(o.indicator, o.value) for o in seed.observations]
    assert convert.STATS.runs["antiword"] == before + 1


@needs_libreoffice
def test_a_doc_antiword_cannot_read_goes_to_libreoffice_and_a_wps_too(word_doc: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    which = shutil.which
    monkeypatch.setattr(convert.shutil, "which", lambda name: None if name == "antiword" else which(name))
    before = convert.STATS.runs.get("soffice", 0)
    for name in ("old.doc", "kingsoft.wps"):
        document = read_document(word_doc, name, None, Converters())
        assert document.format == name.rsplit(".", 1)[1]
        assert extract_report(document).report.place.township == "船溪乡"
    assert convert.STATS.runs["soffice"] == before + 2


@needs_libreoffice
@needs_calamine
def test_sheets_xls_and_et_are_read_row_by_row() -> None:
    sheet = make.sheet_xls([["指标", "数量"], ["行政复议案件", "12"], ["行政应诉案件", "3"]])
    assert sniff_format(sheet, "table.xls") == "xls" and sniff_format(sheet, "table.et") == "et"
    for name in ("table.xls", "table.et"):
        assert read_document(sheet, name, None, Converters()).text == "指标 数量\n行政复议案件 12\n行政应诉案件 3"


@needs_ofdkit
def test_an_ofd_with_a_text_layer() -> None:
    text = seed_text("xihu")
    lines = [line for line in text.split("\n") if line.strip()]
    package = make.ofd(pages=["\n".join(lines[:15]), "\n".join(lines[15:])])
    assert sniff_format(package, "report.ofd") == "ofd" and sniff_format(package, "report.zip") == "ofd"
    with pytest.raises(NeedsTool, match="needs ofdkit"):
        read_document(package, "report.ofd")
    document = read_document(package, "report.ofd", None, Converters())
    extraction = extract_report(document)
    assert document.format == "ofd" and document.ocr is None
    seed = extract_report(read_document(text.encode(), "seed.txt"))
    assert extraction.report.place.township == "西湖镇" and extraction.report.year == seed.report.year
    assert {(o.indicator, o.value) for o in extraction.observations} == {(o.indicator, o.value) for o in seed.observations}


# --- bundles --------------------------------------------------------------------------------------

def test_a_zip_bundle_with_gbk_names_gives_its_report() -> None:
    report = seed_text("xicang").encode("utf-8")
    bundle = make.zip_bundle({"西仓镇2024年法治政府建设年度报告.txt": report, "附件/统计表.txt": "附表：案件数 3".encode()})
    assert [name for name, _ in zip_members(bundle, "b.zip")] == ["西仓镇2024年法治政府建设年度报告.txt", "附件/统计表.txt"]
    assert "西仓镇" not in " ".join(zipfile.ZipFile(io.BytesIO(bundle)).namelist())  # zipfile's default (cp437) garbles them
    document = read_document(bundle, "http://127.0.0.1/b.zip")
    assert document.format == "zip" and document.url == "http://127.0.0.1/b.zip"
    assert extract_report(document).report.place.township == "西仓镇"


def test_hostile_zips_are_one_clear_failure() -> None:
    traversal = make.zip_bundle({"../../etc/cron.d/evil.txt": seed_text("xicang").encode()})
    with pytest.raises(UnreadableDocument, match="path traversal"):
        read_document(traversal, "t.zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"0" * (300 * 1024 * 1024))
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        read_document(bomb.getvalue(), "bomb.zip")
    liar = bytearray(bomb.getvalue())  # the directory says 1 KB; the member inflates to 300 MB
    central = liar.find(b"PK\x01\x02")
    liar[central + 24:central + 28] = (1024).to_bytes(4, "little")
    local = liar.find(b"PK\x03\x04")
    liar[local + 22:local + 26] = (1024).to_bytes(4, "little")
    with pytest.raises(UnreadableDocument, match="refused|not readable"):
        read_document(bytes(liar), "liar.zip")


@needs_unar
def test_a_rar_bundle_through_unar_and_a_traversal_refused() -> None:
    bundle = make.rar_bundle({"永加乡2024年报告.txt": seed_text("yongjia").encode("utf-8"), "说明.txt": "附件说明".encode()})
    assert sniff_format(bundle, "x.zip") == "rar"
    with pytest.raises(NeedsTool, match="needs unar"):
        read_document(bundle, "x.rar")
    document = read_document(bundle, "x.rar", None, Converters())
    assert document.format == "rar" and extract_report(document).report.place.township == "永加乡"
    evil = make.rar_bundle({"../../evil.txt": seed_text("yongjia").encode("utf-8")})
    with pytest.raises(UnreadableDocument, match="path traversal"):
        read_document(evil, "evil.rar", None, Converters())


# --- confinement -----------------------------------------------------------------------------------

def test_a_tool_that_hangs_is_killed_with_its_children(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match=r"hang.doc: sh killed: it did not finish in 1 s"):
        run_tool(["/bin/sh", "-c", "sleep 60 & sleep 60"], tmp_path, "hang.doc", timeout=1, memory=1 << 30, file_size=1 << 20)
    assert time.monotonic() - started < 10
    left = subprocess.run(["pgrep", "-f", "sleep 60 & sleep 60"], capture_output=True, text=True).stdout.split()
    assert not left  # the whole process group went, not only the shell


def test_a_tool_cannot_take_more_memory_or_disk_than_its_limits(tmp_path: Path) -> None:
    code, _ = run_tool([sys.executable, "-c", "b = bytearray(800 * 1024 * 1024)"], tmp_path, "bomb", timeout=30, memory=400 << 20, file_size=1 << 20)
    assert code != 0
    code, out = run_tool([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'x' * (4 << 20))"], tmp_path, "big", timeout=30,
                         memory=1 << 30, file_size=1 << 20)
    assert code != 0 and out.stat().st_size <= 1 << 20


def test_the_night_stopping_stops_a_conversion_and_says_which_tool_waits(tmp_path: Path) -> None:
    """A LibreOffice conversion stopped by the night's end is labelled LibreOffice, not OCR: the
    night's report counts the deferred reports by the tool that ran out of time."""
    from flows.records import Failure, RunSummary
    from flows.run.report import render_summary_lines

    office = tmp_path / "bin" / "soffice"  # a LibreOffice that takes longer than the night has left
    office.parent.mkdir()
    office.write_text("#!/bin/sh\nexec sleep 60\n")
    office.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    NIGHT.reset()
    timer = threading.Timer(0.5, NIGHT.stop, args=("the night's deadline",))
    timer.start()
    try:
        with pytest.raises(Deferred, match="report.wps: LibreOffice stopped: the night's deadline") as stopped:
            run_tool([str(office), "--headless", "--convert-to", "txt", "x.doc"], work, "report.wps", timeout=60, memory=1 << 30, file_size=1 << 20)
    finally:
        timer.cancel()
        NIGHT.reset()
    assert stopped.value.needs == "LibreOffice (deferred to the next night)"
    failures = [Failure(source_id="demo", url="http://127.0.0.1/a.htm", reason=str(stopped.value), needs=stopped.value.needs),
                Failure(source_id="demo", url="http://127.0.0.1/b.htm", reason="scan.pdf: OCR deferred", needs="OCR (deferred to the next night)"),
                Failure(source_id="demo", url="http://127.0.0.1/c.htm", reason="c.wps: unreadable: needs LibreOffice (.wps)", needs="LibreOffice")]
    summary = RunSummary(sources=1, links_seen=3, links_skipped=0, reports_known=0, reports_fetched=3, new=0, revised=0, unchanged=0,
                         withdrawn=0, observations=0, failures=failures, release=None, latest_release=None, site_dir=None)
    lines = render_summary_lines(summary)
    assert "待读 | unreadable without a tool: 1 report(s), needs LibreOffice: 1 (docs/formats.md says what to install)" in lines
    assert "延后 | stopped by the night's end, read next night: 2 report(s), LibreOffice: 1; OCR: 1" in lines


def test_without_the_tools_a_report_is_unreadable_with_what_it_needs(word_doc: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    monkeypatch.setattr(convert, "libreoffice", lambda: None)
    monkeypatch.setattr(convert, "ocr_engine", lambda: None)
    monkeypatch.setattr(convert, "has_module", lambda name: False)
    converters = Converters()
    with pytest.raises(NeedsTool, match="unreadable: needs antiword or LibreOffice"):
        read_document(word_doc, "a.doc", None, converters)
    with pytest.raises(NeedsTool, match="unreadable: needs LibreOffice"):
        read_document(word_doc, "a.wps", None, converters)
    with pytest.raises(NeedsTool, match="unreadable: needs ofdkit"):
        read_document(make.ofd(pages=["x"]), "a.ofd", None, converters)
    scan = _blank_scan_pdf()
    with pytest.raises(NeedsTool, match="unreadable: needs OCR"):
        read_document(scan, "scan.pdf", None, converters)


def test_tesseract_without_the_page_renderer_leaves_a_scan_unreadable_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian's tesseract without the ocr extra (no PDFium to render a PDF's pages): the scan is kept
    as unreadable, naming the extra, rather than an OCR failure that fails the night."""
    monkeypatch.setattr(convert, "ocr_engine", lambda: ("tesseract", "5"))
    monkeypatch.setattr(convert, "has_module", lambda name: name != "pypdfium2")
    with pytest.raises(NeedsTool, match=r"pypdfium2 not installed .*fazhi-atlas\[ocr\]"):
        read_document(_blank_scan_pdf(), "scan.pdf", None, Converters())


def _blank_scan_pdf() -> bytes:
    pytest.importorskip("PIL", reason="Pillow is not installed (pip: fazhi-atlas[ocr])")
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 560), "white").save(buffer, "PDF", resolution=50)
    return buffer.getvalue()


# --- OCR, once -------------------------------------------------------------------------------------

@needs_ocr
def test_a_scanned_pdf_is_ocred_once_and_its_figures_say_so(scan_page: object, tmp_path: Path) -> None:
    from flows.demo.scans import scanned_pdf

    pdf = scanned_pdf([scan_page])
    with pytest.raises(NeedsTool, match="needs OCR"):
        read_document(pdf, "scan.pdf")
    converters = Converters(tmp_path / "ocr")
    before = convert.STATS.ocr_pages
    document = read_document(pdf, "scan.pdf", None, converters)
    assert convert.STATS.ocr_pages == before + 1
    assert document.ocr is not None and document.ocr.pages == 1 and document.ocr.confidence > 0.8
    extraction = extract_report(document)
    assert extraction.report.place.township == "胡吉尔台乡" and extraction.report.year == 2024
    figures = {(o.indicator, o.value) for o in extract_report(read_document(_page_text().encode(), "a.txt")).observations}
    assert figures and len(figures & {(o.indicator, o.value) for o in extraction.observations}) >= len(figures) - 1
    ocr = [f for f in extraction.flags if f.code == "ocr_text"]
    assert len(ocr) == 1 and document.ocr.engine in ocr[0].detail and "mean confidence" in ocr[0].detail
    again = read_document(pdf, "scan.pdf", None, Converters(tmp_path / "ocr"))  # a new process's converters: the cache on disk
    assert again.text == document.text and convert.STATS.ocr_pages == before + 1


@needs_ocr
@needs_ofdkit
def test_an_ofd_of_scanned_pages_is_ocred(scan_page: object, tmp_path: Path) -> None:
    package = make.ofd(images=[make.jpeg(scan_page)])
    document = read_document(package, "scan.ofd", None, Converters(tmp_path / "ocr"))
    assert document.format == "ofd" and document.ocr is not None and document.ocr.pages == 1
    assert extract_report(document).report.place.township == "胡吉尔台乡"


@needs_ocr
def test_a_re_extraction_of_an_ocred_report_runs_no_ocr_and_its_figures_carry_the_flag(scan_page: object, tmp_path: Path,
                                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """OCR once: the night OCRs the scan (kept under data/ocr by the bytes' sha256 and the engine's
    version); a rule change re-extracts it from the raw store with no OCR at all."""
    import csv

    from flows import release, store
    from flows.cli import cmd_reextract
    from flows.demo.scans import scanned_pdf
    from flows.harvest.convert import converters_for
    from flows.records import FetchRecord, Harvested, Night
    from flows.reextract import record_sources
    from flows.store.layout import DataLayout
    from parsers.models import Source
    from tests.helpers import NOW
    from tests.system.test_reextract import NEW_ROW, add_indicator_row

    layout = DataLayout(root=tmp_path / "data")
    body = scanned_pdf([scan_page])
    sha = layout.raw().save(body)
    url = "http://demo.gov.cn/scan.pdf"
    source = Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])
    item = Harvested(source_id="demo", url_key=store.url_key(url), url=url, sha256=sha, fetched_at=NOW,
                     extraction=extract_report(read_document(body, url, "application/pdf", converters_for(layout.raw().root))))
    log = FetchRecord(source_id="demo", url=url, url_key=store.url_key(url), fetched_at=NOW, status=200, sha256=sha, content_type="application/pdf")
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, [item], [log]))
        record_sources(conn, [source], NOW)
        assert release.cut_release(conn, layout.releases, [source], NOW) is not None
    cached = sorted((layout.root / "ocr").rglob("*.jsonl"))
    assert len(cached) == 1 and sha in cached[0].name
    version = release.latest_version(layout.releases)
    assert version is not None
    with (layout.releases / version / "values.csv").open(encoding="utf-8-sig", newline="") as handle:
        values = list(csv.DictReader(handle))
    assert values and all("ocr_text" in v["flag_codes"].split(";") for v in values)

    def no_ocr(*args: object, **kwargs: object) -> object:
        raise AssertionError("a re-extraction ran OCR")

    monkeypatch.setattr(Converters, "_ocr_pages", no_ocr)
    pages_before = convert.STATS.ocr_pages
    add_indicator_row(monkeypatch, NEW_ROW)
    assert cmd_reextract(layout.root, workers=1) == 0
    assert "1 of 1 revision(s) extracted again" in capsys.readouterr().out
    assert convert.STATS.ocr_pages == pages_before and sorted((layout.root / "ocr").rglob("*.jsonl")) == cached


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (apt: tesseract-ocr tesseract-ocr-chi-sim)")
def test_tesseract_is_the_fallback_when_rapidocr_is_absent(scan_page: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    if "chi_sim" not in listed:
        pytest.skip("tesseract has no Simplified Chinese (apt: tesseract-ocr-chi-sim)")
    real = convert.has_module.__wrapped__  # taken before the patch: the lambda must not call itself
    monkeypatch.setattr(convert, "has_module", lambda name: False if name == "rapidocr" else real(name))
    convert.ocr_engine.cache_clear()
    try:
        engine = convert.ocr_engine()
        assert engine is not None and engine[0] == "tesseract"
        document = read_document(make.jpeg(scan_page), "page.jpg", None, Converters(tmp_path / "ocr"))
    finally:
        convert.ocr_engine.cache_clear()
    assert document.format == "image" and document.ocr is not None and document.ocr.engine == "tesseract"
    assert " 法治" not in document.text  # the spaces tesseract puts between Chinese characters are taken out
    assert extract_report(document).report.place.township == "胡吉尔台乡"


@needs_ocr
def test_an_article_whose_body_is_images_of_its_pages_is_ocred_and_read_again_without_ocr(scan_page: object, tmp_path: Path,
                                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A portal that posts the scanned pages as images in the article: the images are fetched in
    order, kept as one bundle in the raw store, OCR'd; re-read from the raw store, no OCR runs."""
    from pytest_httpserver import HTTPServer

    from flows.harvest.http import HttpClient
    from flows.harvest.source import harvest_source, stored_document
    from flows.store.raw import RawStore
    from parsers.models import Source
    from tests.helpers import NOW

    with HTTPServer(host="127.0.0.1") as server:
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/list.htm").respond_with_data(
            '<html><body><ul><li><a href="/art/1.htm">胡吉尔台乡党委书记2024年度述法报告</a></li></ul></body></html>',
            content_type="text/html; charset=utf-8")
        server.expect_request("/art/1.htm").respond_with_data(
            '<html><head><title>胡吉尔台乡党委书记2024年度述法报告</title></head><body><div id="zoom"><h1>胡吉尔台乡党委书记2024年度述法报告</h1>'
            '<p>发布时间：2025-01-21</p><img src="/logo.png" width="40" height="40"><p><img src="/scan/page1.jpg"></p></div></body></html>',
            content_type="text/html; charset=utf-8")
        server.expect_request("/scan/page1.jpg").respond_with_data(make.jpeg(scan_page), content_type="image/jpeg")
        source = Source(id="scans", name="演示", listing=[server.url_for("/list.htm")], allowed_domains=["127.0.0.1"], rate_per_second=50)
        raw = RawStore(tmp_path / "raw")
        summary = harvest_source(SourceNight(HttpClient(allow_private=True), source, raw, NOW))
        assert summary.failures == [] and len(summary.harvested) == 1
        requested = [request.path for request, _ in server.log]
    assert "/scan/page1.jpg" in requested and "/logo.png" not in requested  # an icon declared small is not a page
    extraction = summary.harvested[0].extraction
    assert extraction.report.place.township == "胡吉尔台乡" and extraction.report.year == 2024
    assert [f.code for f in extraction.flags].count("ocr_text") == 1

    monkeypatch.setattr(Converters, "_ocr_pages", lambda *a, **k: (_ for _ in ()).throw(AssertionError("OCR ran again")))
    fetched = summary.fetched[0]
    assert fetched.attachment_url is not None and fetched.attachment_url.endswith("#page-images")
    again = stored_document(raw, fetched)
    assert again.ocr is not None and "胡吉尔台乡" in again.text


@needs_ocr
def test_ocr_stopped_by_the_night_keeps_what_was_read_and_the_report_waits_counted(tmp_path: Path) -> None:
    """The deadline came: the scan is not OCR'd tonight, the pages read before are kept, and the
    night's report counts the report as waiting for OCR (kept in the store's unreadable table)."""
    from flows.demo.scans import scanned_pdf
    from flows.records import Failure, RunSummary
    from flows.run.report import render_summary_lines

    pdf = scanned_pdf([_blank_page(), _blank_page()])  # two scanned pages; page 0 read on an earlier night
    converters = Converters(tmp_path / "ocr")
    engine = convert.ocr_engine()
    assert engine is not None
    converters.cache.add(hashlib.sha256(pdf).hexdigest(), engine, 0, "第一页", 0.99)
    NIGHT.reset()
    NIGHT.stop("the night's deadline (6 h) came")
    try:
        with pytest.raises(OcrDeferred, match=r"OCR deferred: the night's deadline \(6 h\) came; 1 of 2 page\(s\) read, the rest waits"):
            read_document(pdf, "scan.pdf", None, converters)
        found = classify_page(pdf, "http://127.0.0.1/scan.pdf", "application/pdf", converters)
    finally:
        NIGHT.reset()
    assert found.kind == "not_report" and found.needs == "OCR (deferred to the next night)"
    failures = [Failure(source_id="demo", url=found.url, reason=found.reason or "", needs=found.needs),
                Failure(source_id="demo", url="http://127.0.0.1/a.htm", reason="a.wps: unreadable: needs LibreOffice (.wps)", needs="LibreOffice")]
    summary = RunSummary(sources=1, links_seen=2, links_skipped=0, reports_known=0, reports_fetched=2, new=0, revised=0, unchanged=0,
                         withdrawn=0, observations=0, failures=failures, release=None, latest_release=None, site_dir=None)
    lines = render_summary_lines(summary)
    assert "待读 | unreadable without a tool: 1 report(s), needs LibreOffice: 1 (docs/formats.md says what to install)" in lines
    assert "延后 | stopped by the night's end, read next night: 1 report(s), OCR: 1" in lines


def _blank_page() -> object:
    pytest.importorskip("PIL", reason="Pillow is not installed (pip: fazhi-atlas[ocr])")
    from PIL import Image

    return Image.new("RGB", (400, 560), "white")
