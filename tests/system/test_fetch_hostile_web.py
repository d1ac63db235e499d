"""A hostile web and hostile files against real servers on 127.0.0.1: keep working, lose nothing."""

import io
import socket
import socketserver
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from flows.harvest import convert
from flows.harvest.context import SourceNight
from flows.harvest.http import FetchError, HttpClient
from parsers import UnreadableDocument, read_document
from parsers.models import RATE_RANGE, Source
from parsers.read.article import parse_article, refusal_reason
from parsers.sites.listing import parse_listing
from tests.conftest import demo_file, seed_text

RATE_MAX = RATE_RANGE[1]  # the fastest rate a source may ask for (the registry refuses more)

FAST = 1000.0
LOCAL = ["127.0.0.1", "localhost"]


class RawHandler(socketserver.BaseRequestHandler):
    """Answers with raw bytes, to misbehave in ways a well-behaved HTTP server never would."""

    def handle(self) -> None:
        request = self.request.recv(65536).decode("latin-1")
        path = request.split(" ", 2)[1] if " " in request else "/"
        if path == "/reset":  # promises 100,000 bytes, sends 100, then resets the connection
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif path == "/drip":  # one byte a second, forever
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(30):
                self.request.sendall(b"x")
                time.sleep(1)
        elif path == "/huge":  # 100 MB of chunked body with no Content-Length
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"a" * 1024 * 1024
            try:
                for _ in range(100):
                    self.request.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.request.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up at its cap, as it should


