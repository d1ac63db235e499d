import io

import docx
import pytest

from parsers import UnreadableDocument, read_document, sniff_format
from parsers.read.documents import drop_running_lines, unwrap_lines
from parsers.read.normalise import clean_lines
from tests.conftest import demo_file, seed_text


def flat(text: str) -> str:
    return "".join(clean_lines(text).split())


def test_docx_attachment_gives_the_seed_text_paragraph_for_paragraph() -> None:
    doc = read_document(demo_file("xihu").read_bytes(), "http://x.gov.cn/a.docx")
    assert doc.format == "docx"
    assert clean_lines(doc.text) == clean_lines(seed_text("xihu"))


def test_pdf_attachment_gives_the_seed_text() -> None:
    doc = read_document(demo_file("yongjia").read_bytes(), "http://x.gov.cn/a.pdf")
    assert doc.format == "pdf"
    assert flat(doc.text) == flat(seed_text("yongjia"))
    # wrapped lines are joined back into paragraphs: the title and signature stay lines of their own
    lines = doc.text.split("\n")
    assert lines[0] == "永加乡2024年法治政府建设工作报告"
    assert lines[-2:] == ["双辽市永加乡人民政府", "2025年3月14日"]
    assert len(lines) < 40


def test_docx_tables_are_read_in_order() -> None:
    word = docx.Document()
    word.add_paragraph("前言")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "调解纠纷", "12起"
    word.add_paragraph("结尾")
    buffer = io.BytesIO()
    word.save(buffer)
    assert read_document(buffer.getvalue(), "t.docx").text.split("\n") == ["前言", "项目 数量", "调解纠纷 12起", "结尾"]


def test_unwrap_joins_wrapped_lines_but_not_short_ones() -> None:
    text = "标题\n" + "很长的一行文字" * 5 + "\n接着上一行。\n落款"
    assert unwrap_lines(text).split("\n") == ["标题", "很长的一行文字" * 5 + "接着上一行。", "落款"]


def test_format_is_sniffed_from_bytes_before_name_and_header() -> None:
    assert sniff_format(b"%PDF-1.7 ...", "report.html", "text/html") == "pdf"
    assert sniff_format(b"<!DOCTYPE html><html>", "report.pdf", "application/pdf") == "html"
    assert sniff_format("年度报告".encode(), "report.txt") == "txt"


def test_a_broken_docx_is_a_clear_error_naming_the_file() -> None:
    with pytest.raises(UnreadableDocument, match="bad.docx: not a readable .docx"):
        read_document(b"PK\x03\x04 not really a zip", "bad.docx")


def test_a_truncated_pdf_is_a_clear_error_naming_the_file() -> None:
    data = demo_file("yongjia").read_bytes()[:600]
    with pytest.raises(UnreadableDocument, match="cut.pdf"):
        read_document(data, "cut.pdf")


def test_running_headers_and_page_numbers_of_a_pdf_are_dropped() -> None:
    pages = [f"某某镇人民政府文件\n第{i}段正文。\n- {i} -" for i in range(1, 5)]
    assert drop_running_lines(pages) == [f"第{i}段正文。" for i in range(1, 5)]
    assert drop_running_lines(["标题\n正文", "正文二"]) == ["标题\n正文", "正文二"]


def _pdf_naming_one_page(times: int) -> bytes:
    """A small PDF whose page tree lists the same page ``times`` times (/Count says so too)."""
    content = b"BT /F1 12 Tf 72 720 Td (2024 rule of law report page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [" % times + b"3 0 R " * times + b"] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_claiming_100000_pages_is_refused_quickly_with_a_clear_error() -> None:
    import time

    from parsers import UnreadableDocument, read_document

    body = _pdf_naming_one_page(100_000)
    assert len(body) < 700_000
    started = time.process_time()
    with pytest.raises(UnreadableDocument, match=r"huge.pdf: the PDF claims 100,000 pages, over the 1,000 a report can have"):
        read_document(body, "http://demo.gov.cn/huge.pdf")
    assert time.process_time() - started < 5
    assert "2024 rule of law report page" in read_document(_pdf_naming_one_page(2), "http://demo.gov.cn/small.pdf").text  # text enough not to be a scan
