"""The night through its own flow at national scale: `nightly` against N loopback portal hosts.

Each source is its own host (127.1.x.y, all on one port: Linux routes the whole of 127.0.0.0/8 to
loopback), so politeness, robots.txt and the address guard treat them as separate portals. The
portals are served by a separate process (their CPU is not the night's). Night 1 finds every
source's reports; night 2 is a quiet night: most listings answer 304 and ``--new`` sources list one
new report each. For each night and stage (discover+fetch+extract, reextract, merge, release, site)
it prints wall time, CPU seconds (this process + the Prefect server and other children), peak RSS
of this process during the stage, and for the harvest the CPU per source outside fetching (HTTP
client) and parsing (classify/extract), which is what the flow itself costs per source.

Usage: python benchmarks/night_sources.py --sources 300
       python benchmarks/night_sources.py --sources 300 --padding 300000   (a national store's size)
       python benchmarks/night_sources.py --sources 300 1000 --reports 2 --new 10
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import selectors
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

import psutil  # type: ignore[import-untyped]  # noqa: E402

from benchmarks.synthetic import report_text, townships  # noqa: E402

FIRST_YEAR = 2025
MODIFIED = formatdate(1_767_225_600, usegmt=True)  # a fixed Last-Modified: the pages never change


def host(index: int) -> str:
    return f"127.1.{index // 250}.{index % 250 + 1}"


class Portals:
    """Every source's listing and report pages, built on request (deterministic, cached)."""

    def __init__(self, count: int, reports: int, new: int) -> None:
        self.places = townships(count)
        self.reports, self.new = reports, new
        self.night = multiprocessing.Value("i", 1)

    def years(self, index: int) -> list[int]:
        extra = 1 if self.night.value >= 2 and index < self.new else 0  # a new report on night 2
        return list(range(FIRST_YEAR - self.reports + 1, FIRST_YEAR + 1 + extra))[::-1]

    def page(self, index: int, path: str) -> bytes | None:
        county, adcode, township = self.places[index]
        if path == "/col/index.html":
            items = "".join(f'<li><a href="/art/{year}.html" title="{township}{year - 1}年法治政府建设年度报告">{township}{year - 1}年'
                            f'法治政府建设年度报告</a><span>{year}-03-20</span></li>\n' for year in self.years(index))
            items += f'<li><a href="/art/notice.html" title="{county}召开春耕生产工作推进会">{county}召开春耕生产工作推进会</a><span>2025-02-12</span></li>'
            return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>法治政府建设年度报告_{county}人民政府</title>'
                    f'</head><body><div class="position">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设年度报告</div>'
                    f'<div class="main"><ul class="list">{items}</ul></div></body></html>').encode()
        if path.startswith("/art/") and path.endswith(".html") and path[5:-5].isdigit():
            year = int(path[5:-5])
            if year not in self.years(index):
                return None
            import random

            text = report_text(county, township, year - 1, random.Random(f"{index}-{year}"))
            title, *lines = text.split("\n")
            body = "".join(f"<p>{line}</p>" for line in lines)
            return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="SiteName" content="{county}人民政府">'
                    f'<meta name="ColumnName" content="法治政府建设年度报告"><meta name="ArticleTitle" content="{title}">'
                    f'<meta name="PubDate" content="{year}-03-20 10:00"><meta name="ContentSource" content="{county}{township}">'
                    f'<title>{title}_{county}人民政府</title></head><body><div class="main"><h1>{title}</h1>'
                    f'<div class="TRS_Editor">{body}</div></div></body></html>').encode()
        return None