@pytest.fixture(scope="module")
def raw_server() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RawHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(autouse=True)
def no_robots(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


def client(**kwargs) -> HttpClient:  # type: ignore[no-untyped-def]
    return HttpClient(allow_private=True, **kwargs)


# ---------------------------------------------------------------- network


def test_a_connection_reset_mid_body_after_100_of_100000_bytes_is_a_clear_failure(raw_server: str) -> None:
    with pytest.raises(FetchError, match=r"/reset: (connection broke while reading the body|the connection was reset)"):
        client().get(raw_server + "/reset", allowed_domains=LOCAL, rate=FAST)


def test_a_body_dripping_1_byte_a_second_is_given_up_after_the_2_second_deadline(raw_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/drip: body still arriving after 2 s"):
        client(max_seconds=2, timeout=(2, 5)).get(raw_server + "/drip", allowed_domains=LOCAL, rate=FAST)
    assert time.monotonic() - started < 10


def test_a_100_MB_body_is_cut_at_the_20_MB_cap(raw_server: str) -> None:
    with pytest.raises(FetchError, match=r"/huge: body is over the 20,971,520-byte cap"):
        client().get(raw_server + "/huge", allowed_domains=LOCAL, rate=FAST)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
@pytest.mark.parametrize("retry_after", [None, "1"])
def test_4_retries_then_a_clear_error_for_each_server_error(httpserver: HTTPServer, status: int, retry_after: str | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    httpserver.expect_request("/x.html").respond_with_data("busy", status=status, headers=headers)
    with pytest.raises(FetchError, match=rf"x.html: HTTP {status}"):
        client().get(httpserver.url_for("/x.html"), allowed_domains=LOCAL, rate=FAST)
    assert sum(1 for request, _ in httpserver.log if request.path == "/x.html") == 4


def test_a_redirect_loop_stops_after_5_redirects(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.html").respond_with_data("", status=302, headers={"Location": "/b.html"})
    httpserver.expect_request("/b.html").respond_with_data("", status=302, headers={"Location": "/a.html"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        client().get(httpserver.url_for("/a.html"), allowed_domains=LOCAL, rate=FAST)


def test_a_listing_that_paginates_forever_is_read_for_max_pages_3_only(httpserver: HTTPServer, tmp_path: Path) -> None:
    from flows.harvest.discover import discover_links
    from flows.store.raw import RawStore
    from tests.helpers import NOW

    def endless(request):  # type: ignore[no-untyped-def]
        n = int(request.args.get("page", "1"))
        return Response(f'<a href="/list?page={n + 1}">下一页</a><a href="/r{n}.htm">某镇{2000 + n}年法治政府建设年度报告</a>',
                        content_type="text/html; charset=utf-8")

    httpserver.expect_request("/list").respond_with_handler(endless)
    source = Source(id="endless", name="x", listing=[httpserver.url_for("/list") + "?page=1"], max_pages=3, allowed_domains=["localhost"],
                    rate_per_second=RATE_MAX)
    found = discover_links(SourceNight(client(), source, RawStore(tmp_path), NOW))
    decisions, listing = found.decisions, found.listing
    assert sum(1 for request, _ in httpserver.log if request.path == "/list") == 3
    assert not listing.complete and sum(d.take for d in decisions) == 3


def test_10000_links_on_one_served_page_are_all_read_and_none_fetched(httpserver: HTTPServer, tmp_path: Path) -> None:
    from flows.harvest.discover import discover_links
    from flows.store.raw import RawStore
    from tests.helpers import NOW

    html = "<ul>" + "".join(f'<li><a href="/info/{i}.htm">通知{i}</a></li>' for i in range(10_000)) + "</ul>"
    httpserver.expect_request("/list.htm").respond_with_data(html, content_type="text/html; charset=utf-8")
    source = Source(id="many", name="x", listing=[httpserver.url_for("/list.htm")], allowed_domains=["localhost"], rate_per_second=RATE_MAX)
    found = discover_links(SourceNight(client(), source, RawStore(tmp_path), NOW))
    decisions, listing = found.decisions, found.listing
    assert len(decisions) == 10_000 and not any(d.take for d in decisions) and listing.complete
    assert len(parse_listing(html, "http://a.gov.cn/list.htm").links) == 10_000


def test_file_ftp_and_javascript_links_are_never_followed() -> None:
    html = '<a href="file:///etc/passwd">2024年法治政府建设年度报告</a><a href="ftp://a.gov.cn/r.pdf">2024年法治政府建设年度报告</a>'
    assert parse_listing(html, "http://a.gov.cn/").links == []
    with pytest.raises(FetchError, match="only http and https"):
        client().get("file:///etc/passwd", allowed_domains=["a.gov.cn"], rate=FAST)


def test_a_public_source_is_never_led_to_a_private_address(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "intranet.example.gov.cn":  # a portal's own name pointing into a private network
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    public = HttpClient()
    for url in ("http://intranet.example.gov.cn/x.html", "http://127.0.0.1:8080/x.html", "http://localhost/x.html", "http://[::1]/x.html"):
        with pytest.raises(FetchError, match="private or loopback network"):
            public.get(url, allowed_domains=["example.gov.cn", "127.0.0.1", "localhost", "::1"], rate=FAST)


# ---------------------------------------------------------------- content


@pytest.mark.parametrize(
    "html, reason",
    [
        ("<html><body><h1>页面不存在</h1><p>您访问的页面已删除</p></body></html>", "error page (“页面不存在”)"),
        ("<html><body>访问过于频繁，请稍后再试</body></html>", "error page (“访问过于频繁”)"),
        ('<html><script>document.cookie="__jsl_clearance=1";location.reload()</script><body></body></html>', "anti-bot"),
    ],
)
def test_a_200_that_is_an_error_or_challenge_page_is_refused(html: str, reason: str) -> None:
    assert reason in (refusal_reason(html) or "")


def test_a_report_mentioning_an_error_phrase_is_still_a_report() -> None:
    html = f'<div id="zoom"><p>页面不存在的问题已整改。</p>{"".join(f"<p>{line}</p>" for line in seed_text("xihu").splitlines())}</div>'
    assert refusal_reason(html) is None


def test_412_is_recorded_as_blocked_by_anti_bot(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/r.htm").respond_with_data("<script>x</script>", status=412)
    with pytest.raises(FetchError, match="blocked by anti-bot"):
        client().get(httpserver.url_for("/r.htm"), allowed_domains=LOCAL, rate=FAST)


def test_invalid_byte_sequences_become_replacement_characters_not_a_crash() -> None:
    body = '<meta charset="utf-8"><div id="zoom"><p>调解矛盾纠纷12起'.encode() + b"\xff\xfe\xc3" + "。</p></div>".encode()
    assert "调解矛盾纠纷12起" in read_document(body, "bad.htm").text


def test_html_served_as_pdf_and_a_pdf_served_as_html_are_read_for_what_they_are() -> None:
    html = '<div id="zoom"><p>永加乡2024年法治政府建设工作报告</p></div>'.encode()
    assert read_document(html, "r.pdf", "application/pdf").format == "html"
    assert read_document(demo_file("yongjia").read_bytes(), "r.htm", "text/html").format == "pdf"


def test_an_encrypted_pdf_is_a_clear_error() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(demo_file("yongjia")))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableDocument, match="enc.pdf: the PDF is encrypted"):
        read_document(buffer.getvalue(), "enc.pdf")


def zip_bomb() -> bytes:
    """A .docx whose one part inflates 1,000-fold, to 300 MB, from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(demo_file("xihu").read_bytes())) as real:
            for item in real.infolist():
                archive.writestr(item, real.read(item))
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                part.write(block)
    return buffer.getvalue()


def test_a_300_MB_docx_zip_bomb_is_refused_before_inflating() -> None:
    data = zip_bomb()
    assert len(data) < 2_000_000
    with pytest.raises(UnreadableDocument, match="refused as a zip bomb"):
        read_document(data, "bomb.docx")


def test_external_entities_in_a_docx_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(demo_file("xihu").read_bytes())) as real, zipfile.ZipFile(buffer, "w") as archive:
        for item in real.infolist():
            data = real.read(item)
            if item.filename == "word/document.xml":
                head, body = data.split(b"?>", 1)
                doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
                data = head + b"?>" + doctype + body.replace("乌苏市西湖镇".encode(), b"&xxe;", 1)
            archive.writestr(item, data)
    try:
        text = read_document(buffer.getvalue(), "xxe.docx").text
    except UnreadableDocument:
        return  # refusing the file is as good as not resolving the entity
    assert "TOP-SECRET-CONTENT" not in text


def test_deeply_nested_html_10000_levels_parses_without_recursion_error() -> None:
    html = "<div>" * 10_000 + "<p>永加乡2024年法治政府建设工作报告，调解矛盾纠纷12起。</p>" + "</div>" * 10_000
    assert "调解矛盾纠纷12起" in parse_article(html, "http://a.gov.cn/deep.htm").text


# ---------------------------------------------------------------- the whole night beside a hostile portal


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_beside_a_hostile_portal_records_9_failures_and_keeps_the_rest(
    httpserver: HTTPServer, demo_sources_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader, PdfWriter

    from flows import nightly as nightly_module
    from flows import store

    monkeypatch.setattr(nightly_module, "harvest_source_task", nightly_module.harvest_source_task.with_options(retries=0))
    # Without a browser: the 412 page is refused at once. With Debian's chromium installed, each
    # night waited out the challenge's 30 s browser deadline (tests/system/test_challenge.py covers that path).
    monkeypatch.setattr(nightly_module, "available_solver", lambda: None)
    encrypted = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(demo_file("yongjia")))
    writer.encrypt("secret")
    writer.write(encrypted)

    def stub(target: str, name: str) -> str:
        return f'<html><body><div id="vsb_content"><p>附件：<a href="{target}">{name}</a></p></div></body></html>'

    cases = {
        "/error.htm": ("<html><body>页面不存在</body></html>", "text/html", "error page (“页面不存在”)"),
        "/challenge.htm": ('<html><script>document.cookie="acw_sc__=1";location.reload()</script></html>', "text/html", "anti-bot"),
        "/blocked.htm": ("<script></script>", "text/html", "blocked by anti-bot (HTTP 412"),
        "/truncated.htm": (stub("/t.pdf", "报告.pdf"), "text/html", "not a readable PDF"),
        "/encrypted.htm": (stub("/e.pdf", "报告.pdf"), "text/html", "the PDF is encrypted"),
        "/bomb.htm": (stub("/../../b.docx", "../../报告.docx"), "text/html", "refused as a zip bomb"),
        "/wps.htm": (stub("/w.wps", "报告.wps"), "text/html", "w.wps: unreadable: needs LibreOffice (.wps)"),
        "/image.htm": (b"\x89PNG\r\n", "image/png", "is not a page or a document"),
        "/html-as-pdf.htm": (stub("/h.pdf", "报告.pdf"), "text/html", "not a report"),
    }
    items = "".join(f'<li><a href="{path}">演示镇{2020 + i}年法治政府建设年度报告</a></li>' for i, path in enumerate(cases))
    httpserver.expect_request("/list.htm").respond_with_data(f"<ul>{items}</ul>", content_type="text/html; charset=utf-8")
    for path, (body, ctype, _) in cases.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=ctype, status=412 if path == "/blocked.htm" else 200)
    httpserver.expect_request("/t.pdf").respond_with_data(demo_file("yongjia").read_bytes()[:700], content_type="application/pdf")
    httpserver.expect_request("/e.pdf").respond_with_data(encrypted.getvalue(), content_type="application/pdf")
    httpserver.expect_request("/b.docx").respond_with_data(zip_bomb(), content_type="application/octet-stream")
    httpserver.expect_request("/h.pdf").respond_with_data("<html><body><p>出错了</p></body></html>", content_type="application/pdf")
    # A Kingsoft .wps on a machine without LibreOffice (tests/system/test_formats.py reads one with it).
    httpserver.expect_request("/w.wps").respond_with_data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), content_type="application/octet-stream")
    monkeypatch.setattr(convert, "libreoffice", lambda: None)

    sources = demo_sources_file.with_name("hostile.yaml")
    sources.write_text(demo_sources_file.read_text(encoding="utf-8") + (
        f"  - id: hostile\n    name: 不友好的门户\n    listing:\n      - \"{httpserver.url_for('/list.htm')}\"\n"
        "    allowed_domains: [localhost]\n    rate_per_second: 50\n"), encoding="utf-8")
    data = tmp_path / "data"

    first = nightly_module.nightly(sources_file=sources, data_dir=data, out_dir=tmp_path / "public", return_state=True)
    summary = first.result(raise_on_failure=False)
    assert first.is_failed() and summary.new == 5 and summary.release is not None
    reasons = {f.url.split("/", 3)[-1]: f.reason for f in summary.failures}
    for path, (_, _, reason) in cases.items():
        failed = [r for url, r in reasons.items() if url.startswith(path.strip("/")) or reason in r]
        assert any(reason in r for r in failed), (path, reasons)
    assert all(f.source_id == "hostile" for f in summary.failures) and len(summary.failures) == 9
    with store.open_store(data / "fazhi.sqlite") as conn:
        before = store.fingerprint(conn)
    assert all(len(p.name) == 64 and set(p.name) <= set("0123456789abcdef") for p in (data / "raw").rglob("*") if p.is_file())

    second = nightly_module.nightly(sources_file=sources, data_dir=data, out_dir=tmp_path / "public", return_state=True)
    assert second.result(raise_on_failure=False).release is None
    with store.open_store(data / "fazhi.sqlite") as conn:
        assert store.fingerprint(conn) == before
