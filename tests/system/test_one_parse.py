"""One way through the code: each fetched page is parsed once (parsers.read.classify), and flows/ reach
the pure core only through its public names (parsers.__all__)."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import parsers
from parsers import classify_attachment, classify_listing, classify_page
from tests.conftest import PORTALS, DemoNight, demo_file

ROOT = Path(__file__).parents[2]
BASE = "http://127.0.0.1:9"


def test_a_demo_night_builds_one_tree_per_html_page_it_fetched(demo_night: DemoNight) -> None:
    """Before: 27 BeautifulSoup trees for the demo's 5 reports (a page parsed when fetched, again
    for the error-page check, again when extracted from the bytes on disk; a tree per Hanweb record)."""
    with sqlite3.connect(demo_night.data / "fazhi.sqlite") as conn:
        pages = conn.execute("SELECT count(*) FROM fetch_log WHERE status = 200 AND content_type LIKE 'text/html%'").fetchone()[0]
    assert demo_night.summary.new == 5  # type: ignore[attr-defined]
    assert pages == 9  # 4 listing pages, 3 articles, 2 stub pages pointing to their .docx and .pdf
    assert demo_night.trees == pages


def _imports_from_parsers(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of parsers or one of its modules in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "parsers":
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.split(".")[0] == "parsers"]
    return found


def test_flows_import_only_the_public_names_of_parsers() -> None:
    public = set(parsers.__all__)
    assert all(hasattr(parsers, name) for name in public)
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module} {names}"
        for path in sorted((ROOT / "flows").rglob("*.py"))
        for line, module, names in _imports_from_parsers(path)
        if module != "parsers" or not names or not set(names) <= public
    ]
    assert wrong == []


def test_the_contract_check_sees_a_private_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from parsers.read.article import refusal_in\nimport parsers.sites.listing\nfrom parsers import Source\n", encoding="utf-8")
    assert _imports_from_parsers(module) == [(1, "parsers.read.article", ["refusal_in"]), (2, "parsers.sites.listing", []), (3, "parsers", ["Source"])]


def test_an_article_page_is_a_report_with_its_document() -> None:
    found = classify_page(demo_file("chuanxi").read_bytes(), f"{BASE}/art.html", "text/html")
    assert found.kind == "report" and found.document is not None
    assert "法治" in found.document.text and found.document.meta


def test_a_stub_page_points_to_its_attachment_then_the_attachment_is_the_report() -> None:
    page = classify_page((PORTALS / "region/info/1046/30167.htm").read_bytes(), f"{BASE}/info/1046/30167.htm", "text/html; charset=utf-8")
    assert page.kind == "stub" and page.attachment is not None and page.document is not None
    assert page.attachment.url == f"{BASE}/__local/A/3F/xihu_2024_fzjs.docx"
    report = classify_attachment(page.document, demo_file("xihu").read_bytes(), page.attachment.url, "application/octet-stream")
    assert report.kind == "report" and report.document is not None
    assert report.document.format == "docx" and report.document.url == page.url and report.document.meta == page.document.meta


def test_a_challenge_page_served_with_200_is_refused() -> None:
    html = "<html><head><script>document.cookie='acw_sc__v2=1';location.reload();</script></head><body></body></html>"
    found = classify_page(html.encode(), f"{BASE}/a.html", "text/html")
    assert found.kind == "refused" and "anti-bot" in (found.reason or "")


def test_a_page_that_is_not_about_the_rule_of_law_is_not_a_report() -> None:
    html = "<html><body><div class='TRS_Editor'>" + "<p>今年春耕生产顺利推进，全乡播种小麦三千亩。</p>" * 30 + "</div></body></html>"
    found = classify_page(html.encode(), f"{BASE}/a.html", "text/html")
    assert found.kind == "not_report" and "not a rule-of-law report" in (found.reason or "")


def test_a_stub_with_a_wps_or_ofd_attachment_asks_for_it_and_prefers_a_docx_or_pdf() -> None:
    """Every attachment format is read now (issue 29: .wps through LibreOffice, .ofd through ofdkit);
    of several, a .docx or .pdf (read without a tool) is taken first."""
    html = '<html><body><div id="zoom"><p>见附件。</p><a href="/f/report.wps">报告.wps</a></div></body></html>'
    found = classify_page(html.encode(), f"{BASE}/a.html", "text/html")
    assert found.kind == "stub" and found.attachment is not None and found.attachment.url == f"{BASE}/f/report.wps"
    html = ('<html><body><div id="zoom"><p>见附件。</p><a href="/f/report.ofd">报告.ofd</a><a href="/f/report.pdf">报告.pdf</a>'
            '</div></body></html>')
    found = classify_page(html.encode(), f"{BASE}/a.html", "text/html")
    assert found.attachment is not None and found.attachment.url == f"{BASE}/f/report.pdf"


def test_a_hanweb_listing_is_one_tree_with_its_records_first() -> None:
    read = classify_listing((PORTALS / "chenxi/col/col4521/index.html").read_bytes(), f"{BASE}/col/col4521/index.html", "text/html")
    assert read.refusal is None and read.page is not None
    assert read.page.links[0].title == "船溪鄉2022年度法治政府建設工作情況"
    assert read.page.links[0].listed_on is not None