def serve(portals: Portals, port: int, ready: multiprocessing.synchronize.Event, stop: multiprocessing.synchronize.Event) -> None:
    """One accept loop over every host's listening socket; requests answered by a small pool."""
    count = len(portals.places)
    index_of = {host(i): i for i in range(count)}
    listeners = []
    selector = selectors.DefaultSelector()
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host(i), port))
        sock.listen(64)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        listeners.append(sock)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = portals.page(index_of[self.connection.getsockname()[0]], self.path.split("?", 1)[0])
            if body is None:
                self._reply(404, b"<html><body>404 Not Found</body></html>")
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._reply(304, b"", etag)
                return
            self._reply(200, body, etag)

        def _reply(self, status: int, body: bytes, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    def handle(conn: socket.socket, address: tuple[str, int]) -> None:
        try:
            conn.setblocking(True)
            conn.settimeout(30)
            Handler(conn, address, None)  # type: ignore[arg-type]
        except OSError:
            pass
        finally:
            conn.close()

    ready.set()
    with ThreadPoolExecutor(16) as pool:
        while not stop.is_set():
            for key, _ in selector.select(timeout=0.5):
                try:
                    conn, address = key.fileobj.accept()  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                pool.submit(handle, conn, address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sources_yaml(portals: Portals, port: int) -> str:
    lines = ["sources:"]
    for i, (county, adcode, _) in enumerate(portals.places):
        lines += [f"  - id: s{i:05d}", f"    name: {county}人民政府", f"    county: {county}", f'    adcode: "{adcode}"',
                  f'    covers: ["{adcode}"]', "    listing:", f'      - "http://{host(i)}:{port}/col/index.html"',
                  "    max_pages: 1", "    rate_per_second: 50"]
    return "\n".join(lines) + "\n"


class Meter:
    """Per stage: wall, CPU (this process, and the Prefect server and other children but not the
    portals), peak RSS of this process; and the CPU threads spent in fetching and parsing."""

    def __init__(self, exclude_pid: int) -> None:
        self.me = psutil.Process()
        self.exclude = exclude_pid
        self.rows: dict[str, dict[str, float]] = {}
        self.fetch_cpu = 0.0
        self.parse_cpu = 0.0
        self.lock = threading.Lock()
        self.night = 0

    def children_cpu(self) -> float:
        total = 0.0
        for child in self.me.children(recursive=True):
            if child.pid == self.exclude:
                continue
            try:
                times = child.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def cpu(self) -> tuple[float, float]:
        own = self.me.cpu_times()
        return own.user + own.system, self.children_cpu()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # the peak RSS (VmHWM) from here
        except OSError:
            pass
        fetch0, parse0 = self.fetch_cpu, self.parse_cpu
        started, (own0, kids0) = time.monotonic(), self.cpu()
        yield
        own1, kids1 = self.cpu()
        self.rows[name] = {"wall": time.monotonic() - started, "cpu": own1 - own0, "server_cpu": kids1 - kids0,
                           "peak_mb": self.me.memory_info().rss / 2**20 if not Path("/proc/self/status").exists() else _hwm_mb(),
                           "fetch_cpu": self.fetch_cpu - fetch0, "parse_cpu": self.parse_cpu - parse0}

    def wrap(self, owner: object, name: str, kind: str) -> None:
        real = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            started = time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                with self.lock:
                    setattr(self, kind, getattr(self, kind) + time.thread_time() - started)

        setattr(owner, name, timed)


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def instrument(meter: Meter) -> None:
    """Count fetching and parsing CPU (thread time, so that threads running at once add up right),
    and measure each stage of the flow where the flow times it (flows.nightly.timed)."""
    from flows import nightly as nightly_module
    from flows.harvest import discover, fetch, source
    from flows.harvest.http import HttpClient

    meter.wrap(HttpClient, "get", "fetch_cpu")
    for module, names in ((discover, ("classify_listing", "decide_link")), (fetch, ("classify_page", "classify_attachment")),
                          (source, ("extract_report",))):
        for name in names:
            meter.wrap(module, name, "parse_cpu")

    @contextmanager
    def timed(timings: dict[str, float], stage: str, steps: bool = True) -> Iterator[None]:
        started = time.monotonic()
        with meter.stage(f"{meter.night}:{stage}"):
            yield
        timings[stage] = time.monotonic() - started

    nightly_module.timed = timed  # type: ignore[assignment]


def pad_store(path: Path, rows: int) -> None:
    """Fetch-log lines of sources outside tonight's registry (another shard's, or removed ones), as
    a national store holds ≈ 300,000: a night's cost per source must not grow with them."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO fetch_log (source_id, url, url_key, fetched_at, status, etag, sha256) VALUES (?, ?, ?, ?, 200, ?, ?)",
                         ((f"other-{i % 3000:04d}", f"http://other.gov.cn/{i}.html", f"/{i}.html", "2026-01-01T00:00:00+00:00",
                           f'"{i:x}"', f"{i:064x}") for i in range(rows)))


def run(count: int, reports: int, new: int, workers: int | None, padding: int = 0) -> list[str]:
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import harvest_threads, nightly

    portals = Portals(count, reports, new)
    port = free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(portals, port, ready, stop), daemon=True)
    server.start()
    if not ready.wait(120):
        raise SystemExit("the portals did not start")
    meter = Meter(exclude_pid=server.pid or -1)
    instrument(meter)
    out: list[str] = []
    flow = nightly.with_options(task_runner=harvest_threads(workers)) if workers else nightly
    try:
        with tempfile.TemporaryDirectory(prefix="night-sources-") as tmp, prefect_test_harness(server_startup_timeout=180):
            root = Path(tmp)
            (root / "sources.yaml").write_text(sources_yaml(portals, port), encoding="utf-8")
            for night in (1, 2):
                printed = len(out)
                if night == 2 and padding:
                    pad_store(root / "data" / "fazhi.sqlite", padding)
                    out.append(f"\n(store padded with {padding:,} fetch-log lines of other sources before night 2)")
                portals.night.value = night
                meter.night = night
                started = time.monotonic()
                summary = flow(sources_file=root / "sources.yaml", data_dir=root / "data", out_dir=root / "public", deadline_seconds=None,
                               return_state=True).result(raise_on_failure=False)
                wall = time.monotonic() - started
                failures = getattr(summary, "failures", None)
                out.append(f"\n{count} sources, night {night}: {wall:.1f} s; new {getattr(summary, 'new', '?')}, known "
                           f"{getattr(summary, 'reports_known', '?')}, failures {len(failures) if failures is not None else summary!r}")
                if failures:
                    out += [f"  failure: {f.source_id}: {f.reason[:120]}" for f in failures[:5]]
                out.append(f"  {'stage':<24}{'wall s':>8}{'CPU s':>8}{'children CPU s':>16}{'peak MB':>9}{'fetch CPU':>11}{'parse CPU':>11}")
                for name, row in meter.rows.items():
                    if name.startswith(f"{night}:"):
                        out.append(f"  {name[2:]:<24}{row['wall']:>8.1f}{row['cpu']:>8.1f}{row['server_cpu']:>16.1f}{row['peak_mb']:>9.0f}"
                                   f"{row['fetch_cpu']:>11.1f}{row['parse_cpu']:>11.1f}")
                harvest = meter.rows.get(f"{night}:discover+fetch+extract")
                if harvest:
                    outside = harvest["cpu"] + harvest["server_cpu"] - harvest["fetch_cpu"] - harvest["parse_cpu"]
                    out.append(f"  CPU per source outside fetching and parsing: {outside / count:.3f} s "
                               f"({harvest['cpu'] + harvest['server_cpu']:.1f} s in all, fetch {harvest['fetch_cpu']:.1f}, "
                               f"parse {harvest['parse_cpu']:.1f})")
                out.append(f"  RSS after the night: {meter.me.memory_info().rss / 2**20:.0f} MB")
                print("\n".join(out[printed:]), flush=True)
    finally:
        stop.set()
        server.join(5)
        if server.is_alive():
            server.terminate()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, nargs="+", default=[300], help="source counts to run (each: two nights)")
    parser.add_argument("--reports", type=int, default=2, help="reports each source lists on night 1")
    parser.add_argument("--new", type=int, default=10, help="sources with one new report on night 2")
    parser.add_argument("--workers", type=int, default=None, help="sources harvested at once (default: the flow's)")
    parser.add_argument("--padding", type=int, default=0, help="fetch-log lines of other sources added to the store before night 2")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    for count in args.sources:
        run(count, args.reports, args.new, args.workers, args.padding)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
