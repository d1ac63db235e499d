"""The request handler of `fazhi serve`: the built site as files, with the site's own 404 page.

http.server's own 404 is an English HTML page; a reader of a mistyped township address should get
the site's Chinese one (site/sitegen/overrides/404.html). Text files are labelled UTF-8: the
archived texts and change logs are UTF-8 (with a byte-order mark, for servers that label nothing).
"""

from __future__ import annotations

from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves ``directory`` (given as for SimpleHTTPRequestHandler) on loopback for a preview."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".txt": "text/plain; charset=utf-8",
                      ".html": "text/html; charset=utf-8", ".md": "text/plain; charset=utf-8"}

    def send_head(self):  # type: ignore[no-untyped-def]
        """A NUL in the path (``%00``) made os.stat raise ValueError: a traceback per request."""
        from urllib.parse import unquote

        if "\0" in unquote(self.path):
            self.send_error(HTTPStatus.BAD_REQUEST, "a NUL byte in the path")
            return None
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
