"""Fetch throughput against the politeness limit: N loopback hosts, each rate-limited.

Each host is a separate server on 127.0.0.1 (its own port, so its own politeness budget); one
thread per host fetches, as the nightly flow runs one source task per host. The physical limit
is N × rate requests per second; a good client gets close to it and never above it.
Usage: python benchmarks/fetch.py [--hosts 8] [--rate 5] [--requests 40]
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flows.harvest.http import HttpClient

PAGE = ("<html><body>" + "<p>法治政府建设年度报告</p>" * 200 + "</body></html>").encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        code = 404 if self.path == "/robots.txt" else 200
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--rate", type=float, default=5.0, help="requests per second allowed per host")
    parser.add_argument("--requests", type=int, default=40, help="requests per host")
    args = parser.parse_args()
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(args.hosts)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    client = HttpClient(allow_private=True)

    def crawl(server: ThreadingHTTPServer) -> int:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for i in range(args.requests):
            client.get(f"{base}/page/{i}.html", allowed_domains=["127.0.0.1"], rate=args.rate)
        return args.requests

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.hosts) as pool:
        done = sum(pool.map(crawl, servers))
    elapsed = time.perf_counter() - started
    limit = args.hosts * args.rate
    print(f"hosts {args.hosts}, {args.rate:g} req/s each, {args.requests} requests each")
    print(f"{done} requests in {elapsed:.2f} s: {done / elapsed:.1f} req/s; politeness limit {limit:g} req/s "
          f"({100 * done / elapsed / limit:.0f}% of it)")
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
