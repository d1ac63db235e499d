"""Serve the demo portals on 127.0.0.1, one ephemeral port each, like separate government hosts.

Each portal answers conditional GETs (ETag and Last-Modified → 304) as real CMS front ends do,
and the 辰溪 portal sends ``Content-Type: text/html`` with no charset: its pages declare GBK
only in a <meta> tag.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORTALS = Path(__file__).resolve().parent / "portals"
SOURCES_TEMPLATE = Path(__file__).resolve().parent / "sources.yaml"
# The formats demo (issue 29): a scanned PDF, a .doc, an .ofd and a .zip, on a portal of its own.
FORMATS_PORTALS = Path(__file__).resolve().parent / "formats_portal"
FORMATS_SOURCES_TEMPLATE = Path(__file__).resolve().parent / "sources-formats.yaml"
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
}
# Portal → charset sent in the Content-Type header (None: the page's <meta> is the only declaration).
HEADER_CHARSET = {"nilka": "utf-8", "chenxi": None, "region": "utf-8", "formats": "utf-8"}


@dataclass
class Portal:
    name: str
    root: Path
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)
    times: list[float] = field(default_factory=list)  # time.monotonic() of each request, for politeness tests
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"


def _handler(portal: Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "DemoPortal/1.0"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            target = (portal.root / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(portal.root.resolve()) or not target.is_file():
                self._reply(404, b"<html><body>404 Not Found</body></html>", "text/html")
                return
            body = target.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(int(target.stat().st_mtime), usegmt=True)
            # RFC 9110: If-None-Match, when sent, decides alone; If-Modified-Since only without it.
            condition = self.headers.get("If-None-Match")
            if (condition == etag) if condition is not None else (self.headers.get("If-Modified-Since") == modified):
                self._reply(304, b"", None, etag, modified)
                return
            ctype = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
            charset = HEADER_CHARSET.get(portal.name)
            if ctype == "text/html" and charset:
                ctype += f"; charset={charset}"
            self._reply(200, body, ctype, etag, modified)

        def _reply(self, status: int, body: bytes, ctype: str | None, etag: str | None = None, modified: str | None = None) -> None:
            portal.requests.append(("GET", self.path, status))
            portal.times.append(time.monotonic())
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
            pass  # the portal's requests list is the log; stderr stays clean for the user

    return Handler


@contextmanager
def serve_portals(root: Path = PORTALS) -> Iterator[dict[str, Portal]]:
    """Start every portal under ``root`` on 127.0.0.1; stop them on exit."""
    portals = {p.name: Portal(p.name, p) for p in sorted(root.iterdir()) if p.is_dir()}
    threads = []
    try:
        for portal in portals.values():
            portal.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(portal))
            thread = threading.Thread(target=portal.server.serve_forever, name=f"demo-{portal.name}", daemon=True)
            thread.start()
            threads.append(thread)
        yield portals
    finally:
        for portal in portals.values():
            if portal.server:
                portal.server.shutdown()
                portal.server.server_close()


def demo_sources_yaml(portals: dict[str, Portal], template: Path = SOURCES_TEMPLATE) -> str:
    """The demo registry with each portal's loopback address filled in."""
    text = template.read_text(encoding="utf-8")
    for name, portal in portals.items():
        text = text.replace("{" + name + "}", portal.base_url)
    return text
