"""A loopback portal behind a 瑞数/加速乐-style JavaScript challenge, for the browser tests.

Without the cookie its script sets, every page answers HTTP 412 with a small page whose script
computes the cookie and reloads; with the cookie, the real page. A script client (requests)
never passes; a browser does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fz" + "7" * 6  # what the challenge script computes: "fz" + 7 * 111111
CHALLENGE = ("<html><head><meta charset='utf-8'></head><body><script>"
             "document.cookie='__jsl_clearance=' + 'fz' + (7 * 111111) + '; path=/';"
             "location.reload();</script></body></html>").encode("utf-8")


@contextmanager
def challenge_portal(pages: dict[str, tuple[bytes, str]]) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """Serve ``pages`` (path → (body, content type)) behind the challenge; yields the base URL and
    a log of (path, passed) for every request."""
    log: list[tuple[str, bool]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            passed = f"__jsl_clearance={TOKEN}" in (self.headers.get("Cookie") or "")
            log.append((self.path, passed))
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            if not passed:
                body, status, kind = CHALLENGE, 412, "text/html; charset=utf-8"
            elif self.path in pages:
                (body, kind), status = pages[self.path], 200
            else:
                body, status, kind = b"not found", 404, "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
