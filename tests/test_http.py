"""The HTTP client against a real server on 127.0.0.1: retries, timeouts, redirects, robots, caps."""

import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows.harvest.http import FetchError, HttpClient

FAST = 1000.0  # requests per second: politeness is tested in the benchmark, not here
# These servers on 127.0.0.1 stand in for public portals: allow_private lets the client reach them
# (the refusal of private addresses for public sources is tested in test_hostile.py).


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
