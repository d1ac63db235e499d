"""The HTTP client against a real server on 127.0.0.1: retries, timeouts, redirects, robots, caps."""

import re
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows.harvest.context import SourceNight
from flows.harvest.http import FetchError, HttpClient

FAST = 1000.0  # requests per second: politeness is tested in the benchmark, not here
# These servers on 127.0.0.1 stand in for public portals: allow_private lets the client reach them
# (the refusal of private addresses for public sources is tested in test_fetch_hostile_web.py).


@pytest.fixture(autouse=True)
def no_robots_txt(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


def get(client: HttpClient, server: HTTPServer, path: str, **kwargs):  # type: ignore[no-untyped-def]
    return client.get(server.url_for(path), allowed_domains=["localhost", "127.0.0.1"], rate=FAST, **kwargs)


def test_503_then_success_honours_retry_after(httpserver: HTTPServer) -> None:
    answers = iter([Response("busy", status=503, headers={"Retry-After": "1"}), Response("<html>ok</html>", content_type="text/html")])
    httpserver.expect_request("/list.html").respond_with_handler(lambda _: next(answers))
    started = time.monotonic()
    reply = get(HttpClient(allow_private=True), httpserver, "/list.html")
    assert reply.status == 200 and reply.body == b"<html>ok</html>"
    assert time.monotonic() - started >= 1.0


def test_fetch_gives_up_after_four_503s_with_a_clear_reason(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down.html").respond_with_data("down", status=503, headers={"Retry-After": "0"})
    with pytest.raises(FetchError, match=r"down.html: HTTP 503"):
        get(HttpClient(allow_private=True), httpserver, "/down.html")
    assert sum(1 for request, _ in httpserver.log if request.path == "/down.html") == 4  # 1 try + 3 retries


def test_a_read_timeout_is_a_clear_error(httpserver: HTTPServer) -> None:
    def slow(_: Request) -> Response:
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow.html").respond_with_handler(slow)
    with pytest.raises(FetchError, match=r"slow.html: timed out after retries"):
        get(HttpClient(allow_private=True, timeout=(2, 0.3)), httpserver, "/slow.html")


def test_a_redirect_off_the_allowed_domains_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/moved.html").respond_with_data("", status=302, headers={"Location": "http://www.example.com/x.html"})
    with pytest.raises(FetchError, match=r"www.example.com/x.html: host is outside the source's allowed domains"):
        get(HttpClient(allow_private=True), httpserver, "/moved.html")


def test_a_redirect_within_the_domain_is_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.html").respond_with_data("", status=301, headers={"Location": "/new.html"})
    httpserver.expect_request("/new.html").respond_with_data("<html>new</html>", content_type="text/html")
    reply = get(HttpClient(allow_private=True), httpserver, "/old.html")
    assert reply.url.endswith("/new.html") and reply.body == b"<html>new</html>"


def test_robots_txt_disallow_is_honoured_without_requesting_the_page(httpserver: HTTPServer) -> None:
    httpserver.clear_all_handlers()
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    client = HttpClient(allow_private=True)
    with pytest.raises(FetchError, match="disallowed by the site's robots.txt"):
        get(client, httpserver, "/private/report.html")
    assert not [r for r, _ in httpserver.log if r.path.startswith("/private/")]


def test_crawl_delay_slows_the_rate() -> None:
    from protego import Protego

    client = HttpClient(allow_private=True)
    client._robots["http://a.gov.cn"] = Protego.parse("User-agent: *\nCrawl-delay: 4\n")
    assert client.polite_rate("http://a.gov.cn/x.html", 10.0) == 0.25


def test_an_oversized_body_is_cut_at_the_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/huge.pdf").respond_with_data(b"%PDF" + b"0" * 5000, content_type="application/pdf")
    with pytest.raises(FetchError, match="over the 1,000-byte cap"):
        get(HttpClient(allow_private=True, max_bytes=1000), httpserver, "/huge.pdf")


def test_conditional_get_answers_304_with_no_body(httpserver: HTTPServer) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("<html>list</html>", headers={"ETag": '"v1"'}, content_type="text/html")

    httpserver.expect_request("/list.html").respond_with_handler(conditional)
    client = HttpClient(allow_private=True)
    first = get(client, httpserver, "/list.html")
    second = get(client, httpserver, "/list.html", etag=first.etag)
    assert (first.status, first.etag, second.status, second.not_modified, second.body) == (200, '"v1"', 304, True, b"")


def test_an_image_is_not_taken_for_a_report(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/report.html").respond_with_data(b"\x89PNG", content_type="image/png")
    with pytest.raises(FetchError, match="content type image/png is not a page or a document"):
        get(HttpClient(allow_private=True), httpserver, "/report.html")


def test_a_404_carries_its_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    with pytest.raises(FetchError) as error:
        get(HttpClient(allow_private=True), httpserver, "/gone.html")
    assert error.value.status == 404 and "HTTP 404" in str(error.value)


def test_connection_refused_is_said_in_words() -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused"):
        HttpClient(allow_private=True, timeout=(1, 1)).get(f"http://127.0.0.1:{port}/x.html", allowed_domains=["127.0.0.1"], rate=FAST)


# ---------------------------------------------------------------- proxies and ports (issue 31, items 2 and 3)


class _RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that answers every request itself and records its request line."""

    def __init__(self) -> None:
        import socketserver
        import threading

        lines: list[str] = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                lines.append(self.rfile.readline().decode("latin-1").strip())
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                body = b"<html>through the proxy</html>"
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

        self.lines = lines
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():  # type: ignore[no-untyped-def]
    running = _RecordingProxy()
    yield running
    running.close()


def test_proxy_variables_of_the_environment_do_not_carry_a_fetch_past_the_address_check(
        httpserver: HTTPServer, proxy: _RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that looked public when checked (DNS rebinding) and connects to loopback: with
    HTTP_PROXY set the peer would be the proxy, and the check was skipped. The variables are ignored."""
    from flows.harvest import http as http_module

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("FAZHI_HTTP_PROXY", raising=False)
    httpserver.expect_request("/secret").respond_with_data("<html>internal</html>", content_type="text/html")
    monkeypatch.setattr(http_module, "resolves_privately", lambda host: False)
    with pytest.raises(FetchError, match=r"reached 127\.0\.0\.1, a private or loopback address"):
        HttpClient().get(httpserver.url_for("/secret"), allowed_domains=["localhost"], rate=FAST)
    assert proxy.lines == []
    assert [r.path for r, _ in httpserver.log if r.path == "/secret"] == []


def test_a_proxy_the_operator_names_is_used_and_names_are_still_checked_before_it(proxy: _RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.harvest import http as http_module

    monkeypatch.setenv("FAZHI_HTTP_PROXY", proxy.url)
    with pytest.raises(FetchError, match="private or loopback network"):  # checked here, never handed to the proxy
        HttpClient().get("http://127.0.0.1:9/x.html", allowed_domains=["127.0.0.1"], rate=FAST)
    assert proxy.lines == []
    monkeypatch.setattr(http_module, "resolves_privately", lambda host: False)  # a public portal, as far as the test knows
    client = HttpClient()
    client._robots["http://portal.example.gov.cn"] = None
    reply = client.get("http://portal.example.gov.cn/x.html", allowed_domains=["example.gov.cn"], rate=FAST)
    assert reply.body == b"<html>through the proxy</html>"
    assert proxy.lines == ["GET http://portal.example.gov.cn/x.html HTTP/1.1"]


def test_a_proxy_that_is_not_a_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAZHI_HTTP_PROXY", "socks://nowhere")
    with pytest.raises(FetchError, match="FAZHI_HTTP_PROXY=socks://nowhere: not a proxy URL"):
        HttpClient().get("http://portal.example.gov.cn/x.html", allowed_domains=["example.gov.cn"], rate=FAST)


def test_a_listing_link_to_another_port_of_an_allowed_host_is_refused_and_recorded(httpserver: HTTPServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from flows.harvest.discover import discover_links
    from flows.harvest.fetch import fetch_reports
    from flows.store.raw import RawStore
    from parsers.models import Source

    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request(re.compile(".*")).respond_with_data("<html>admin console 2024年法治政府建设年度报告</html>", content_type="text/html")
        title = "某镇2024年法治政府建设年度报告"
        httpserver.expect_request("/list.html").respond_with_data(
            f'<html><body><ul><li><a href="http://127.0.0.1:{other.port}/admin/report.html">{title}</a></li>'
            f'<li><a href="/art/1.html">某镇2023年法治政府建设年度报告</a></li></ul></body></html>', content_type="text/html")
        httpserver.expect_request("/art/1.html").respond_with_data("<html>not much</html>", content_type="text/html")
        source = Source(id="s", name="县政府", listing=[httpserver.url_for("/list.html").replace("localhost", "127.0.0.1")])
        now, raw = datetime.now(timezone.utc), RawStore(tmp_path / "raw")
        client = HttpClient(allow_private=True)
        night = SourceNight(client, source, raw, now)
        found = discover_links(night)
        fetched = fetch_reports(night, found.decisions)
        refused = [f for f in fetched.failures if f"127.0.0.1:{other.port}" in f.url]
        assert len(refused) == 1 and "another port of the host" in refused[0].reason
        assert any(r.url.endswith("/admin/report.html") and r.error and "another port" in r.error for r in fetched.log)
        assert any(r.path == "/art/1.html" for r, _ in httpserver.log)  # the source's own port goes on
        assert other.log == []
    finally:
        other.stop()
